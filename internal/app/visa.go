package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"plenary/internal/postgres"
	"plenary/internal/visaletter"
)

// VisaErasureInterval is how often the binary erases the visa data of past meetings. Every
// instance runs the job; an advisory lock in PostgreSQL lets one of them work at a time.
var VisaErasureInterval = time.Hour

// checkVisaFonts says at start whether letters can be written: without the fonts (Debian's
// fonts-dejavu-core, fonts-droid-fallback and fonts-noto-core) issuing a letter fails.
func (m *Main) checkVisaFonts() {
	if _, err := visaletter.DefaultFonts(); err != nil {
		m.Log.Warn("visa letters cannot be issued", "err", err)
		fmt.Fprintf(m.Out, "warning: %v\n", err)
	}
}

// runVisaErasure erases the passport data and letters of meetings that ended retentionDays ago,
// at once and then every interval, until ctx ends; then it closes done.
func runVisaErasure(ctx context.Context, db *postgres.DB, log *slog.Logger, retentionDays int, interval time.Duration, done chan<- struct{}) {
	runEvery(ctx, interval, done, func() {
		res, err := db.EraseVisaData(ctx, retentionDays, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("visa data erasure", "err", err)
		case res.Requests > 0 || res.Letters > 0:
			log.Info("visa data erased", "requests", res.Requests, "letters", res.Letters, "retention_days", retentionDays)
		}
		// The badge photos go with the passport data; their files are made due for the sweep.
		switch recs, err := db.ErasePhotos(ctx, retentionDays, time.Now()); {
		case err != nil && ctx.Err() == nil:
			log.Error("photo erasure", "err", err)
		case len(recs) > 0:
			log.Info("photos erased", "photos", len(recs), "retention_days", retentionDays)
		}
	})
}

// SessionCleanupInterval is how often the binary removes expired sessions.
var SessionCleanupInterval = 30 * time.Minute

// runSessionCleanup removes expired sessions at once and then every interval, until ctx ends;
// then it closes done.
func runSessionCleanup(ctx context.Context, db *postgres.DB, log *slog.Logger, interval time.Duration, done chan<- struct{}) {
	runEvery(ctx, interval, done, func() {
		if _, err := db.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			log.Error("session clean-up", "err", err)
		}
	})
}

// runEvery runs job at once and then every interval until ctx ends; then it closes done.
func runEvery(ctx context.Context, interval time.Duration, done chan<- struct{}, job func()) {
	defer close(done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		job()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// DigestInterval is how often the daily digests that are due are made (a digest goes within
// this long of its time).
var DigestInterval = time.Minute
