// Command testdb runs a command with TEST_DATABASE_URL pointing at one private PostgreSQL
// cluster, started for it and deleted after it, so that every test package of a `go test ./...`
// shares one server instead of each starting its own:
//
//	go run ./internal/pgtest/testdb -- go test -race ./...
//
// With TEST_DATABASE_URL already set it runs the command as it is. It exits with the command's
// exit code.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"plenary/internal/pgcluster"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: testdb [--] command [args...]")
		os.Exit(2)
	}
	os.Exit(run(args))
}

func run(args []string) int {
	// The command gets the signals (go test stops its test binaries); we outlive it to clean up.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	if os.Getenv("TEST_DATABASE_URL") != "" {
		return runCommand(args, nil)
	}
	dir, err := os.MkdirTemp("/tmp", "plenary-testdb-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// When root, PostgreSQL runs as the postgres user, who must reach the data folder inside.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dir, "data"), Fast: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "testdb: PostgreSQL for the tests on 127.0.0.1:%d (started in %s)\n", c.Port, time.Since(start).Round(time.Millisecond))
	code := runCommand(args, []string{"TEST_DATABASE_URL=" + c.URL("postgres")})
	stopCtx, stopCancel := context.WithTimeout(context.Background(), time.Minute)
	defer stopCancel()
	if err := c.Stop(stopCtx); err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func runCommand(args []string, env []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), env...)
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if exit.ExitCode() < 0 {
			return 1
		}
		return exit.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
		return 1
	}
	return 0
}
