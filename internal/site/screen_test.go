package site_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// screenDoc is the JSON of a room screen, as a client reads it.
type screenDoc struct {
	Meeting  string `json:"meeting"`
	Language string `json:"language"`
	TimeZone string `json:"time_zone"`
	Now      string `json:"now"`
	Today    string `json:"today"`
	Room     string `json:"room"`
	Sessions []struct {
		WorkingParty string `json:"working_party"`
		Room         string `json:"room"`
		Start        string `json:"start"`
		End          string `json:"end"`
		Now          bool   `json:"now"`
	} `json:"sessions"`
	NextDay string `json:"next_day"`
	Rooms   []string
}

// screenLines reads the sessions of a list of the screen page as "WP time room [now]".
func screenLines(d *goquery.Document, list string) []string {
	var out []string
	testid(d, list).Find(`[data-testid="screen-session"]`).Each(func(_ int, s *goquery.Selection) {
		l := text(testid2(s, "screen-wp")) + " " + text(testid2(s, "screen-time")) + " " + text(testid2(s, "screen-where"))
		if testid2(s, "screen-on").Length() > 0 {
			l += " now"
		}
		out = append(out, l)
	})
	return out
}

func testid2(s *goquery.Selection, id string) *goquery.Selection {
	return s.Find(`[data-testid="` + id + `"]`)
}

func jsonLines(t *testing.T, doc screenDoc) []string {
	t.Helper()
	var out []string
	for _, s := range doc.Sessions {
		start, err := time.Parse(time.RFC3339, s.Start)
		if err != nil {
			t.Fatalf("start %q: %v", s.Start, err)
		}
		room := s.Room
		if room == "" {
			room = "To be announced"
		}
		end, err := time.Parse(time.RFC3339, s.End)
		if err != nil {
			t.Fatalf("end %q: %v", s.End, err)
		}
		l := s.WorkingParty + " " + start.Format("15:04") + "–" + end.Format("15:04") + " " + room
		if s.Now {
			l += " now"
		}
		out = append(out, l)
	}
	return out
}

func getScreenJSON(t *testing.T, b *browser, path string, extra ...string) screenDoc {
	t.Helper()
	p := b.get(path, extra...)
	wantStatus(t, p, http.StatusOK)
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: Content-Type %q", path, ct)
	}
	var doc screenDoc
	if err := json.Unmarshal([]byte(p.body), &doc); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, p.body)
	}
	return doc
}

// The room screen shows today's sessions in the meeting's time zone (09:30 in Geneva is 07:30
// UTC), the JSON at the same address says the same, a room changed in the editor shows on the
// screens once the change is heard (the page cache is on and follows LISTEN, as in the app), and
// a draft's screen is not found.
func TestRoomScreen(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at := time.Date(2025, 7, 25, 7, 30, 0, 0, time.UTC)
	ts := newSite(t, at)
	// The cache as the app runs it: on after a reading of the versions, dropped on notification.
	heard := make(chan string, 16)
	ln := ts.db.NewListener(func(error) {})
	ln.Handle("meeting_changed", func(slug string) { ts.server.MeetingChanged(slug); heard <- slug }, nil)
	go ln.Listen(ctx)
	v, err := ts.db.MeetingVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ts.server.MeetingVersions(v)

	visitor := ts.browser()
	path := "/meetings/" + letterSlug + "/screen"
	if h, _ := testid(visitor.get(letterPath).doc(t), "screen-link").Attr("href"); h != path {
		t.Errorf("the meeting page links to the screen at %q, want %s", h, path)
	}
	p := visitor.get(path, "Accept-Language", "en")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if got := text(testid(d, "screen-now")); got != "09:30" {
		t.Errorf("clock = %q, want 09:30 (Geneva time at 07:30 UTC)", got)
	}
	if got := text(testid(d, "screen-zone")); !strings.Contains(got, "(GMT+2)") || !strings.Contains(got, "Geneva") {
		t.Errorf("zone = %q, want it named", got)
	}
	if got := text(d.Find("#screen-today-h")); got != "Today, Friday, 25 July 2025" {
		t.Errorf("today heading = %q", got)
	}
	// No session of the meeting has an end set: each lasts the default three hours (as in the
	// calendar).
	want := "WP4/13 09:00–12:00 To be announced now|WP3/13 10:30–13:30 To be announced|WP1/13 14:00–17:00 To be announced|WP2/13 15:00–18:00 To be announced"
	if got := strings.Join(screenLines(d, "screen-today"), "|"); got != want {
		t.Errorf("today's sessions:\n got %s\nwant %s", got, want)
	}
	if d.Find(`meta[http-equiv="refresh"], script[src*="room-screen.js"]`).Length() != 0 {
		t.Error("the page for people refreshes itself")
	}
	// The JSON, by Accept and by .json, says what the page says.
	for _, doc := range []screenDoc{getScreenJSON(t, visitor, path, "Accept", "application/json", "Accept-Language", "en"),
		getScreenJSON(t, visitor, path+".json", "Accept-Language", "en")} {
		if got := strings.Join(jsonLines(t, doc), "|"); got != want {
			t.Errorf("JSON sessions:\n got %s\nwant %s", got, want)
		}
		if doc.TimeZone != "Europe/Zurich" || doc.Now != "2025-07-25T09:30:00+02:00" || doc.Today != "2025-07-25" || doc.Language != "en" {
			t.Errorf("JSON = %+v", doc)
		}
		if doc.Sessions[0].Start != "2025-07-25T09:00:00+02:00" {
			t.Errorf("JSON start = %q, want Geneva time with its offset", doc.Sessions[0].Start)
		}
	}

	// The kiosk address refreshes itself, by a small external script (no inline script, no meta
	// refresh).
	k := visitor.get(path + "?refresh=30&lang=fr").doc(t)
	if c, _ := k.Find("html").Attr("data-refresh"); c != "30" || k.Find(`script[src^="/static/room-screen.js"]`).Length() != 1 || k.Find(`meta[http-equiv="refresh"]`).Length() != 0 {
		t.Errorf("refresh = %q, want 30 by static/room-screen.js", c)
	}
	if l, _ := k.Find("html").Attr("lang"); l != "fr" || !strings.HasPrefix(text(k.Find("#screen-today-h")), "Aujourd'hui") {
		t.Errorf("?lang=fr: lang %q, heading %q", l, text(k.Find("#screen-today-h")))
	}
	if l, _ := visitor.get(path, "Accept-Language", "zh").doc(t).Find("html").Attr("lang"); l != "zh" {
		t.Errorf("Accept-Language zh: lang %q", l)
	}

	// The page is cached: a change made behind the portal's back (no notification) is not seen...
	if _, err := ts.db.Pool.Exec(ctx, `UPDATE meeting_sessions SET room = '{"en":"Hidden"}' WHERE meeting_id = (SELECT id FROM meetings WHERE slug = $1)`, letterSlug); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(visitor.get(path, "Accept-Language", "en").body, "Hidden") {
		t.Fatal("the screen is not cached: the test below proves nothing")
	}
	// ...but a room changed in the editor is, at the next request after its notification.
	id, err := ts.db.MeetingID(ctx, letterSlug)
	if err != nil {
		t.Fatal(err)
	}
	sec := ts.browser()
	sec.login(secretariat)
	base := "/secretariat/meetings/" + idStr(id)
	sessions := formValues(t, sec.get(base+"/sessions").doc(t), `form[data-testid="sessions-form"]`)
	for _, k := range []string{"s-0-room", "s-1-room", "s-2-room", "s-3-room"} {
		sessions.Set(k, "")
	}
	sessions.Set("s-0-room", "Popov Room")
	wantStatus(t, sec.post(base+"/sessions", sessions), http.StatusSeeOther)
	select {
	case <-heard:
	case <-time.After(10 * time.Second):
		t.Fatal("no notification of the change")
	}
	d = visitor.get(path, "Accept-Language", "en").doc(t)
	want = "WP4/13 09:00–12:00 Popov Room now|WP3/13 10:30–13:30 To be announced|WP1/13 14:00–17:00 To be announced|WP2/13 15:00–18:00 To be announced"
	if got := strings.Join(screenLines(d, "screen-today"), "|"); got != want {
		t.Errorf("after the room change:\n got %s\nwant %s", got, want)
	}
	// One room's screen, in any case.
	doc := getScreenJSON(t, visitor, path+".json?room=popov+room")
	if got := strings.Join(jsonLines(t, doc), "|"); doc.Room != "Popov Room" || got != "WP4/13 09:00–12:00 Popov Room now" {
		t.Errorf("room screen: room %q, sessions %s", doc.Room, got)
	}
	if testid(visitor.get(path+"?room=Nowhere").doc(t), "screen-unknown-room").Length() != 1 {
		t.Error("an unknown room is not said to be unknown")
	}

	// A draft's screen is not found, page and JSON.
	if _, err := ts.db.Pool.Exec(ctx, `UPDATE meetings SET state = 'draft', version = version + 1 WHERE slug = $1`, letterSlug); err != nil {
		t.Fatal(err)
	}
	ts.server.MeetingChanged(letterSlug)
	wantStatus(t, visitor.get(path), http.StatusNotFound)
	wantStatus(t, visitor.get(path+".json"), http.StatusNotFound)
}

// Just after midnight in Geneva (22:30 UTC the day before) the screen is already on the 25th.
func TestRoomScreenAtMidnight(t *testing.T) {
	t.Parallel()
	ts := newSite(t, time.Date(2025, 7, 24, 22, 30, 0, 0, time.UTC))
	d := ts.browser().get("/meetings/"+letterSlug+"/screen", "Accept-Language", "en").doc(t)
	if got := text(testid(d, "screen-now")); got != "00:30" {
		t.Errorf("clock = %q, want 00:30", got)
	}
	if got := text(d.Find("#screen-today-h")); got != "Today, Friday, 25 July 2025" {
		t.Errorf("today heading = %q", got)
	}
	if n := len(screenLines(d, "screen-today")); n != 4 {
		t.Errorf("%d sessions today, want 4", n)
	}
	if testid(d, "screen-next-day").Length() != 0 {
		t.Error("a next day is shown: the meeting has one day")
	}
}
