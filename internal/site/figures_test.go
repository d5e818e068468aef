package site_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"plenary/internal/domain"
)

// figuresOf reads the overall figures and the organisations' lines from the page.
type pageFigures struct {
	checkedIn, expected, toCome int
	percent                     string
	orgs                        map[string][2]int // name → checked in, expected
	order                       []string
	hours                       int // check-ins in every hour of every day
}

func readFigures(t *testing.T, p page) pageFigures {
	t.Helper()
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	num := func(s string) int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("not a number: %q", s)
		}
		return n
	}
	f := pageFigures{checkedIn: num(text(testid(d, "figures-checked-in"))), expected: num(text(testid(d, "figures-expected"))),
		toCome: num(text(testid(d, "figures-to-come"))), percent: text(testid(d, "figures-percent")), orgs: map[string][2]int{}}
	for _, n := range testid(d, "figures-organisation").Nodes {
		row := d.FindNodes(n)
		name := text(row.Find(`[data-testid="org-name"] bdi`))
		f.orgs[name] = [2]int{num(text(row.Find(`[data-testid="org-checked-in"]`))), num(text(row.Find(`[data-testid="org-expected"]`)))}
		f.order = append(f.order, name)
	}
	for _, n := range testid(d, "hour-checked-in").Nodes {
		f.hours += num(text(d.FindNodes(n)))
	}
	return f
}

// The day's figures count check-ins at the entry against the registrations approved in person,
// as the database holds them, by organisation (largest first) and by hour; a check-in made at
// the desk shows at once; one whose registration is cancelled afterwards stays in its hour and
// leaves the share. The secretariat and the meeting's desk staff see them; nobody else.
func TestDayFigures(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	jose := fx.register(fx.account(delegateSM), domain.InPerson, true)
	fx.approve(jose)
	colleague := fx.colleague(fx.sm, "Ana", "Figueira", domain.Female)
	ana := fx.register(colleague, domain.InPerson, false)
	fx.approve(ana)
	// One of another organisation, which comes after the larger delegation.
	fx.approve(fx.register(fx.account(delegate), domain.InPerson, true))
	path := "/secretariat/meetings/" + idStr(fx.demo) + "/figures"
	sec := fx.as(secretariat)

	// What the database says, counted here on its own.
	type want struct{ expected, checkedIn int }
	count := func() (map[string]want, want) {
		t.Helper()
		rows, err := fx.ts.db.Pool.Query(ctx, `SELECT o.name, count(*),
				count(*) FILTER (WHERE EXISTS (SELECT 1 FROM scans s JOIN checkin_lists l ON l.id = s.list_id AND l.kind = 'entry'
					WHERE s.registration_id = r.id AND s.outcome = 'accepted'))
			FROM registrations r JOIN organisations o ON o.id = r.organisation_id
			WHERE r.meeting_id = $1 AND r.state = 'approved' AND r.mode = 'in_person' GROUP BY o.name`, fx.demo)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out, all := map[string]want{}, want{}
		for rows.Next() {
			var name string
			var w want
			if err := rows.Scan(&name, &w.expected, &w.checkedIn); err != nil {
				t.Fatal(err)
			}
			out[name] = w
			all.expected += w.expected
			all.checkedIn += w.checkedIn
		}
		return out, all
	}
	check := func(f pageFigures) {
		t.Helper()
		orgs, all := count()
		if f.expected != all.expected || f.checkedIn != all.checkedIn || f.toCome != all.expected-all.checkedIn {
			t.Errorf("overall: %d of %d (%d to come), want %d of %d", f.checkedIn, f.expected, f.toCome, all.checkedIn, all.expected)
		}
		if want := strconv.Itoa(all.checkedIn*100/all.expected) + "%"; f.percent != want {
			t.Errorf("share %q, want %q", f.percent, want)
		}
		if len(f.orgs) != len(orgs) {
			t.Errorf("organisations %v, want %v", f.orgs, orgs)
		}
		for name, w := range orgs {
			if got := f.orgs[name]; got != [2]int{w.checkedIn, w.expected} {
				t.Errorf("%s: %v, want %d of %d", name, got, w.checkedIn, w.expected)
			}
		}
		for i := 1; i < len(f.order); i++ {
			if f.orgs[f.order[i-1]][1] < f.orgs[f.order[i]][1] {
				t.Errorf("organisations not largest first: %v", f.order)
			}
		}
	}
	before := readFigures(t, sec.get(path))
	check(before)
	if before.orgs[orgSM][1] < 2 || before.orgs[orgMS][1] < 1 || len(before.order) < 2 {
		t.Fatalf("%v, want both organisations with their approved delegates", before.orgs)
	}

	desk := "/desk/" + fx.demoSlug
	wantStatus(t, sec.post(desk+"/check-in", form("registration", idStr(jose))), http.StatusSeeOther)
	wantStatus(t, sec.post(desk+"/check-in", form("registration", idStr(ana))), http.StatusSeeOther)
	after := readFigures(t, sec.get(path))
	t.Logf("before %+v, after %+v", before, after)
	check(after)
	if after.checkedIn != before.checkedIn+2 || after.orgs[orgSM][0] != before.orgs[orgSM][0]+2 || after.hours != before.hours+2 {
		t.Errorf("after two check-ins: %+v, before %+v", after, before)
	}

	// Ana's registration is cancelled after she checked in: her check-in stays in its hour, not in the share.
	cancel := sec.post("/registrations/"+idStr(ana)+"/cancel", form("confirm", "yes"))
	wantStatus(t, cancel, http.StatusSeeOther)
	if st, _ := fx.state(ana); st != domain.Cancelled {
		t.Fatalf("Ana's registration is %s", st)
	}
	p := sec.get(path)
	later := readFigures(t, p)
	check(later)
	if later.checkedIn != after.checkedIn-1 || later.expected != after.expected-1 || later.hours != after.hours {
		t.Errorf("after the cancellation: %+v, before %+v", later, after)
	}
	d := p.doc(t)
	if got := text(testid(d, "figures-elsewhere")); !strings.Contains(got, "1 more person was checked in") {
		t.Errorf("elsewhere: %q", got)
	}
	if got := text(testid(d, "figures-zone")); !strings.Contains(got, "Europe/Zurich") || !strings.Contains(got, "local time in Geneva") {
		t.Errorf("the time zone is not named: %q", got)
	}
	if href, _ := testid(d, "figures-participants").Attr("href"); href == "" {
		t.Error("the secretariat has no link to the list of participants")
	}
	if href, _ := testid(d, "figures-back").Attr("href"); href != "/secretariat/meetings/"+idStr(fx.demo) {
		t.Errorf("the secretariat goes back to %q", href)
	}
	if n := testid(d, "figures-day").Length(); n < 1 {
		t.Error("no day")
	}
	// The overview and the desk link to the page.
	if href, _ := testid(sec.get("/secretariat/meetings/"+idStr(fx.demo)).doc(t), "figures-link").Attr("href"); href != path {
		t.Errorf("overview links to %q", href)
	}

	// Who sees them.
	wantStatus(t, sec.post("/secretariat/meetings/"+idStr(fx.demo)+"/desk-staff", form("email", delegate)), http.StatusSeeOther)
	staff := fx.as(delegate)
	if href, _ := testid(staff.get(desk).doc(t), "figures-link").Attr("href"); href != path {
		t.Errorf("the desk links to %q", href)
	}
	sp := staff.get(path)
	wantStatus(t, sp, http.StatusOK)
	sd := sp.doc(t)
	if testid(sd, "figures-participants").Length() != 0 {
		t.Error("desk staff are offered the list of participants (names)")
	}
	if href, _ := testid(sd, "figures-back").Attr("href"); href != desk {
		t.Errorf("desk staff go back to %q", href)
	}
	wantStatus(t, staff.get("/secretariat/meetings/"+idStr(fx.demo)+"/participants"), http.StatusForbidden)
	other := fx.meetingID(letterSlug)
	wantStatus(t, staff.get("/secretariat/meetings/"+idStr(other)+"/figures"), http.StatusForbidden)
	wantStatus(t, fx.as(delegateSM).get(path), http.StatusForbidden)
	wantStatus(t, fx.as(focalSM).get(path), http.StatusForbidden)
	// Nobody learns from the answer whether a meeting exists.
	wantStatus(t, fx.as(focalSM).get("/secretariat/meetings/999999/figures"), http.StatusForbidden)
	wantStatus(t, sec.get("/secretariat/meetings/999999/figures"), http.StatusNotFound)
	visitor := fx.ts.browser().get(path)
	if visitor.StatusCode != http.StatusSeeOther || !strings.HasPrefix(visitor.Header.Get("Location"), "/login") {
		t.Errorf("a visitor gets %d %q", visitor.StatusCode, visitor.Header.Get("Location"))
	}
}

// The list of participants from the check-ins: of those who agreed to be listed, the delegates
// in person checked in at the entry and the approved remote participants (domain.Listed, checked
// here against every registration of the meeting as the database holds it); the same on the
// page, in CSV and in XLSX; before the meeting the registrations are the default.
func TestParticipantsFromCheckIns(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	person := func(given, family string, org int64, mode domain.Mode, consent bool) int64 {
		id := fx.register(fx.colleague(org, given, family, domain.NotStated), mode, consent)
		fx.approve(id)
		return id
	}
	in := person("Aino", "Arrived", fx.sm, domain.InPerson, true)
	person("Bea", "Awaited", fx.sm, domain.InPerson, true)
	private := person("Cai", "Private", fx.ms, domain.InPerson, false)
	person("Dana", "Distant", fx.ms, domain.Remote, true)
	person("Eli", "Unlisted", fx.ms, domain.Remote, false)
	sec := fx.as(secretariat)
	desk := "/desk/" + fx.demoSlug
	for _, id := range []int64{in, private} {
		wantStatus(t, sec.post(desk+"/check-in", form("registration", idStr(id))), http.StatusSeeOther)
	}

	// Who domain.Listed lists, from every registration of the meeting.
	listed := func(b domain.ParticipantBasis) map[string]bool {
		t.Helper()
		rows, err := fx.ts.db.Pool.Query(ctx, `SELECT a.family_name || ', ' || a.given_name, r.state, r.mode, r.list_consent,
				EXISTS (SELECT 1 FROM scans s JOIN checkin_lists l ON l.id = s.list_id AND l.kind = 'entry'
					WHERE s.registration_id = r.id AND s.outcome = 'accepted')
			FROM registrations r JOIN accounts a ON a.id = r.account_id WHERE r.meeting_id = $1`, fx.demo)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var name string
			var r domain.Registration
			var checkedIn bool
			if err := rows.Scan(&name, &r.State, &r.Mode, &r.ListConsent, &checkedIn); err != nil {
				t.Fatal(err)
			}
			if domain.Listed(r, b, checkedIn) {
				out[name] = true
			}
		}
		return out
	}
	base := "/secretariat/meetings/" + idStr(fx.demo)
	names := func(p page) map[string]bool {
		t.Helper()
		wantStatus(t, p, http.StatusOK)
		out := map[string]bool{}
		d := p.doc(t)
		for _, n := range testid(d, "name").Nodes {
			out[text(d.FindNodes(n))] = true
		}
		return out
	}
	same := func(what string, got, want map[string]bool) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
		for n := range want {
			if !got[n] {
				t.Errorf("%s lacks %s (has %v)", what, n, got)
			}
		}
	}
	p := sec.get(base + "/participants?basis=checked-in")
	got := names(p)
	same("from the check-ins", got, listed(domain.BasisCheckedIn))
	for name, want := range map[string]bool{"Arrived, Aino": true, "Awaited, Bea": false, "Private, Cai": false, "Distant, Dana": true, "Unlisted, Eli": false} {
		if got[name] != want {
			t.Errorf("from the check-ins, %s: %v, want %v", name, got[name], want)
		}
	}
	d := p.doc(t)
	if cur, _ := testid(d, "participants-basis").Find(`[aria-current="page"]`).Attr("data-basis"); cur != "checked-in" {
		t.Errorf("the basis shown as current: %q", cur)
	}
	if !strings.Contains(text(testid(d, "participants-hint")), "checked in at the meeting's entry") {
		t.Errorf("hint: %q", text(testid(d, "participants-hint")))
	}
	csvHref, _ := testid(d, "export-csv").Attr("href")
	xlsxHref, _ := testid(d, "export-xlsx").Attr("href")
	csv := sec.get(csvHref)
	wantStatus(t, csv, http.StatusOK)
	if cd := csv.Header.Get("Content-Disposition"); !strings.Contains(cd, "participants-"+fx.demoSlug+"-checked-in.csv") {
		t.Errorf("CSV named %q", cd)
	}
	lines := strings.Split(strings.TrimSuffix(csv.body, "\r\n"), "\r\n")
	if len(lines)-1 != len(got) || !strings.Contains(csv.body, "Arrived,Aino") || strings.Contains(csv.body, "Awaited") || strings.Contains(csv.body, "Private") {
		t.Errorf("CSV from the check-ins:\n%s", csv.body)
	}
	xlsx := sec.get(xlsxHref)
	wantStatus(t, xlsx, http.StatusOK)
	if !strings.Contains(xlsx.Header.Get("Content-Disposition"), "-checked-in.xlsx") || xlsx.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("XLSX served as %q %q", xlsx.Header.Get("Content-Type"), xlsx.Header.Get("Content-Disposition"))
	}

	// The registrations: the consenting approved, checked in or not.
	same("from the registrations", names(sec.get(base+"/participants?basis=registered")), listed(domain.BasisRegistered))
	// Before the meeting's first day, the default is the registrations.
	var first time.Time
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT first_day FROM meetings WHERE id = $1`, fx.demo).Scan(&first); err != nil || !fx.now.Before(first) {
		t.Fatalf("the demo meeting's first day %v is not after the test's now %v (%v)", first, fx.now, err)
	}
	if cur, _ := testid(sec.get(base+"/participants").doc(t), "participants-basis").Find(`[aria-current="page"]`).Attr("data-basis"); cur != "registered" {
		t.Errorf("the default before the meeting: %q", cur)
	}
	// Desk staff see the figures, not the names.
	wantStatus(t, sec.post(base+"/desk-staff", form("email", delegate)), http.StatusSeeOther)
	wantStatus(t, fx.as(delegate).get(base+"/participants?basis=checked-in"), http.StatusForbidden)
	wantStatus(t, fx.as(delegate).get(base+"/participants.csv?basis=checked-in"), http.StatusForbidden)
}
