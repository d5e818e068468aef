package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"plenary/internal/visaletter"
)

// colocatedEvents returns the ids of the meeting's co-located events by title: the copy of the
// SG13 meeting has the letter's three.
func (vs *visaSite) colocatedEvents() map[string]int64 {
	vs.t.Helper()
	rows, err := vs.db.Pool.Query(context.Background(), `SELECT id, title->>'en' FROM colocated_events WHERE meeting_id = $1`, vs.meetingID)
	if err != nil {
		vs.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var title string
		if err := rows.Scan(&id, &title); err != nil {
			vs.t.Fatal(err)
		}
		switch {
		case strings.Contains(title, "Rapporteur"):
			out["rg"] = id
		case strings.Contains(title, "JCA-IMT2020"):
			out["imt"] = id
		case strings.Contains(title, "JCA-AI/ML"):
			out["ml"] = id
		}
	}
	if len(out) != 3 {
		vs.t.Fatalf("co-located events %v", out)
	}
	return out
}

func (vs *visaSite) attended(reg int64) []int64 {
	vs.t.Helper()
	rows, err := vs.db.Pool.Query(context.Background(), `SELECT colocated_event_id FROM registration_colocated_events
		WHERE registration_id = $1 ORDER BY colocated_event_id`, reg)
	if err != nil {
		vs.t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			vs.t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// The registration form asks which co-located events the delegate attends; the choice is stored
// with the registration, shown on the personal page, and the letter's period of stay covers it.
func TestColocatedEventsOnTheRegistrationFormAndTheLetter(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	ev := vs.colocatedEvents()
	del := vs.browser()
	del.login("delegate.sm@plenary.test")
	p := del.get(vs.registerPath())
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if n := testid(d, "colocated-fields").Find(`input[type="checkbox"][name="colocated"]`).Length(); n != 3 {
		t.Fatalf("%d co-located events offered, want 3", n)
	}
	if got := text(d.Find(`label[for="colocated-` + itoa(ev["imt"]) + `"]`)); !strings.Contains(got, "JCA-IMT2020") {
		t.Errorf("label %q", got)
	}

	// An event of another meeting is refused beside the field, with nothing typed lost.
	f := vs.passportForm("Jose Muller")
	f.Add("colocated", itoa(ev["imt"]))
	f.Add("colocated", "999999")
	p = del.post(vs.registerPath(), f)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d = p.doc(t)
	if got := text(d.Find("#colocated-error")); got == "" {
		t.Errorf("no message beside the co-located events:\n%s", p.body)
	}
	if v, _ := d.Find(`input[name="passport_name"]`).Attr("value"); v != "Jose Muller" {
		t.Errorf("passport name lost: %q", v)
	}
	if _, ok := d.Find(`#colocated-` + itoa(ev["imt"])).Attr("checked"); !ok {
		t.Error("the ticked event is no longer ticked")
	}
	if vs.visaCount() != 0 {
		t.Fatal("a refused form stored a request")
	}

	// Two of the three: stored, shown on /me.
	f = vs.passportForm("Jose Muller")
	f.Add("colocated", itoa(ev["imt"]))
	f.Add("colocated", itoa(ev["rg"]))
	wantStatus(t, del.post(vs.registerPath(), f), http.StatusSeeOther)
	id, reg, _ := vs.visaOf("delegate.sm@plenary.test")
	if got := vs.attended(reg); len(got) != 2 {
		t.Fatalf("attended %v", got)
	}
	p = del.get("/me")
	mine := text(testid(p.doc(t), "my-colocated"))
	if !strings.Contains(mine, "JCA-IMT2020") || !strings.Contains(mine, "Rapporteur") || strings.Contains(mine, "JCA-AI/ML") {
		t.Errorf("/me lists %q", mine)
	}

	// The letter states the events, their dates and a period of stay that covers them.
	vs.approve("focal.sm@plenary.test", reg)
	sec := vs.browser()
	sec.login(secretariat)
	wantStatus(t, sec.post(vs.queuePath()+"/issue", form("id", itoa(id))), http.StatusSeeOther)
	p = del.get("/visas/" + itoa(id) + "/letter.pdf")
	wantStatus(t, p, http.StatusOK)
	txt := pdfText(t, []byte(p.body))
	var rg, imt struct {
		first, last string
	}
	for _, x := range []struct {
		id  int64
		dst *struct{ first, last string }
	}{{ev["rg"], &rg}, {ev["imt"], &imt}} {
		var a, b = vs.first, vs.first
		if err := vs.db.Pool.QueryRow(context.Background(), `SELECT first_day, last_day FROM colocated_events WHERE id = $1`, x.id).Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		x.dst.first, x.dst.last = visaletter.Date(a), visaletter.Date(b)
		if x.id == ev["rg"] {
			if want := "Period of stay: " + visaletter.DateRange(a, vs.last) + "."; !strings.Contains(txt, want) {
				t.Errorf("the letter lacks %q:\n%s", want, txt)
			}
		}
	}
	if !strings.Contains(txt, "(JCA-IMT2020), "+imt.first) || strings.Contains(txt, "JCA-AI/ML") {
		t.Errorf("the letter's events:\n%s", txt)
	}
}

// The choice is changed from the personal page; once the letter is issued only the secretariat
// may change it.
func TestColocatedEventsChanged(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	ev := vs.colocatedEvents()
	del := vs.browser()
	del.login("delegate.sm@plenary.test")
	wantStatus(t, del.post(vs.registerPath(), vs.passportForm("Jose Muller")), http.StatusSeeOther)
	id, reg, _ := vs.visaOf("delegate.sm@plenary.test")
	if got := vs.attended(reg); len(got) != 0 {
		t.Fatalf("attended %v without ticking any", got)
	}
	path := "/registrations/" + itoa(reg) + "/colocated"
	p := del.get("/me")
	if href, _ := testid(p.doc(t), "my-colocated-link").Attr("href"); href != path {
		t.Errorf("change link %q", href)
	}
	wantStatus(t, del.get(path), http.StatusOK)
	wantRedirect(t, del.post(path, form("colocated", itoa(ev["ml"]))), "/me#reg-"+itoa(reg))
	if got := vs.attended(reg); len(got) != 1 || got[0] != ev["ml"] {
		t.Fatalf("attended %v", got)
	}
	var audits int
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'registration.colocated'
		AND entity_id = $1`, reg).Scan(&audits); err != nil || audits != 1 {
		t.Errorf("%d audit events: %v", audits, err)
	}
	p = del.post(path, form("colocated", "abc"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if text(p.doc(t).Find("#colocated-error")) == "" {
		t.Error("no message beside the field")
	}

	// Someone else's registration: not found.
	other := vs.browser()
	other.login("delegate.ms@plenary.test")
	wantStatus(t, other.get(path), http.StatusNotFound)
	wantStatus(t, other.post(path, form("colocated", itoa(ev["rg"]))), http.StatusNotFound)

	// Issued: the delegate is refused with the reason and nothing changes; the secretariat may.
	vs.approve("focal.sm@plenary.test", reg)
	sec := vs.browser()
	sec.login(secretariat)
	wantStatus(t, sec.post(vs.queuePath()+"/issue", form("id", itoa(id))), http.StatusSeeOther)
	p = del.post(path, form("colocated", itoa(ev["rg"])))
	wantStatus(t, p, http.StatusConflict)
	if !strings.Contains(text(p.doc(t).Find(".error-summary, [data-testid=error-summary]")), "secretariat") && !strings.Contains(p.body, "ask the secretariat") {
		t.Errorf("refusal not explained:\n%s", p.body)
	}
	if got := vs.attended(reg); len(got) != 1 || got[0] != ev["ml"] {
		t.Fatalf("changed despite the refusal: %v", got)
	}
	wantRedirect(t, sec.post(path, form("colocated", itoa(ev["rg"]))), "/me#reg-"+itoa(reg))
	if got := vs.attended(reg); len(got) != 1 || got[0] != ev["rg"] {
		t.Fatalf("the secretariat's change: %v", got)
	}
}
