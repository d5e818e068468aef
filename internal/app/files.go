package app

import (
	"context"
	"log/slog"
	"time"

	"plenary/internal/service"
)

// ReconcileEvery is how often the objects that nothing names are looked for in every backend,
// and ReconcileGrace how old such an object must be to be removed (younger ones may be a move or
// an upload between storing its object and recording it).
const (
	ReconcileEvery = 6 * time.Hour
	ReconcileGrace = time.Hour
)

// runFileSweep removes abandoned uploads every interval, and objects nothing names every
// ReconcileEvery (the first time at start); then it closes done. Any number of instances may run
// it at once: a pending file is taken by one statement, and removing an object twice is harmless.
func runFileSweep(ctx context.Context, files *service.Files, log *slog.Logger, interval time.Duration, done chan<- struct{}) {
	var reconciled time.Time
	runEvery(ctx, max(interval, time.Second), done, func() {
		if n, err := files.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Error("sweep of abandoned files", "err", err)
		} else if n > 0 {
			log.Info("swept abandoned files", "count", n)
		}
		if time.Since(reconciled) >= ReconcileEvery {
			reconciled = time.Now()
			if n, err := files.Reconcile(ctx, ReconcileGrace); err != nil && ctx.Err() == nil {
				log.Error("reconcile stored files", "err", err)
			} else if n > 0 {
				log.Info("removed objects nothing names", "count", n)
			}
		}
	})
}
