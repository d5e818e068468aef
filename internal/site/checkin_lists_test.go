package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// The secretariat's check-in lists: the meeting's entry is there from the start; adding a room
// with a name too long in French is refused beside that field with everything typed kept; the
// room added shows how it counts; its own page changes it; both changes are in the meeting's
// history; a co-located event without a list is offered; delegates are refused.
func TestCheckInListsPage(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	sec := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo) + "/check-in-lists"
	var event int64
	if err := fx.ts.db.Pool.QueryRow(ctx, `INSERT INTO colocated_events (meeting_id, title, first_day, last_day)
		SELECT id, '{"en": "Forum on AI", "fr": "Forum sur l''IA"}', first_day, first_day FROM meetings WHERE id = $1 RETURNING id`, fx.demo).Scan(&event); err != nil {
		t.Fatal(err)
	}

	p := sec.get(base)
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if got := texts(testid(d, "list-name")); got != "Meeting entry" {
		t.Fatalf("lists %q, want the meeting's entry alone", got)
	}
	if got := text(testid(d, "list-inside")); got != "0" {
		t.Errorf("inside now %q", got)
	}
	if d.Find(`select[name="scope"] option[value="event-`+idStr(event)+`"]`).Length() != 1 {
		t.Error("the co-located event is not offered")
	}
	if testid(sec.get("/secretariat/meetings/"+idStr(fx.demo)+"/details").doc(t), "check-in-lists-link").Length() != 1 {
		t.Error("the editor's sections do not link to the check-in lists")
	}

	long := strings.Repeat("é", 121)
	p = sec.post(base, form("scope", "room", "name", "Room C", "name-fr", long, "multi_entry", "on", "exits", "on"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d = p.doc(t)
	if testid(d, "error-name-fr").Length() != 1 || testid(d, "error-summary").Length() != 1 {
		t.Errorf("long French name: no message beside the field: %s", text(d.Find("form")))
	}
	if v, _ := d.Find(`input[name="name"]`).Attr("value"); v != "Room C" {
		t.Errorf("English name typed lost: %q", v)
	}
	if v, _ := d.Find(`input[name="name-fr"]`).Attr("value"); v != long {
		t.Error("French name typed lost")
	}
	if _, ok := d.Find(`input[name="exits"]`).Attr("checked"); !ok {
		t.Error("exits ticked lost")
	}
	p = sec.post(base, form("scope", "room", "name", "", "multi_entry", "on"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-name")); got != "Give the room's name in at least one language." {
		t.Errorf("room without a name: %q", got)
	}

	wantRedirect(t, sec.post(base, form("scope", "room", "name", "Room C", "name-fr", "Salle C", "multi_entry", "on", "exits", "on")), base)
	wantRedirect(t, sec.post(base, form("scope", "event-"+idStr(event))), base)
	d = sec.get(base).doc(t)
	if got := texts(testid(d, "list-name")); got != "Meeting entry|Room C|Forum on AI" {
		t.Fatalf("lists %q", got)
	}
	if got := texts(testid(d, "list-rule")); got != "One entry per person|Many entries, exits scanned|One entry per person" {
		t.Errorf("rules %q", got)
	}
	if d.Find(`select[name="scope"] option[value="event-`+idStr(event)+`"]`).Length() != 0 {
		t.Error("the co-located event with its list is offered again")
	}
	edit, _ := testid(d, "list-edit").Eq(1).Attr("href")
	d = sec.get(edit).doc(t)
	if v, _ := d.Find(`input[name="name-fr"]`).Attr("value"); v != "Salle C" {
		t.Errorf("edit form: French name %q", v)
	}
	wantRedirect(t, sec.post(edit, form("name", "Room C (Montbrillant)", "name-fr", "Salle C", "multi_entry", "on")), base)
	d = sec.get(base).doc(t)
	if got := text(testid(d, "list-name").Eq(1)); got != "Room C (Montbrillant)" {
		t.Errorf("renamed: %q", got)
	}
	if got := text(testid(d, "list-rule").Eq(1)); got != "Many entries" {
		t.Errorf("exits no longer scanned: %q", got)
	}
	hist := sec.get("/secretariat/meetings/" + idStr(fx.demo) + "/history").body
	if !strings.Contains(hist, "Check-in list added: Room C<") || strings.Count(hist, "Check-in list added") != 2 ||
		!strings.Contains(hist, "Check-in list changed: Room C (Montbrillant)") {
		t.Error("the meeting's history does not name the lists added and changed")
	}

	// In French: the room's French name, the event's French title.
	wantStatus(t, sec.post("/language", form("lang", "fr", "next", "/")), http.StatusSeeOther)
	if got := texts(testid(sec.get(base).doc(t), "list-name")); got != "Entrée de la réunion|Salle C|Forum sur l'IA" {
		t.Errorf("French lists %q", got)
	}

	wantStatus(t, fx.as(delegate).get(base), http.StatusForbidden)
	wantStatus(t, fx.as(delegate).post(base, form("scope", "room", "name", "X")), http.StatusForbidden)
}
