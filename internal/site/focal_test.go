package site_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"plenary/internal/domain"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
)

const (
	focalSM    = "focal.sm@plenary.test"
	delegateSM = "delegate.sm@plenary.test"
	focalMS    = "focal.ms@plenary.test"
	orgSM      = "Example Networks Ltd."
	orgMS      = "China (People's Republic of)"
)

// listsFixture is the demo data, a site whose clock is when the demo data was loaded (the demo
// meeting's registration is open) and helpers to make registrations.
type listsFixture struct {
	t   *testing.T
	ts  *testSite
	now time.Time
	// demo is the future demo meeting.
	demo     int64
	demoSlug string
	// The demo organisations' ids.
	sm, ms int64
}

func newListsFixture(t *testing.T) *listsFixture {
	t.Helper()
	now := pgtest.SeededAt(t)
	return newListsFixtureAt(t, now)
}

func newListsFixtureAt(t *testing.T, now time.Time) *listsFixture {
	t.Helper()
	fx := &listsFixture{t: t, ts: newSite(t, now), now: now}
	ctx := context.Background()
	err := fx.ts.db.Pool.QueryRow(ctx, `SELECT id, slug FROM meetings WHERE slug LIKE 'sg13-wp-%' AND slug <> $1 ORDER BY first_day DESC LIMIT 1`,
		letterSlug).Scan(&fx.demo, &fx.demoSlug)
	if err != nil {
		t.Fatalf("demo meeting: %v", err)
	}
	fx.sm = fx.orgID(orgSM)
	fx.ms = fx.orgID(orgMS)
	return fx
}

func (fx *listsFixture) orgID(name string) int64 {
	fx.t.Helper()
	var id int64
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT id FROM organisations WHERE name = $1`, name).Scan(&id); err != nil {
		fx.t.Fatalf("organisation %s: %v", name, err)
	}
	return id
}

func (fx *listsFixture) account(email string) domain.Account {
	fx.t.Helper()
	a, err := fx.ts.db.AccountByEmail(context.Background(), email)
	if err != nil {
		fx.t.Fatalf("account %s: %v", email, err)
	}
	return a
}

func (fx *listsFixture) meetingID(slug string) int64 {
	fx.t.Helper()
	var id int64
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT id FROM meetings WHERE slug = $1`, slug).Scan(&id); err != nil {
		fx.t.Fatalf("meeting %s: %v", slug, err)
	}
	return id
}

// colleague makes a new account in organisation org.
func (fx *listsFixture) colleague(org int64, given, family string, g domain.Gender) domain.Account {
	fx.t.Helper()
	acc := domain.Account{Email: strings.ToLower(given+"."+family) + "@example.test", GivenName: given, FamilyName: family,
		Gender: g, OrganisationID: &org, Language: "en"}
	id, err := fx.ts.db.CreateAccount(context.Background(), postgres.Audit{}, acc, "x")
	if err != nil {
		fx.t.Fatalf("colleague %s: %v", family, err)
	}
	acc.ID = id
	return acc
}

// register registers the account for the demo meeting as the account itself would.
func (fx *listsFixture) register(acc domain.Account, mode domain.Mode, consent bool) int64 {
	fx.t.Helper()
	return fx.registerFor(fx.demo, acc, mode, consent)
}

func (fx *listsFixture) registerFor(meeting int64, acc domain.Account, mode domain.Mode, consent bool) int64 {
	fx.t.Helper()
	ctx := context.Background()
	actor, _, err := fx.ts.db.Actor(ctx, acc.ID)
	if err != nil {
		fx.t.Fatal(err)
	}
	reg, err := fx.ts.db.Register(ctx, postgres.Audit{ActorID: acc.ID}, actor, meeting, acc.ID,
		domain.RegistrationRequest{Mode: mode, ListConsent: consent}, fx.now)
	if err != nil {
		fx.t.Fatalf("register %s: %v", acc.Email, err)
	}
	return reg.ID
}

// state returns a registration's state and reason as stored.
func (fx *listsFixture) state(id int64) (domain.State, string) {
	fx.t.Helper()
	var st, reason string
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT state, reason FROM registrations WHERE id = $1`, id).Scan(&st, &reason); err != nil {
		fx.t.Fatal(err)
	}
	return domain.State(st), reason
}

// as returns a browser signed in as email.
// createdAt is when the demo meeting's registration of the account email was made.
func (fx *listsFixture) createdAt(email string) time.Time {
	fx.t.Helper()
	var at time.Time
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT r.created_at FROM registrations r JOIN accounts a ON a.id = r.account_id
		WHERE a.email = $1 AND r.meeting_id = $2`, email, fx.demo).Scan(&at); err != nil {
		fx.t.Fatal(err)
	}
	return at
}

func (fx *listsFixture) as(email string) *browser {
	fx.t.Helper()
	b := fx.ts.browser()
	b.login(email)
	return b
}

// followFlash follows a 303 and returns the flash message of the page it leads to.
func followFlash(t *testing.T, b *browser, p page) string {
	t.Helper()
	wantStatus(t, p, http.StatusSeeOther)
	next := b.get(p.Header.Get("Location"))
	wantStatus(t, next, http.StatusOK)
	return text(testid(next.doc(t), "flash"))
}

func rowIDs(d *goquery.Document) []string {
	var out []string
	d.Find(`table[data-testid="registrations"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-testid")
		out = append(out, strings.TrimPrefix(id, "reg-"))
	})
	return out
}

func names(d *goquery.Document) string {
	return texts(d.Find(`table[data-testid="registrations"] [data-testid="name"]`))
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

func TestFocalPointSeesOnlyTheirOrganisation(t *testing.T) {
	fx := newListsFixture(t)
	jose := fx.register(fx.account(delegateSM), domain.InPerson, true)
	lina := fx.register(fx.account(delegate), domain.Remote, true)

	b := fx.as(focalSM)
	p := b.get("/focal")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if got := rowIDs(d); len(got) != 1 || got[0] != idStr(jose) {
		t.Fatalf("focal.sm sees registrations %v, want only %d", got, jose)
	}
	if got := names(d); got != "José Müller-Ñúñez" {
		t.Errorf("names = %q", got)
	}
	if got := text(testid(d, "count-pending")); got != "1" {
		t.Errorf("pending count = %q, want 1", got)
	}
	if got := text(testid(d, "focal-organisations")); got != orgSM {
		t.Errorf("organisations = %q", got)
	}
	// Asking for the other organisation's registrations in the URL shows nothing of it.
	for _, path := range []string{"/focal?organisation=" + idStr(fx.ms), "/focal?q=li.na", "/focal?q=" + url.QueryEscape("Li Na")} {
		p = b.get(path)
		wantStatus(t, p, http.StatusOK)
		if strings.Contains(p.body, "delegate.ms@plenary.test") || strings.Contains(p.body, "reg-"+idStr(lina)) {
			t.Errorf("%s shows the other organisation's registration", path)
		}
	}

	// The Chinese focal point sees Li Na, not José, and a delegate has no focal page.
	d = fx.as(focalMS).get("/focal").doc(t)
	if got := rowIDs(d); len(got) != 1 || got[0] != idStr(lina) {
		t.Fatalf("focal.ms sees %v, want only %d", got, lina)
	}
	wantStatus(t, fx.as(delegateSM).get("/focal"), http.StatusForbidden)
	wantRedirect(t, fx.ts.browser().get("/focal"), "/login?next=%2Ffocal")
}

func TestFocalListFiltersAndSearch(t *testing.T) {
	fx := newListsFixture(t)
	fx.register(fx.account(delegateSM), domain.InPerson, true)
	aino := fx.colleague(fx.sm, "Aada", "Korhonen", domain.Female)
	fx.register(aino, domain.Remote, false)
	b := fx.as(focalSM)

	d := b.get("/focal?mode=remote").doc(t)
	if got := names(d); got != "Aada Korhonen" {
		t.Errorf("remote = %q", got)
	}
	// The filter form keeps what was chosen.
	if v, _ := d.Find(`select#mode option[selected]`).Attr("value"); v != "remote" {
		t.Errorf("mode filter shows %q", v)
	}
	d = b.get("/focal?q=" + url.QueryEscape("müller")).doc(t)
	if got := names(d); got != "José Müller-Ñúñez" {
		t.Errorf("search müller = %q", got)
	}
	if v, _ := d.Find(`input#q`).Attr("value"); v != "müller" {
		t.Errorf("search field = %q", v)
	}
	d = b.get("/focal?state=approved").doc(t)
	if testid(d, "no-registrations").Length() != 1 {
		t.Errorf("approved filter shows rows: %q", names(d))
	}
	// The counts are those of the selection, whatever the state filter.
	if got := text(testid(d, "count-pending")); got != "2" {
		t.Errorf("pending count with state filter = %q, want 2", got)
	}
	// Composition of the delegation for the chosen meeting: 1 man in person, 1 woman remote.
	d = b.get("/focal?meeting=" + idStr(fx.demo)).doc(t)
	comp := testid(d, "composition")
	if comp.Length() != 1 {
		t.Fatal("no composition table for the chosen meeting")
	}
	if got := text(comp.Find(`[data-testid="composition-in_person"] [data-testid="male"]`)); got != "1" {
		t.Errorf("in person men = %q", got)
	}
	if got := text(comp.Find(`[data-testid="composition-remote"] [data-testid="female"]`)); got != "1" {
		t.Errorf("remote women = %q", got)
	}
	if got := text(comp.Find(`[data-testid="composition-total"] [data-testid="total"]`)); got != "2" {
		t.Errorf("total = %q", got)
	}
}

func TestFocalApprovesOneAndTheSecondApprovalIsRefused(t *testing.T) {
	fx := newListsFixture(t)
	jose := fx.register(fx.account(delegateSM), domain.InPerson, true)
	b := fx.as(focalSM)

	p := b.post("/focal/decide", form("action", "approve", "only", idStr(jose), "back", "state=pending"))
	wantRedirect(t, p, "/focal?state=pending")
	if got := followFlash(t, b, p); got != "1 registration approved: José Müller-Ñúñez" {
		t.Errorf("flash = %q", got)
	}
	if st, _ := fx.state(jose); st != domain.Approved {
		t.Fatalf("state = %s, want approved", st)
	}
	p = b.post("/focal/decide", form("action", "approve", "only", idStr(jose)))
	got := followFlash(t, b, p)
	if !strings.Contains(got, "already decided") || !strings.Contains(got, "Approved") || !strings.Contains(got, "Nothing was changed") {
		t.Errorf("second approval flash = %q", got)
	}
	// The list now shows it approved, by whom.
	d := b.get("/focal").doc(t)
	if got := text(testid(d, "reg-"+idStr(jose)).Find(`[data-testid="state"]`)); got != "Approved" {
		t.Errorf("state shown = %q", got)
	}
}

func TestFocalCannotDecideAnotherOrganisationsRegistration(t *testing.T) {
	fx := newListsFixture(t)
	lina := fx.register(fx.account(delegate), domain.Remote, true)
	b := fx.as(focalSM)
	p := b.post("/focal/decide", form("action", "approve", "id", idStr(lina)))
	if got := followFlash(t, b, p); got != "There is no such registration." {
		t.Errorf("flash = %q", got)
	}
	p = b.post("/focal/decide", form("action", "reject", "id", idStr(lina), "reason", "not ours"))
	if got := followFlash(t, b, p); got != "There is no such registration." {
		t.Errorf("reject flash = %q", got)
	}
	if st, reason := fx.state(lina); st != domain.Pending || reason != "" {
		t.Fatalf("the other organisation's registration is %s (%q), want pending", st, reason)
	}
	// Nor does "approve all" reach beyond the organisation.
	p = b.post("/focal/decide", form("action", "approve_all", "confirm", "yes", "back", "organisation="+idStr(fx.ms)))
	wantStatus(t, p, http.StatusSeeOther)
	if st, _ := fx.state(lina); st != domain.Pending {
		t.Fatalf("approve all changed another organisation's registration: %s", st)
	}
}

func TestFocalBulkApproval(t *testing.T) {
	fx := newListsFixture(t)
	var ids []int64
	for i := 0; i < 5; i++ {
		ids = append(ids, fx.register(fx.colleague(fx.sm, "Bulk", fmt.Sprintf("Colleague%d", i), domain.NotStated), domain.Remote, false))
	}
	already := ids[4]
	b := fx.as(focalSM)
	wantStatus(t, b.post("/focal/decide", form("action", "approve", "only", idStr(already))), http.StatusSeeOther)

	// Tick three and an already approved one.
	p := b.post("/focal/decide", form("action", "approve", "id", idStr(ids[0]), "id", idStr(ids[1]), "id", idStr(ids[2]), "id", idStr(already)))
	got := followFlash(t, b, p)
	if !strings.HasPrefix(got, "3 registrations approved: Bulk Colleague0, Bulk Colleague1, Bulk Colleague2; 1 could not be: This registration was already decided") {
		t.Errorf("flash = %q", got)
	}
	for _, id := range ids[:3] {
		if st, _ := fx.state(id); st != domain.Approved {
			t.Errorf("registration %d is %s", id, st)
		}
	}
	// Nothing ticked: the list again, with the message.
	p = b.post("/focal/decide", form("action", "approve"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-summary")); !strings.Contains(got, "Tick at least one") {
		t.Errorf("summary = %q", got)
	}

	// "Approve all" first names the one left, then approves it.
	d := b.get("/focal").doc(t)
	btn := testid(d, "approve-all")
	if got := text(btn); got != "Approve the 1 pending registration matching the filter" {
		t.Errorf("approve all button = %q", got)
	}
	href, _ := btn.Attr("href")
	p = b.get(href)
	wantStatus(t, p, http.StatusOK)
	d = p.doc(t)
	if got := text(d.Find("h1")); got != "Approve this pending registration?" {
		t.Errorf("question = %q", got)
	}
	if got := texts(testid(d, "approve-all-names").Find(`[data-testid="name"]`)); got != "Bulk Colleague3" {
		t.Errorf("named = %q", got)
	}
	if st, _ := fx.state(ids[3]); st != domain.Pending {
		t.Fatalf("asking approved: %s", st)
	}
	// Without the confirmation, a post is sent to the question.
	p = b.post("/focal/decide", form("action", "approve_all"))
	wantRedirect(t, p, "/focal/approve-all")
	asOf, _ := testid(d, "approve-all-form").Find(`input[name="as_of"]`).Attr("value")
	p = b.post("/focal/decide", form("action", "approve_all", "confirm", "yes", "as_of", asOf))
	if got := followFlash(t, b, p); got != "1 registration approved: Bulk Colleague3" {
		t.Errorf("approve all flash = %q", got)
	}
	if st, _ := fx.state(ids[3]); st != domain.Approved {
		t.Errorf("last one is %s", st)
	}
}

func TestRejectionNeedsAReason(t *testing.T) {
	fx := newListsFixture(t)
	jose := fx.register(fx.account(delegateSM), domain.InPerson, true)
	b := fx.as(focalSM)

	p := b.post("/focal/decide", form("action", "reject", "id", idStr(jose), "reason", "  ", "back", "mode=in_person"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d := p.doc(t)
	field := "reason-" + idStr(jose)
	if got := text(testid(d, "error-"+field)); got != "Give the reason for the rejection; the delegate will see it." {
		t.Errorf("message beside the field = %q", got)
	}
	if d.Find(`#`+field+`[aria-invalid="true"][aria-describedby="`+field+`-error"]`).Length() != 1 {
		t.Error("the reason field is not marked invalid")
	}
	if _, open := testid(d, "reg-"+idStr(jose)).Find(`details`).Attr("open"); !open {
		t.Error("the rejection form is not open")
	}
	if _, ticked := testid(d, "reg-"+idStr(jose)).Find(`[data-testid="select"]`).Attr("checked"); ticked {
		t.Error("the refused rejection ticks the row for approval")
	}
	if href, _ := testid(d, "error-summary").Find("a").Attr("href"); href != "#"+field {
		t.Errorf("summary links to %q", href)
	}
	// The list is shown with its filter.
	if v, _ := d.Find(`select#mode option[selected]`).Attr("value"); v != "in_person" {
		t.Errorf("filter lost: mode = %q", v)
	}
	if st, _ := fx.state(jose); st != domain.Pending {
		t.Fatalf("state = %s after a refused rejection", st)
	}

	p = b.post("/focal/decide", form("action", "reject", "id", idStr(jose), "reason", "Not in our delegation."))
	// The confirmation names who was rejected (issue 11 §4).
	if got := followFlash(t, b, p); got != "1 registration rejected: José Müller-Ñúñez" {
		t.Errorf("flash = %q", got)
	}
	if st, reason := fx.state(jose); st != domain.Rejected || reason != "Not in our delegation." {
		t.Fatalf("state = %s (%q)", st, reason)
	}
	d = b.get("/focal").doc(t)
	if got := text(testid(d, "reg-"+idStr(jose)).Find(`[data-testid="reason"]`)); got != "Reason: Not in our delegation." {
		t.Errorf("reason shown = %q", got)
	}
}

func TestFocalExportCSV(t *testing.T) {
	fx := newListsFixture(t)
	fx.register(fx.account(delegateSM), domain.InPerson, true)
	fx.register(fx.account(delegate), domain.Remote, true)
	b := fx.as(focalSM)
	p := b.get("/focal/export.csv")
	wantStatus(t, p, http.StatusOK)
	if ct := p.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := p.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=registrations-") || !strings.HasSuffix(cd, ".csv") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if !strings.HasPrefix(p.body, "\ufeff") {
		t.Fatal("no byte order mark")
	}
	lines := strings.Split(strings.TrimRight(strings.TrimPrefix(p.body, "\ufeff"), "\r\n"), "\r\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want header and 1 row:\n%s", len(lines), p.body)
	}
	if want := "Meeting,Family name,Given name,Email address,Organisation,Country,Participation,Status,Late,Function or title,Registered at (meeting's local time),Decided at (meeting's local time),Time zone,Reason"; lines[0] != want {
		t.Errorf("header = %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], fx.demoSlug+",Müller-Ñúñez,José,delegate.sm@plenary.test,Example Networks Ltd.,FI,In person,Pending,No,,") {
		t.Errorf("row = %q", lines[1])
	}
	if strings.Contains(p.body, "delegate.ms@plenary.test") {
		t.Error("the export holds another organisation's registration")
	}
	// The time is the meeting's local time, and the row names the zone.
	created := fx.createdAt(delegateSM)
	if want := "," + created.In(domain.Location("Europe/Zurich")).Format("2006-01-02 15:04:05") + ",,Europe/Zurich,"; !strings.Contains(lines[1], want) {
		t.Errorf("row = %q, want %q (created %s)", lines[1], want, created.UTC())
	}
	// The export follows the filter.
	p = b.get("/focal/export.csv?state=approved")
	wantStatus(t, p, http.StatusOK)
	if n := strings.Count(p.body, "\r\n"); n != 1 {
		t.Errorf("approved export has %d lines, want the header only", n)
	}
	// In Chinese, headers and values are Chinese.
	wantStatus(t, b.post("/language", form("lang", "zh", "next", "/focal")), http.StatusSeeOther)
	p = b.get("/focal/export.csv")
	if !strings.Contains(p.body, "现场参会") || !strings.Contains(p.body, "待批准") {
		t.Errorf("Chinese export:\n%s", p.body)
	}
}

func TestFocalExportXLSX(t *testing.T) {
	fx := newListsFixture(t)
	fx.register(fx.account(delegateSM), domain.Remote, true)
	fx.register(fx.account(delegate), domain.Remote, true)
	b := fx.as(focalSM)
	p := b.get("/focal/export.xlsx?meeting=" + idStr(fx.demo))
	wantStatus(t, p, http.StatusOK)
	if cd := p.Header.Get("Content-Disposition"); cd != "attachment; filename=registrations-"+fx.demoSlug+".xlsx" {
		t.Errorf("Content-Disposition = %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(p.body)))
	if err != nil {
		t.Fatalf("excelize cannot open the export: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2: %q", len(rows), rows)
	}
	if rows[0][1] != "Family name" || rows[1][1] != "Müller-Ñúñez" || rows[1][4] != orgSM || rows[1][6] != "Remote" {
		t.Errorf("rows = %q", rows)
	}
	// Registered at is a date cell showing the meeting's local time; the next column but one
	// names the zone.
	if v, err := f.GetCellValue(f.GetSheetList()[0], "K2"); err != nil || v != fx.createdAt(delegateSM).In(domain.Location("Europe/Zurich")).Format("2006-01-02 15:04") {
		t.Errorf("registered at = %q (%v), want %s in Geneva", v, err, fx.createdAt(delegateSM).UTC())
	}
	if v, _ := f.GetCellValue(f.GetSheetList()[0], "M2"); v != "Europe/Zurich" {
		t.Errorf("time zone column = %q", v)
	}
}

func TestFocalRegistersAColleague(t *testing.T) {
	fx := newListsFixture(t)
	mia := fx.colleague(fx.sm, "Mia", "Laine", domain.Female)
	b := fx.as(focalSM)

	p := b.get("/focal/register")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if d.Find(`select#account_id option[value="`+idStr(mia.ID)+`"]`).Length() != 1 {
		t.Fatal("the colleague is not offered")
	}
	// A Sector Member's delegates are not asked the Member States' questions.
	if d.Find(`#function_title, #interpretation, #fellowship`).Length() != 0 {
		t.Error("the form asks questions that do not apply")
	}
	// The demo meeting is offered; the letter's meeting is over.
	if d.Find(`select#meeting option[value="`+idStr(fx.demo)+`"]`).Length() != 1 || d.Find(`select#meeting option[value="`+idStr(fx.meetingID(letterSlug))+`"]`).Length() != 0 {
		t.Errorf("meetings offered: %q", texts(d.Find(`select#meeting option`)))
	}

	p = b.post("/focal/register", form("meeting_id", idStr(fx.demo), "organisation_id", idStr(fx.sm), "account_id", idStr(mia.ID)))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-mode")); got != "Choose in person or remote." {
		t.Errorf("mode message = %q", got)
	}
	// Someone of another organisation cannot be chosen.
	lina := fx.account(delegate)
	p = b.post("/focal/register", form("meeting_id", idStr(fx.demo), "organisation_id", idStr(fx.sm), "account_id", idStr(lina.ID), "mode", "remote"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-account_id")); got != "Choose the person to register." {
		t.Errorf("account message = %q", got)
	}

	p = b.post("/focal/register", form("meeting_id", idStr(fx.demo), "organisation_id", idStr(fx.sm), "account_id", idStr(mia.ID), "mode", "in_person", "list_consent", "on"))
	wantRedirect(t, p, "/focal?meeting="+idStr(fx.demo))
	// The focal point decides as they register: the registration is approved at once.
	if got := followFlash(t, b, p); got != "Mia Laine is registered and approved." {
		t.Errorf("flash = %q", got)
	}
	var st string
	var by, decider *int64
	err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT state, registered_by, decided_by FROM registrations WHERE account_id = $1 AND meeting_id = $2`, mia.ID, fx.demo).Scan(&st, &by, &decider)
	if err != nil || st != "approved" || by == nil || *by != fx.account(focalSM).ID || decider == nil || *decider != fx.account(focalSM).ID {
		t.Fatalf("registration: %s by %v decided by %v (%v)", st, by, decider, err)
	}
	// Twice is refused with the reason.
	p = b.post("/focal/register", form("meeting_id", idStr(fx.demo), "organisation_id", idStr(fx.sm), "account_id", idStr(mia.ID), "mode", "remote"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-summary")); !strings.Contains(got, "already registered") {
		t.Errorf("summary = %q", got)
	}
}

func TestFocalSwitchesAutomaticApproval(t *testing.T) {
	fx := newListsFixture(t)
	b := fx.as(focalSM)
	p := b.post("/focal/auto-approval", form("organisation_id", idStr(fx.sm), "auto_approval", "on"))
	if got := followFlash(t, b, p); got != "Example Networks Ltd.: automatic approval is now on." {
		t.Errorf("flash = %q", got)
	}
	var on bool
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT auto_approval FROM organisations WHERE id = $1`, fx.sm).Scan(&on); err != nil || !on {
		t.Fatalf("auto approval = %v (%v)", on, err)
	}
	// A delegate's registration is now approved at once.
	jose := fx.register(fx.account(delegateSM), domain.Remote, true)
	if st, _ := fx.state(jose); st != domain.Approved {
		t.Errorf("state = %s", st)
	}
	// Another organisation's switch is not the focal point's.
	p = b.post("/focal/auto-approval", form("organisation_id", idStr(fx.ms), "auto_approval", "on"))
	wantStatus(t, p, http.StatusForbidden)
	d := b.get("/focal").doc(t)
	if got := text(testid(d, "auto-approval-"+idStr(fx.sm)).Find(`[data-testid="auto-approval-switch"]`)); got != "Switch automatic approval off" {
		t.Errorf("switch = %q", got)
	}
}

// The day before the meeting, a focal point approves a thousand colleagues at once.
func TestFocalApprovesAThousandAtOnce(t *testing.T) {
	fx := newListsFixture(t)
	const n = 1000
	_, err := fx.ts.db.Pool.Exec(context.Background(), `WITH acc AS (
			INSERT INTO accounts (email, password_hash, given_name, family_name, gender, organisation_id)
			SELECT 'bulk' || g || '@example.test', 'x', 'Bulk', 'Delegate ' || lpad(g::text, 4, '0'),
				(ARRAY['female','male','not_stated'])[1 + g % 3], $1
			FROM generate_series(1, $2::int) g RETURNING id)
		INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, list_consent, state, created_at, updated_at)
		SELECT $3, id, $1, CASE WHEN id % 2 = 0 THEN 'remote' ELSE 'in_person' END, true, 'pending', $4, $4 FROM acc`,
		fx.sm, n, fx.demo, fx.now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	b := fx.as(focalSM)
	start := time.Now()
	p := b.get("/focal")
	t.Logf("list of %d: %v", n, time.Since(start))
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if got := len(rowIDs(d)); got != 100 {
		t.Errorf("%d rows on the first page, want 100", got)
	}
	if got := text(testid(d, "page-of")); got != "Page 1 of 10" {
		t.Errorf("pagination = %q", got)
	}
	next, _ := testid(d, "next-page").Attr("href")
	d2 := b.get(next).doc(t)
	if got := text(testid(d2, "showing")); got != "Showing 101 to 200 of 1000." {
		t.Errorf("page 2 = %q", got)
	}
	href, _ := testid(d, "approve-all").Attr("href")
	q := b.get(href).doc(t)
	if got := q.Find(`[data-testid="approve-all-names"] li`).Length(); got != n {
		t.Errorf("the question names %d, want %d", got, n)
	}
	asOf, _ := testid(q, "approve-all-form").Find(`input[name="as_of"]`).Attr("value")
	start = time.Now()
	p = b.post("/focal/decide", form("action", "approve_all", "confirm", "yes", "as_of", asOf))
	took := time.Since(start)
	t.Logf("approve all %d: %v", n, took)
	if got := followFlash(t, b, p); !strings.HasPrefix(got, "1000 registrations approved: Bulk Delegate 0001, Bulk Delegate 0002,") || !strings.HasSuffix(got, ", Bulk Delegate 0050, and 950 more") {
		t.Errorf("flash = %q", got)
	}
	var approved int
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM registrations WHERE organisation_id = $1 AND state = 'approved'`, fx.sm).Scan(&approved); err != nil || approved != n {
		t.Fatalf("%d approved (%v)", approved, err)
	}
	var events, mails int
	_ = fx.ts.db.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM audit_events WHERE action = 'registration.approve'),
		(SELECT count(*) FROM mail_outbox WHERE kind = $1)`, postgres.MailRegistrationApproved).Scan(&events, &mails)
	if events != n || mails != n {
		t.Errorf("%d audit events and %d mails, want %d each", events, mails, n)
	}
	if took > 10*time.Second { // 2 s is the target without -race; the race detector slows it several times
		t.Errorf("approving %d took %v", n, took)
	}
}

func TestFocalPointOfSeveralOrganisations(t *testing.T) {
	fx := newListsFixture(t)
	ctx := context.Background()
	palestine := fx.orgID("State of Palestine")
	other := fx.orgID("Université de Genève")
	if _, err := fx.ts.db.Pool.Exec(ctx, `INSERT INTO focal_points (organisation_id, account_id) VALUES ($1, $2)`, palestine, fx.account(focalSM).ID); err != nil {
		t.Fatal(err)
	}
	jose := fx.register(fx.account(delegateSM), domain.InPerson, true)
	amal := fx.register(fx.colleague(palestine, "Amal", "Haddad", domain.Female), domain.Remote, true)
	fx.register(fx.colleague(other, "Léa", "Favre", domain.Female), domain.Remote, true)

	b := fx.as(focalSM)
	d := b.get("/focal").doc(t)
	if got := len(rowIDs(d)); got != 2 {
		t.Fatalf("%d rows, want the 2 of the focal point's organisations", got)
	}
	if got := texts(d.Find(`select#organisation option`)); got != "Any organisation|Example Networks Ltd.|State of Palestine" {
		t.Errorf("organisation filter = %q", got)
	}
	if got := text(testid(d, "reg-"+idStr(amal)).Find(`[data-testid="organisation"]`)); got != "State of Palestine" {
		t.Errorf("organisation column = %q", got)
	}
	d = b.get("/focal?organisation=" + idStr(palestine)).doc(t)
	if got := rowIDs(d); len(got) != 1 || got[0] != idStr(amal) {
		t.Errorf("filtered by organisation: %v", got)
	}
	// Approving all of one organisation leaves the other's pending.
	p := b.post("/focal/decide", form("action", "approve_all", "confirm", "yes", "back", "organisation="+idStr(palestine)))
	if got := followFlash(t, b, p); got != "1 registration approved: Amal Haddad" {
		t.Errorf("flash = %q", got)
	}
	if st, _ := fx.state(jose); st != domain.Pending {
		t.Errorf("the other organisation's registration is %s", st)
	}
	// The registration form offers the organisations to choose from, and each one's colleagues.
	d = b.get("/focal/register?organisation=" + idStr(palestine)).doc(t)
	if got := texts(d.Find(`select#account_id option`)); !strings.Contains(got, "Amal Haddad") || strings.Contains(got, "José") {
		t.Errorf("colleagues = %q", got)
	}
}

func TestFocalListSortsAndShowsTheMeetingByTitle(t *testing.T) {
	fx := newListsFixture(t)
	// Registered in this order: Colleague Zed, Colleague Amy, Colleague Max (the last approved).
	zed := fx.register(fx.colleague(fx.sm, "Zed", "Zulu", domain.NotStated), domain.Remote, false)
	amy := fx.register(fx.colleague(fx.sm, "Amy", "Alpha", domain.NotStated), domain.Remote, false)
	max := fx.register(fx.colleague(fx.sm, "Max", "Mike", domain.NotStated), domain.Remote, false)
	if _, err := fx.ts.db.Pool.Exec(context.Background(), `UPDATE registrations SET created_at = created_at + (id - $1) * interval '1 minute' WHERE id IN ($1, $2, $3)`, zed, amy, max); err != nil {
		t.Fatal(err)
	}
	b := fx.as(focalSM)
	wantStatus(t, b.post("/focal/decide", form("action", "approve", "only", idStr(max))), http.StatusSeeOther)
	for sort, want := range map[string][]int64{
		"name":  {amy, max, zed},
		"date":  {max, amy, zed},
		"state": {amy, zed, max},
		"":      {amy, zed, max},
	} {
		d := b.get("/focal?sort=" + sort).doc(t)
		var want2 []string
		for _, id := range want {
			want2 = append(want2, idStr(id))
		}
		if got := strings.Join(rowIDs(d), ","); got != strings.Join(want2, ",") {
			t.Errorf("sort=%q: rows %s, want %s", sort, got, strings.Join(want2, ","))
		}
		if sort != "" {
			// The order is kept by the links that keep the filter.
			if v, _ := d.Find(`select#sort option[selected]`).Attr("value"); v != sort {
				t.Errorf("sort=%q: the form shows %q", sort, v)
			}
		}
	}
	// An unknown order is the default.
	wantStatus(t, b.get("/focal?sort=id;drop"), http.StatusOK)
	d := b.get("/focal").doc(t)
	meeting := testid(d, "reg-"+idStr(zed)).Find(`[data-testid="meeting"]`)
	if got := text(meeting); strings.Contains(got, fx.demoSlug) || !strings.Contains(got, "Meetings of Working Parties") {
		t.Errorf("meeting cell = %q, want its title and dates", got)
	}
	if got := text(meeting.Find(`[data-testid="meeting-dates"]`)); got == "" {
		t.Error("no meeting dates")
	}
	if got := text(testid(d, "reg-"+idStr(zed)).Find(`[data-testid="organisation"]`)); got != orgSM {
		t.Errorf("organisation = %q", got)
	}
	// The select-all control is in the page, hidden until its script shows it.
	if w := testid(d, "select-all-wrap"); w.Length() != 1 || w.AttrOr("hidden", "x") == "x" {
		t.Error("no hidden select-all control")
	}
	if src, _ := d.Find(`script[src^="/static/select-all.js"]`).Attr("src"); src == "" {
		t.Error("no select-all script")
	}
}

func TestFocalChoosesADailyDigest(t *testing.T) {
	fx := newListsFixture(t)
	b := fx.as(focalSM)
	d := b.get("/focal").doc(t)
	if _, ok := testid(d, "mail-each").Attr("checked"); !ok {
		t.Error("one mail per request is not the default")
	}
	p := b.post("/focal/mail", form("mail", "daily", "digest_at", "25:00"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d = p.doc(t)
	if got := text(testid(d, "error-digest_at")); !strings.Contains(got, "08:00") {
		t.Errorf("message beside the time = %q", got)
	}
	if v, _ := d.Find("#digest_at").Attr("value"); v != "25:00" {
		t.Errorf("what was typed is lost: %q", v)
	}
	var n int
	_ = fx.ts.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM focal_mail_prefs`).Scan(&n)
	if n != 0 {
		t.Fatal("a refused form changed the preference")
	}
	p = b.post("/focal/mail", form("mail", "daily", "digest_at", "07:30"))
	if got := followFlash(t, b, p); got != "You will get a daily digest at 07:30, in each meeting's time zone." {
		t.Errorf("flash = %q", got)
	}
	d = b.get("/focal").doc(t)
	if _, ok := testid(d, "mail-daily").Attr("checked"); !ok {
		t.Error("the daily digest is not shown as chosen")
	}
	if v, _ := d.Find("#digest_at").Attr("value"); v != "07:30" {
		t.Errorf("time shown = %q", v)
	}
	p = b.post("/focal/mail", form("mail", "each"))
	if got := followFlash(t, b, p); got != "You will get one mail per request." {
		t.Errorf("flash = %q", got)
	}
	// Only focal points have the form.
	wantStatus(t, fx.as(delegateSM).post("/focal/mail", form("mail", "daily", "digest_at", "07:30")), http.StatusForbidden)
}
