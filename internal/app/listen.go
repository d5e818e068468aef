package app

import (
	"context"
	"sync/atomic"
	"time"

	"plenary/internal/postgres"
)

// How often every meeting's version is read to find changes (see watchMeetings): while
// notifications are heard, only for what one may have missed; without them, for every change.
var (
	VersionPollListening = 30 * time.Second
	VersionPollDeaf      = time.Second
)

// watchMeetings keeps the page cache true to the database. A listener on a connection of its
// own (not from the request pool) drops a meeting's pages as soon as PostgreSQL notifies its
// change; every meeting's version is read besides, every second while the listener is not
// listening (LISTEN is unavailable, through a transaction pooler without DATABASE_DIRECT_URL, or
// the connection is being made again), every 30 seconds while it is, and at once when it starts
// listening (again), so that a change is never hidden for longer than a reading's interval.
func (m *Main) watchMeetings(ctx context.Context) {
	var listening atomic.Bool
	kick := make(chan struct{}, 1)
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	done := make(chan struct{})
	if m.Config.Listen {
		ln := m.DB.NewListener(func(err error) {
			was := listening.Swap(err == nil)
			switch {
			case err == nil && !was:
				m.Log.Info("listening for meeting changes")
			case err != nil && was:
				m.Log.Warn("meeting change listener stopped; reading versions every second meanwhile", "err", err)
			case err != nil:
				m.Log.Debug("meeting change listener cannot listen", "err", err)
			}
			poke()
		})
		ln.Handle("meeting_changed", m.Server.MeetingChanged, nil)
		go func() {
			defer close(done)
			ln.Listen(ctx)
		}()
	} else {
		close(done)
	}
	defer func() { <-done }()
	failing := false
	for {
		v, err := m.DB.MeetingVersions(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			// The pages cached stay served: with the database away nothing changes through it,
			// and the next reading finds whatever changed meanwhile.
			if !failing {
				m.Log.Warn("cannot read the meetings' versions; cached pages are kept until the next reading", "err", err,
					"unavailable", postgres.IsUnavailable(err))
			}
			failing = true
		default:
			failing = false
			m.Server.MeetingVersions(v)
		}
		wait := VersionPollDeaf
		if listening.Load() {
			wait = VersionPollListening
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-time.After(wait):
		}
	}
}
