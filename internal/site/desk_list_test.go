package site_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// A desk at a room's door: it chooses the room's list (kept in its session), records an entry of
// the code typed as a scanner types it, then switches to exits and records the exit; who is
// inside follows; a second exit is refused saying when and where; the meeting's entry list is
// another list, where the person is not checked in.
func TestDeskRoomList(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	id := fx.register(fx.account(delegateSM), domain.InPerson, true)
	fx.approve(id)
	code := text(testid(fx.as(delegateSM).get("/registrations/"+idStr(id)+"/confirmation").doc(t), "conf-code"))
	sec := fx.as(secretariat)
	lists := "/secretariat/meetings/" + idStr(fx.demo) + "/check-in-lists"
	wantRedirect(t, sec.post(lists, form("scope", "room", "name", "Room C", "multi_entry", "on", "exits", "on")), lists)
	var room int64
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT id FROM checkin_lists WHERE meeting_id = $1 AND kind = 'room'`, fx.demo).Scan(&room); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, sec.post("/secretariat/meetings/"+idStr(fx.demo)+"/desk-staff", form("email", delegate)), http.StatusSeeOther)
	staff := fx.as(delegate)
	// (This staff member reads Chinese; the test reads the desk in English.)
	wantStatus(t, staff.post("/language", form("lang", "en", "next", "/")), http.StatusSeeOther)
	desk := "/desk/" + fx.demoSlug
	wantStatus(t, staff.post(desk+"/name", form("desk", "Door C1")), http.StatusSeeOther)

	d := staff.get(desk).doc(t)
	if got := text(testid(d, "desk-list-name")); got != "Meeting entry" {
		t.Errorf("a new desk scans for %q, want the meeting's entry", got)
	}
	if d.Find(`select[name="list"] option[value="`+idStr(room)+`"]`).Length() != 1 {
		t.Fatal("the room is not offered")
	}
	wantRedirect(t, staff.post(desk+"/list", form("list", idStr(room))), desk)

	find := func() (string, string) {
		t.Helper()
		p := staff.get(desk + "?q=" + url.QueryEscape(code))
		wantStatus(t, p, http.StatusOK)
		d := p.doc(t)
		btn := testid(d, "desk-check-in")
		return text(btn), text(testid(d, "desk-list-status"))
	}
	action, status := find()
	if action != "Record entry" || status != "Not inside" {
		t.Fatalf("at the room's door: button %q, status %q", action, status)
	}
	wantStatus(t, staff.post(desk+"/check-in", form("registration", idStr(id), "code", strings.ToUpper(code), "list", idStr(room), "direction", "in")), http.StatusSeeOther)
	d = staff.get(desk + "?reg=" + idStr(id)).doc(t)
	if got := text(testid(d, "desk-inside")); got != "1" {
		t.Errorf("inside now %q after the entry, want 1", got)
	}
	if got := text(testid(d, "desk-list-status")); !strings.HasPrefix(got, "Inside since") || !strings.Contains(got, "Door C1") {
		t.Errorf("status %q", got)
	}
	if got := text(testid(d, "desk-checked-in")); got != "Not checked in yet" {
		t.Errorf("the room's entry checked the person in at the meeting's entry: %q", got)
	}
	if testid(d, "desk-check-in").Length() != 0 || !strings.Contains(text(testid(d, "person-refusal")), "Already checked in") {
		t.Errorf("inside: the desk still offers an entry (%q)", text(testid(d, "person-refusal")))
	}

	wantRedirect(t, staff.post(desk+"/list", form("list", idStr(room), "direction", "out")), desk)
	if got := text(testid(staff.get(desk).doc(t), "desk-direction")); got != "Exit" {
		t.Errorf("direction %q, want the exit kept", got)
	}
	if action, _ := find(); action != "Record exit" {
		t.Fatalf("button %q, want an exit", action)
	}
	wantStatus(t, staff.post(desk+"/check-in", form("registration", idStr(id), "list", idStr(room), "direction", "out")), http.StatusSeeOther)
	d = staff.get(desk + "?reg=" + idStr(id)).doc(t)
	if got := text(testid(d, "desk-inside")); got != "0" {
		t.Errorf("inside now %q after the exit", got)
	}
	if got := text(testid(d, "desk-list-status")); !strings.HasPrefix(got, "Left on") {
		t.Errorf("status after the exit %q", got)
	}
	p := staff.post(desk+"/check-in", form("registration", idStr(id), "list", idStr(room), "direction", "out"))
	wantStatus(t, p, http.StatusConflict)
	if got := text(testid(p.doc(t), "desk-refusal")); !strings.Contains(got, "Already checked out") || !strings.Contains(got, "Door C1") {
		t.Errorf("second exit: %q", got)
	}
	if n := fx.count(`SELECT count(*) FROM scans WHERE list_id = $1 AND registration_id = $2`, room, id); n != 3 {
		t.Errorf("%d scans on the room, want 3 (the refused one kept)", n)
	}

	// Back at the meeting's entry: check in there.
	wantRedirect(t, staff.post(desk+"/list", form("list", "0")), desk)
	if action, status := find(); action != "Check in" || status != "" {
		t.Errorf("at the entry: button %q, status %q", action, status)
	}
}

// A scanner device reads the room the secretariat added, with whether it scans exits (TestDeviceAPIListExits), and
// records an entry and an exit on it through the API; a second exit is a duplicate naming the
// first.
func TestDeviceAPIListExits(t *testing.T) {
	t.Parallel()
	fx := newAPIFixture(t)
	room, err := fx.svc.Desk.SaveCheckInList(context.Background(), postgres.Audit{ActorID: fx.sec.ID}, fx.sec,
		domain.CheckInList{MeetingID: fx.demo, Kind: domain.RoomList, Name: domain.Text{"en": "Room C"}, MultiEntry: true, Exits: true})
	if err != nil {
		t.Fatal(err)
	}
	a := fx.dev.do("GET", "/api/desk/meeting", nil)
	var m struct {
		Lists []struct {
			ID         int64  `json:"id"`
			Kind       string `json:"kind"`
			Name       string `json:"name"`
			MultiEntry bool   `json:"multi_entry"`
			Exits      bool   `json:"exits"`
		} `json:"lists"`
	}
	a.decode(t, &m)
	if a.status != http.StatusOK || len(m.Lists) != 2 || m.Lists[0].Exits || m.Lists[1].ID != room.ID || m.Lists[1].Name != "Room C" ||
		!m.Lists[1].Exits || !m.Lists[1].MultiEntry || m.Lists[1].Kind != "room" {
		t.Fatalf("meeting's lists: %d %s", a.status, a.raw)
	}
	_, code := fx.confirmed(delegateSM)
	for i, c := range []struct{ dir, want string }{{"in", "accepted"}, {"out", "accepted"}, {"out", "duplicate"}} {
		a := fx.dev.do("POST", "/api/desk/redeem", map[string]any{"nonce": "room-" + strconv.Itoa(i), "code": code, "list": room.ID, "direction": c.dir})
		var s struct {
			Outcome string `json:"outcome"`
			Refusal string `json:"refusal"`
		}
		a.decode(t, &s)
		if a.status != http.StatusOK || s.Outcome != c.want {
			t.Errorf("scan %d (%s): %d %s, want %s", i, c.dir, a.status, a.raw, c.want)
		}
		if c.want == "duplicate" && s.Refusal != domain.RefuseAlreadyOut {
			t.Errorf("second exit: refusal %q", s.Refusal)
		}
	}
}
