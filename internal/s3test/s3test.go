// Package s3test starts a real S3 server for tests: SeaweedFS's `weed mini` (Apache-2.0), built
// once into a cache outside the repository by .ci/build-seaweedfs (make test runs it). Each
// server listens on free loopback ports, keeps its data in the test's temporary folder, and is
// stopped when the test ends.
//
// The binary is $WEED_BIN, or else the one .ci/build-seaweedfs has built. Without it a test
// skips, saying how to build it; under CI (CI=true) it fails.
package s3test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"plenary/internal/blob/s3blob"
)

// Server is a running S3 server with one bucket.
type Server struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Bucket    string
	Region    string
}

// Config is the server's configuration for s3blob, with every key under prefix.
func (s *Server) Config(prefix string) s3blob.Config {
	return s3blob.Config{Endpoint: s.Endpoint, Bucket: s.Bucket, AccessKey: s.AccessKey, SecretKey: s.SecretKey,
		Region: s.Region, PathStyle: true, Prefix: prefix}
}

// Env is the server's configuration as the portal reads it from the environment.
func (s *Server) Env(prefix string) []string {
	return []string{"S3_ENDPOINT=" + s.Endpoint, "S3_BUCKET=" + s.Bucket, "S3_ACCESS_KEY=" + s.AccessKey,
		"S3_SECRET_KEY=" + s.SecretKey, "S3_REGION=" + s.Region, "S3_PATH_STYLE=true", "S3_PREFIX=" + prefix}
}

var (
	weedOnce sync.Once
	weedPath string
	weedErr  error
)

// Weed returns the path of the weed binary.
func Weed() (string, error) {
	weedOnce.Do(func() {
		if p := os.Getenv("WEED_BIN"); p != "" {
			weedPath = p
			if _, err := os.Stat(p); err != nil {
				weedErr = fmt.Errorf("WEED_BIN=%s: %w", p, err)
			}
			return
		}
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			weedErr = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		var stderr bytes.Buffer
		cmd := exec.Command(filepath.Join(root, ".ci", "build-seaweedfs"), "--cached")
		cmd.Stderr = &stderr
		out, err = cmd.Output()
		if err != nil {
			weedErr = fmt.Errorf("no SeaweedFS binary: %s (run .ci/build-seaweedfs, or make test, which builds it once)", strings.TrimSpace(stderr.String()))
			return
		}
		weedPath = strings.TrimSpace(string(out))
	})
	return weedPath, weedErr
}

// Start starts a server for the test, or skips (fails under CI) when there is no binary.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Weed()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err.Error() + " (this fails instead of skipping when CI=true)")
	}
	var last error
	for try := 0; try < 3; try++ {
		s, err := start(t, bin)
		if err == nil {
			return s
		}
		last = err
	}
	t.Fatalf("start SeaweedFS: %v", last)
	return nil
}

// grpcOffset is how far above each HTTP port weed puts its gRPC port.
const grpcOffset = 10000

// freePorts picks n ports free on loopback whose gRPC companions are free too.
func freePorts(n int) ([]int, error) {
	var ports []int
	used := map[int]bool{}
	for tries := 0; len(ports) < n && tries < 1000; tries++ {
		p := 20000 + rand.IntN(25000)
		if used[p] || used[p+grpcOffset] || !free(p) || !free(p+grpcOffset) {
			continue
		}
		used[p], used[p+grpcOffset] = true, true
		ports = append(ports, p)
	}
	if len(ports) < n {
		return nil, fmt.Errorf("no %d free ports", n)
	}
	return ports, nil
}

func free(port int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func start(t testing.TB, bin string) (*Server, error) {
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "plenary-s3test-")
	if err != nil {
		return nil, err
	}
	s := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", ports[3]), AccessKey: "plenary-test",
		SecretKey: "plenary-test-secret-" + strconv.Itoa(rand.IntN(1e9)), Bucket: "plenary", Region: "us-east-1"}
	cmd := exec.Command(bin, "mini", "-dir="+dir, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port="+strconv.Itoa(ports[0]), "-volume.port="+strconv.Itoa(ports[1]),
		"-filer.port="+strconv.Itoa(ports[2]), "-s3.port="+strconv.Itoa(ports[3]),
		"-admin.port="+strconv.Itoa(ports[4]), "-admin.port.legacy=0", "-admin.ui=false",
		"-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+s.AccessKey, "AWS_SECRET_ACCESS_KEY="+s.SecretKey, "S3_BUCKET="+s.Bucket)
	// Its own process group, so that stopping it stops everything it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		os.RemoveAll(dir)
	}
	st, err := s3blob.New(s.Config(""))
	if err != nil {
		stop()
		return nil, err
	}
	deadline := time.Now().Add(120 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = st.Check(ctx, false)
		cancel()
		if err == nil {
			break
		}
		select {
		case <-exited:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("weed mini exited: %s", tail(out.String()))
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("weed mini did not serve S3 within 120 s (%v): %s", err, tail(out.String()))
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("weed mini output:\n%s", tail(out.String()))
		}
	})
	return s, nil
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}
