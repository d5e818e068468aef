// Package pgcluster starts a private PostgreSQL cluster from the machine's own PostgreSQL binaries
// (initdb, pg_ctl). It serves `make run` when no DATABASE_URL is given and the tests when no
// TEST_DATABASE_URL is given.
package pgcluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options says where and how the cluster runs.
type Options struct {
	// Dir is the cluster's data directory; it is created when missing.
	Dir string
	// Fast turns off durability (fsync, full page writes): for throwaway test clusters only.
	Fast bool
	// Install allows `apt-get install postgresql` when the binaries are missing, the machine is
	// Debian and we are root.
	Install bool
	// Log receives progress lines; nil means silent.
	Log func(format string, args ...any)
	// Port is the port to listen on; 0 picks a free one. A test that restarts a cluster gives
	// the port it had, so that clients find it again.
	Port int
}

// Cluster is a running private PostgreSQL server listening on 127.0.0.1.
type Cluster struct {
	Dir  string
	Port int
	// Started is true when this call started the server, false when it was already running.
	Started bool
	bin     string
	cred    *syscall.Credential
	log     func(string, ...any)
}

// URL returns a connection string for database name on this cluster.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, name)
}

// Start initialises the cluster if its directory is empty, then starts it, or reuses it when it is
// already running.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	logf := o.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	bin, err := findBinaries()
	if err != nil && o.Install && isRoot() && isDebian() {
		logf("PostgreSQL binaries not found: installing the Debian package postgresql (apt-get)")
		if ierr := aptInstall(ctx); ierr != nil {
			return nil, fmt.Errorf("pgcluster: apt-get install postgresql: %w", ierr)
		}
		bin, err = findBinaries()
	}
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	c := &Cluster{Dir: dir, bin: bin, log: logf}
	if isRoot() {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New("pgcluster: running as root, PostgreSQL must run as the 'postgres' user, which does not exist (apt-get install postgresql creates it)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	// The parent folders must let the server's user through; the cluster's own folder is private.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if c.cred != nil {
		if err := reachable(filepath.Dir(dir)); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if c.cred != nil {
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return nil, fmt.Errorf("pgcluster: %w", err)
		}
	}

	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		logf("initialising a private PostgreSQL cluster in %s", dir)
		out, err := c.run(ctx, "initdb", "-D", dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
		if err != nil {
			return nil, fmt.Errorf("pgcluster: initdb: %w: %s", err, out)
		}
	}

	if port, ok := c.runningPort(ctx); ok {
		c.Port = port
		logf("reusing the PostgreSQL cluster already running on port %d", port)
		return c, nil
	}

	port := o.Port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	c.Port = port
	opts := []string{
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		"-c", "max_connections=200",
	}
	if o.Fast {
		opts = append(opts, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	out, err := c.run(ctx, "pg_ctl", "-D", dir, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60",
		"-o", strings.Join(opts, " "), "start")
	if err != nil {
		logTail, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return nil, fmt.Errorf("pgcluster: pg_ctl start: %w: %s\n%s", err, out, tail(logTail, 2000))
	}
	logf("PostgreSQL started on 127.0.0.1:%d", port)
	c.Started = true
	return c, nil
}

// Stop shuts the cluster down (fast mode).
func (c *Cluster) Stop(ctx context.Context) error {
	out, err := c.run(ctx, "pg_ctl", "-D", c.Dir, "-m", "fast", "-w", "stop")
	if err != nil {
		return fmt.Errorf("pgcluster: pg_ctl stop: %w: %s", err, out)
	}
	return nil
}

// runningPort reports the port of a server already running on this data directory.
func (c *Cluster) runningPort(ctx context.Context) (int, bool) {
	if _, err := c.run(ctx, "pg_ctl", "-D", c.Dir, "status"); err != nil {
		return 0, false
	}
	f, err := os.Open(filepath.Join(c.Dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 1; sc.Scan(); i++ {
		if i == 4 {
			p, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
			return p, err == nil
		}
	}
	return 0, false
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = c.Dir
	if _, err := os.Stat(c.Dir); err != nil {
		cmd.Dir = "/"
	}
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
		cmd.Env = append(cmd.Env, "HOME="+c.Dir)
	}
	// pg_ctl start leaves the server running with our stdout open; do not wait on pipes.
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return buf.Bytes(), err
}

// findBinaries returns the directory holding initdb and pg_ctl: PATH first, then the newest
// /usr/lib/postgresql/*/bin.
func findBinaries() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("pgcluster: PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; " +
		"install them (Debian/Ubuntu: sudo apt-get install postgresql; Fedora: sudo dnf install postgresql-server; macOS: brew install postgresql) " +
		"or set DATABASE_URL to an existing database")
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// reachable checks that the postgres user can traverse every folder down to dir.
func reachable(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err == nil && st.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("pgcluster: the folder %s is not reachable by the 'postgres' user (mode %v); PostgreSQL runs as that user when started by root: "+
				"use a folder whose parents are all world-traversable (chmod o+x) or set DATABASE_URL", d, st.Mode().Perm())
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func isRoot() bool { return os.Geteuid() == 0 }

func isDebian() bool {
	_, err := os.Stat("/etc/debian_version")
	return err == nil
}

func aptInstall(ctx context.Context) error {
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", "postgresql"}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = env
		cmd.Stdout = os.Stderr
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return err
		}
	}
	return nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
