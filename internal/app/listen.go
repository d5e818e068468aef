package app

import (
	"context"
	"time"
)

// listenMeetingChanges holds one connection listening for meeting_changed notifications and
// drops the cached pages of each changed meeting. While it is not listening the cache is off, so
// a change made through another server instance is never hidden.
func (m *Main) listenMeetingChanges(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := m.listenOnce(ctx)
		m.Server.SetCaching(false)
		if ctx.Err() != nil {
			return
		}
		m.Log.Warn("meeting change listener stopped; retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		if backoff < 30*time.Second {
			backoff *= 2
		}
	}
}

func (m *Main) listenOnce(ctx context.Context) error {
	conn, err := m.DB.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN meeting_changed"); err != nil {
		return err
	}
	m.Server.SetCaching(true)
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			// The connection may be mid-wait: do not hand it back to the pool.
			conn.Hijack().Close(context.Background())
			return err
		}
		m.Server.MeetingChanged(n.Payload)
	}
}
