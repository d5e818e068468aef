package site_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// A delegate downloads their own calendar from /me: the sessions, the deadlines (visa requests
// too, being in person), the desk's openings and the co-located event they attend. Nobody else
// but those who may see the registration gets it, a visitor is sent to sign in, and a cancelled
// registration has none.
func TestMyCalendar(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	ctx := context.Background()
	ev := vs.colocatedEvents()
	if _, err := vs.db.Pool.Exec(ctx, `INSERT INTO desk_openings (meeting_id, opens_at, closes_at)
		VALUES ($1, $2::date - 1 + time '08:00', $2::date - 1 + time '17:30')`, vs.meetingID, vs.first); err != nil {
		t.Fatal(err)
	}
	del := vs.browser()
	del.login("delegate.sm@plenary.test")
	f := vs.passportForm("Jose Muller")
	f.Set("colocated", itoa(ev["imt"]))
	wantStatus(t, del.post(vs.registerPath(), f), http.StatusSeeOther)
	_, reg, _ := vs.visaOf("delegate.sm@plenary.test")
	path := "/registrations/" + itoa(reg) + "/calendar.ics"
	if href, _ := testid(del.get("/me").doc(t), "my-calendar-link").Find("a").Attr("href"); href != path {
		t.Errorf("the calendar link on /me is %q, want %q", href, path)
	}
	p := del.get(path)
	wantStatus(t, p, http.StatusOK)
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := p.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}
	body := strings.ReplaceAll(p.body, "\r\n ", "") // unfold
	var sessions, openings int
	if err := vs.db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM meeting_sessions WHERE meeting_id = $1),
		(SELECT count(*) FROM desk_openings WHERE meeting_id = $1)`, vs.meetingID).Scan(&sessions, &openings); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(body, "BEGIN:VEVENT"); got != sessions+4+openings+1 {
		t.Errorf("%d events, want %d sessions, 4 deadlines, %d desk openings, 1 co-located event", got, sessions, openings)
	}
	for _, want := range []string{"SUMMARY:Deadline: Requests for visa support letters", "SUMMARY:Registration desk open",
		"(JCA-IMT2020)\r\n", "X-WR-CALNAME:", ": my calendar"} {
		if !strings.Contains(body, want) {
			t.Errorf("the calendar lacks %q:\n%s", want, body)
		}
	}
	if want := "DTEND;TZID=Europe/Zurich:" + vs.first.AddDate(0, 0, -1).Format("20060102") + "T173000"; !strings.Contains(body, want) {
		t.Errorf("the desk's opening does not end at 17:30 (%s)", want)
	}
	if n := strings.Count(body, "UID:mine-event-"); n != 1 || !strings.Contains(body, "UID:mine-event-"+itoa(ev["imt"])+"-") {
		t.Errorf("%d co-located events in the calendar, want only the one attended (%d)", n, ev["imt"])
	}

	other := vs.browser()
	other.login("delegate.ms@plenary.test")
	wantStatus(t, other.get(path), http.StatusNotFound)
	visitor := vs.browser()
	if p := visitor.get(path); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/login") {
		t.Errorf("a visitor gets %d %q, want a redirect to sign in", p.StatusCode, p.Header.Get("Location"))
	}
	sec := vs.browser()
	sec.login(secretariat)
	wantStatus(t, sec.get(path), http.StatusOK)

	wantStatus(t, del.post("/registrations/"+itoa(reg)+"/cancel", form("next", "/me", "confirm", "yes")), http.StatusSeeOther)
	p = del.get(path)
	wantStatus(t, p, http.StatusConflict)
	if !strings.Contains(p.body, "it has no calendar") {
		t.Error("the refusal does not say why")
	}
	if testid(del.get("/me").doc(t), "my-calendar-link").Length() != 0 {
		t.Error("/me offers the calendar of a cancelled registration")
	}
}

// The secretariat sets the default session length in the sessions section and the desk's closing
// times in its section: saved and said so, shown in the meeting's calendar; a length out of
// range or a desk closing before it opens is refused beside the field, nothing saved.
func TestCalendarSettingsInTheEditor(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	sec := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo)

	vals := formValues(t, sec.get(base+"/sessions").doc(t), `form[data-testid="sessions-form"]`)
	if vals.Get("session_minutes") != "180" {
		t.Errorf("the default session length is offered as %q, want 180", vals.Get("session_minutes"))
	}
	vals.Set("session_minutes", "5")
	p := sec.post(base+"/sessions", vals)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-session_minutes")); !strings.Contains(got, "from 15 to 720") {
		t.Errorf("the message beside the length is %q", got)
	}
	if v, _ := p.doc(t).Find(`[name="session_minutes"]`).Attr("value"); v != "5" {
		t.Errorf("the typed length came back as %q", v)
	}
	vals.Set("session_minutes", "90")
	if got := followFlash(t, sec, sec.post(base+"/sessions", vals)); !strings.Contains(got, "the length of a session without an end time") {
		t.Errorf("flash %q does not name the length", got)
	}
	var minutes int
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT session_minutes FROM meetings WHERE id = $1`, fx.demo).Scan(&minutes); err != nil || minutes != 90 {
		t.Errorf("session_minutes = %d (%v), want 90", minutes, err)
	}

	var start, end string
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT to_char(starts_at, 'YYYYMMDD"T"HH24MISS'), to_char(starts_at + interval '90 minutes', 'YYYYMMDD"T"HH24MISS')
		FROM meeting_sessions WHERE meeting_id = $1 AND ends_at IS NULL ORDER BY starts_at LIMIT 1`, fx.demo).Scan(&start, &end); err != nil {
		t.Fatal(err)
	}
	ics := strings.ReplaceAll(sec.get("/meetings/"+fx.demoSlug+"/agenda.ics").body, "\r\n ", "")
	if !strings.Contains(ics, "DTSTART;TZID=Europe/Zurich:"+start+"\r\nDTEND;TZID=Europe/Zurich:"+end) {
		t.Errorf("the session at %s does not end 90 minutes later (%s) in the calendar", start, end)
	}

	desk := formValues(t, sec.get(base+"/desk").doc(t), `form[data-testid="desk-form"]`)
	desk.Set("d-0-day", fx.now.AddDate(0, 1, 0).Format("2006-01-02"))
	desk.Set("d-0-time", "08:00")
	desk.Set("d-0-closes", "07:00")
	p = sec.post(base+"/desk", desk)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-d-0-closes")); !strings.Contains(got, "close after it opens") {
		t.Errorf("the message beside the closing time is %q", got)
	}
	desk.Set("d-0-closes", "18:00")
	wantStatus(t, sec.post(base+"/desk", desk), http.StatusSeeOther)
	var closes string
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT to_char(closes_at, 'HH24:MI') FROM desk_openings WHERE meeting_id = $1 AND closes_at IS NOT NULL`, fx.demo).Scan(&closes); err != nil || closes != "18:00" {
		t.Errorf("closes_at = %q (%v), want 18:00", closes, err)
	}
	if v := formValues(t, sec.get(base+"/desk").doc(t), `form[data-testid="desk-form"]`).Get("d-0-closes"); v != "18:00" {
		t.Errorf("the desk form shows the closing time as %q", v)
	}
	if body := sec.get("/meetings/" + fx.demoSlug).body; !strings.Contains(body, "open from 08:00 to 18:00") {
		t.Error("the meeting page does not give the desk's closing time")
	}
}

// Two agenda items of one working party given one number are refused with a message in the
// section, what was typed kept, nothing saved (not a server error).
func TestAgendaNumberTakenTwiceIsRefused(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	sec := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo)
	vals := formValues(t, sec.get(base+"/agenda").doc(t), `form[data-testid="agenda-form"]`)
	a, b := -1, -1
	for i := 0; vals.Has("a-" + strconv.Itoa(i) + "-wp"); i++ {
		if i > 0 && vals.Get("a-"+strconv.Itoa(i)+"-wp") == vals.Get("a-"+strconv.Itoa(i-1)+"-wp") {
			a, b = i-1, i
			break
		}
	}
	if a < 0 {
		t.Fatal("no working party with two agenda items in the form")
	}
	taken := vals.Get("a-" + strconv.Itoa(a) + "-position")
	vals.Set("a-"+strconv.Itoa(b)+"-position", taken)
	p := sec.post(base+"/agenda", vals)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if !strings.Contains(p.body, "Two agenda items of one working party have the same number.") {
		t.Error("the refusal does not say that two items have one number")
	}
	if v, _ := p.doc(t).Find(`[name="a-` + strconv.Itoa(b) + `-position"]`).Attr("value"); v != taken {
		t.Errorf("the typed number came back as %q, want %q", v, taken)
	}
	var n int
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM (SELECT 1 FROM agenda_items WHERE meeting_id = $1
		GROUP BY working_party_id, position HAVING count(*) > 1) d`, fx.demo).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d numbers taken twice after the refusal (%v)", n, err)
	}
}
