// Command plenary is the Plenary meeting portal: `plenary serve` runs it; `migrate`, `seed` and
// `create-secretariat` are for operators running it against their own database.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // meeting time zones work on hosts without a zoneinfo database

	"golang.org/x/term"

	"plenary/internal/app"
	"plenary/internal/postgres"
	"plenary/internal/seed"
)

const usage = `usage: plenary <command> [flags]

commands:
  serve [--migrate] [--demo]   run the portal (with no DATABASE_URL: a private PostgreSQL under DATA_DIR, migrated and seeded with demo data)
  migrate                      apply pending database migrations
  seed [--demo]                load the SG13 meeting of the seed letter (and, with --demo, demo organisations, accounts and an open meeting)
  create-secretariat --email E --given G --family F
                               create a secretariat account (password from PLENARY_PASSWORD or asked on the terminal)
  files status                 how many stored files each backend (postgres, s3) holds
  files move --to s3|postgres  move every stored file to that backend, one at a time, each checked by SHA-256;
                               stopped, it goes on where it stopped when run again

configuration comes from the environment: ADDR, DATABASE_URL (or DATABASE_URL_FILE), DATA_DIR, BASE_URL,
COOKIE_SECURE, SMTP_URL (or SMTP_URL_FILE), MAIL_FROM, LOG_LEVEL, DB_MAX_CONNS, METRICS_ADDR, TRUST_PROXY,
DATABASE_DIRECT_URL (or DATABASE_DIRECT_URL_FILE), DB_EXEC_MODE, DB_LISTEN, and for files
S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION, S3_PATH_STYLE, S3_PREFIX, FILES_STORE (see the README)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "plenary:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd string, args []string) error {
	cfg, err := app.LoadConfig(os.Getenv)
	if err != nil {
		return err
	}
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.LogLevel]
	m := &app.Main{Config: cfg, Out: os.Stdout, Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	switch cmd {
	case "serve":
		fs.BoolVar(&m.Migrate, "migrate", false, "apply pending migrations before serving")
		fs.BoolVar(&m.Demo, "demo", false, "load demo organisations, accounts and an open meeting")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return serve(ctx, m)
	case "migrate":
		return withDB(ctx, m, func(db *postgres.DB) error {
			n, err := db.Migrate(ctx)
			if err == nil {
				fmt.Printf("applied %d migration(s)\n", n)
			}
			return err
		})
	case "seed":
		demo := fs.Bool("demo", false, "also load demo organisations, accounts and an open meeting")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return withDB(ctx, m, func(db *postgres.DB) error {
			res, err := seedLoad(ctx, db, *demo)
			if err != nil {
				return err
			}
			fmt.Printf("meeting sg13-wp-2025-07: created=%t\n", res.MeetingCreated)
			if *demo {
				fmt.Printf("demo meeting %s: created=%t\n", res.DemoSlug, res.DemoCreated)
				printAccounts(res.Accounts)
			}
			return nil
		})
	case "create-secretariat":
		email := fs.String("email", "", "email address")
		given := fs.String("given", "", "given name")
		family := fs.String("family", "", "family name")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *email == "" || *given == "" || *family == "" {
			return errors.New("create-secretariat needs --email, --given and --family")
		}
		pw, err := readPassword()
		if err != nil {
			return err
		}
		return withDB(ctx, m, func(db *postgres.DB) error {
			id, err := app.CreateSecretariat(ctx, db, *email, *given, *family, pw)
			if err == nil {
				fmt.Printf("secretariat account %d created for %s\n", id, *email)
			}
			return err
		})
	case "files":
		return filesCommand(ctx, m, args)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func seedLoad(ctx context.Context, db *postgres.DB, demo bool) (*seed.Result, error) {
	return app.SeedLoad(ctx, db, demo)
}

func serve(ctx context.Context, m *app.Main) error {
	m.Config.Print(os.Stdout)
	if err := m.Run(ctx); err != nil {
		_ = m.StopCluster(context.Background())
		return err
	}
	fmt.Printf("\nPlenary is running at %s\n", publicURL(m))
	if accts := m.DemoAccounts(); len(accts) > 0 {
		fmt.Printf("open meeting for trying registration: %s/meetings/%s\n", publicURL(m), m.DemoSlug())
		printAccounts(accts)
	}
	var failed error
	select {
	case <-ctx.Done():
		fmt.Println("\nshutting down")
	case failed = <-m.Failed():
		// A server that stopped serving ends the process with its error, so that the service
		// manager restarts it instead of leaving it running without serving.
		fmt.Fprintln(os.Stderr, "plenary:", failed, "- shutting down")
	}
	err := m.Close()
	// The private cluster keeps running so that the next `make run` starts at once; it is
	// stopped with `make stop-db`.
	return errors.Join(failed, err)
}

func publicURL(m *app.Main) string {
	if strings.HasPrefix(m.Config.Addr, ":") {
		return "http://localhost" + m.Config.Addr
	}
	return m.URL()
}

func printAccounts(accts []seed.DemoAccount) {
	fmt.Printf("demo accounts (password %q):\n", seed.DemoPassword)
	for _, a := range accts {
		fmt.Printf("  %-28s %s\n", a.Email, a.Role)
	}
}

func withDB(ctx context.Context, m *app.Main, fn func(*postgres.DB) error) error {
	if err := m.OpenDB(ctx); err != nil {
		return err
	}
	defer m.DB.Close()
	return fn(m.DB)
}

func readPassword() (string, error) {
	if pw := os.Getenv("PLENARY_PASSWORD"); pw != "" {
		return pw, nil
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprint(os.Stderr, "password: ")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password given: set PLENARY_PASSWORD or type it")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
