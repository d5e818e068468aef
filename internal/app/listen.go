package app

import (
	"context"
	"crypto/rand"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"plenary/internal/postgres"
)

// How often every meeting's version is read to find changes (see watchMeetings): while
// notifications are heard, only for what one may have missed; without them, for every change.
// A probe the listener has not heard back within ProbeTimeout means it hears nothing.
var (
	VersionPollListening = 30 * time.Second
	VersionPollDeaf      = time.Second
	ProbeTimeout         = 3 * time.Second
)

// probePrefix starts the payload of the notifications by which an instance checks that it hears
// what it sends; no meeting's address can start so.
const probePrefix = "probe:"

// watchMeetings keeps the page cache true to the database. A listener on a connection of its
// own (not from the request pool) drops a meeting's pages as soon as PostgreSQL notifies its
// change; every meeting's version is read besides, every second while the listener does not
// hear (LISTEN is off, its connection is being made again, or notifications do not come back, as
// through a transaction pooler), every 30 seconds while it does, and at once when it starts to
// hear again, so that a change is never hidden for longer than a reading's interval.
//
// That the listener hears is checked, not assumed: it listens on a connection that may lead
// through a pooler which does not keep a session's LISTEN. Each time it connects, and then every
// 30 seconds, the instance sends a probe on the channel through the request pool; until that
// probe comes back it reads versions every second (and when it has not come back within
// ProbeTimeout, the log says notifications are not heard).
func (m *Main) watchMeetings(ctx context.Context) {
	var connected atomic.Bool
	var connections atomic.Int64 // how many times the listener has connected
	var heard atomic.Int64       // the last probe heard back
	var sent, probedConn int64   // the last probe sent, and on which connection
	var sentAt time.Time
	kick := make(chan struct{}, 1)
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	self := probePrefix + rand.Text() + ":"
	done := make(chan struct{})
	if m.Config.Listen {
		ln := m.DB.NewListener(func(err error) {
			if err == nil {
				connections.Add(1)
			}
			if was := connected.Swap(err == nil); err != nil && was {
				m.Log.Warn("meeting change listener stopped; reading versions every second meanwhile", "err", err)
			} else if err != nil {
				m.Log.Debug("meeting change listener cannot listen", "err", err)
			}
			poke()
		})
		ln.Handle("meeting_changed", func(payload string) {
			if !strings.HasPrefix(payload, probePrefix) {
				m.Server.MeetingChanged(payload)
				return
			}
			if seq, ok := strings.CutPrefix(payload, self); ok {
				if n, err := strconv.ParseInt(seq, 10, 64); err == nil {
					heard.Store(n)
					poke()
				}
			}
		}, nil)
		go func() {
			defer close(done)
			ln.Listen(ctx)
		}()
	} else {
		close(done)
	}
	defer func() { <-done }()
	failing, hearing, deafSaid := false, false, false
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

		// A probe: once connected (again), then one each interval (also after one was lost, so
		// that a listener that starts hearing is found).
		now := time.Now()
		if g := connections.Load(); connected.Load() && (g != probedConn || now.Sub(sentAt) >= VersionPollListening) {
			probedConn, sent, sentAt = g, sent+1, now
			if _, err := m.DB.Pool.Exec(ctx, `SELECT pg_notify('meeting_changed', $1)`, self+strconv.FormatInt(sent, 10)); err != nil && ctx.Err() == nil {
				m.Log.Debug("cannot send the listener's probe", "err", err)
			}
		}
		ok := connected.Load() && heard.Load() == sent
		switch {
		case ok && !hearing:
			m.Log.Info("listening for meeting changes")
			hearing, deafSaid = true, false
		case !ok && connected.Load() && time.Since(sentAt) > ProbeTimeout && !deafSaid:
			m.Log.Warn("meeting change notifications sent are not heard back (LISTEN through a transaction pooler? set DATABASE_DIRECT_URL); reading versions every second")
			hearing, deafSaid = false, true
		case !connected.Load():
			hearing = false
		}
		wait := VersionPollDeaf
		if ok {
			wait = VersionPollListening - time.Since(sentAt)
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-time.After(wait):
		}
	}
}
