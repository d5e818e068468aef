package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"

	"plenary/internal/app"
	"plenary/internal/blob"
	"plenary/internal/postgres"
)

// filesCommand runs `plenary files status` and `plenary files move --to BACKEND`.
func filesCommand(ctx context.Context, m *app.Main, args []string) error {
	if len(args) == 0 {
		return errors.New("files needs a command: status, or move --to s3|postgres")
	}
	fs := flag.NewFlagSet("files "+args[0], flag.ContinueOnError)
	switch args[0] {
	case "status":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withDB(ctx, m, func(db *postgres.DB) error { return printCounts(ctx, db) })
	case "move":
		to := fs.String("to", "", "the backend to move every file to: s3 or postgres")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *to != "s3" && *to != "postgres" {
			return errors.New("files move needs --to s3 or --to postgres")
		}
		if m.Config.Files.S3.Endpoint == "" {
			return errors.New("files move needs the object storage configured (S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY): files move between it and PostgreSQL")
		}
		return withDB(ctx, m, func(db *postgres.DB) error {
			files, err := app.OpenFiles(ctx, m.Config.Files, db, m.Log, 4)
			if err != nil {
				return err
			}
			if err := printCounts(ctx, db); err != nil {
				return err
			}
			fmt.Printf("moving every file to %s\n", *to)
			rep, err := files.Move(ctx, *to, func(r blob.Record, err error) {
				if err != nil {
					fmt.Printf("  %s (%d bytes): not moved: %v\n", r.Key, r.Size, err)
				} else {
					fmt.Printf("  %s (%d bytes): moved from %s, SHA-256 checked\n", r.Key, r.Size, r.Backend)
				}
			})
			fmt.Printf("moved %d file(s), %d bytes; %d not moved\n", rep.Moved, rep.Bytes, rep.Failed)
			if err != nil {
				return fmt.Errorf("stopped: %w (run it again to go on)", err)
			}
			if err := printCounts(ctx, db); err != nil {
				return err
			}
			if rep.Failed > 0 {
				return fmt.Errorf("%d file(s) could not be moved (see above); the others are moved", rep.Failed)
			}
			return nil
		})
	default:
		return fmt.Errorf("unknown files command %q: status, or move --to s3|postgres", args[0])
	}
}

func printCounts(ctx context.Context, db *postgres.DB) error {
	counts, err := db.CountBlobs(ctx)
	if err != nil {
		return err
	}
	names := []string{"postgres", "s3"}
	for k := range counts {
		if k != "postgres" && k != "s3" {
			names = append(names, k)
		}
	}
	sort.Strings(names[2:])
	for _, k := range names {
		fmt.Printf("files in %s: %d\n", k, counts[k])
	}
	return nil
}
