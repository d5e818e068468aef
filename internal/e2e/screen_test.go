package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRoomScreenInABrowser: the room screen of the open demo meeting, with a session today, at
// 1920×1080 and on a phone (axe, the Nu checker, no sideways scroll); the screen-mode address
// loads itself again (a small external script, no meta refresh) and shows a room changed meanwhile.
func TestRoomScreenInABrowser(t *testing.T) {
	b, dbURL := startPortal(t, nil)

	conn := connect(t, dbURL)
	ctx := context.Background()
	meeting, slug := demoMeeting(t, conn)
	// A session today, all day, in the meeting's own time zone; the change is announced as the
	// store announces its own.
	change := func(sql string, args ...any) {
		t.Helper()
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET version = version + 1 WHERE id = $1`, meeting); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `SELECT pg_notify('meeting_changed', $1)`, slug); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	change(`INSERT INTO meeting_sessions (meeting_id, working_party_id, starts_at, ends_at, room)
		SELECT m.id, w.id, (now() AT TIME ZONE m.time_zone)::date + time '00:00', (now() AT TIME ZONE m.time_zone)::date + time '23:59', '{"en":"Popov Room","zh":"波波夫厅"}'
		FROM meetings m JOIN working_parties w ON w.study_group_id = m.study_group_id AND w.number = 1 WHERE m.id = $1`, meeting)

	path := "/meetings/" + slug + "/screen"
	b.do("use a wall screen", chromedp.EmulateViewport(1920, 1080))
	b.open(path)
	if got := b.text(`[data-testid="screen-today"]`); !strings.Contains(got, "Popov Room") || !strings.Contains(got, "WP1/13") {
		t.Fatalf("the screen shows %q, want WP1/13 in Popov Room", got)
	}
	if got := b.text(`[data-testid="screen-on"]`); got != "Now" {
		t.Errorf("the session under way is marked %q", got)
	}
	b.checkA11y("the room screen at 1920×1080")
	b.do("use a phone", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	b.open(path + "?lang=ar")
	b.onPhone("the room screen on a phone, in Arabic")
	b.open(path + "?room=popov+room&lang=zh")
	b.onPhone("one room's screen on a phone, in Chinese")

	// Screen mode: the page loads itself again, and so shows the room changed meanwhile.
	b.do("use a wall screen", chromedp.EmulateViewport(1920, 1080))
	b.open(path + "?refresh=5")
	b.checkA11y("the room screen in screen mode")
	change(`UPDATE meeting_sessions SET room = '{"en":"Room K"}' WHERE meeting_id = $1 AND room->>'en' = 'Popov Room'`, meeting)
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := b.eval("read the screen", `document.querySelector('[data-testid="screen-today"]')?.textContent || ''`)
		if strings.Contains(got, "Room K") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen still shows %q 30 s after the room changed (refresh 5 s)", strings.Join(strings.Fields(got), " "))
		}
		time.Sleep(250 * time.Millisecond)
	}
}
