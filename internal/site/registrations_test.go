package site_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

func TestSecretariatSeesEveryRegistrationAndStatistics(t *testing.T) {
	fx := newListsFixture(t)
	jose := fx.register(fx.account(delegateSM), domain.InPerson, true)
	lina := fx.register(fx.account(delegate), domain.Remote, true)
	// A registration of the other meeting is not on this list.
	b := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo) + "/registrations"
	p := b.get(base)
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if got := strings.Join(rowIDs(d), ","); got != idStr(lina)+","+idStr(jose) && got != idStr(jose)+","+idStr(lina) {
		t.Fatalf("rows = %s, want both registrations", got)
	}
	if href, _ := testid(d, "meeting-link").Attr("href"); href != "/secretariat/meetings/"+idStr(fx.demo) {
		t.Errorf("back link = %q", href)
	}
	if got := text(testid(d, "reg-"+idStr(lina)).Find(`[data-testid="organisation"]`)); got != orgMS {
		t.Errorf("organisation = %q", got)
	}
	stats := testid(d, "statistics")
	for sel, want := range map[string]string{
		`[data-testid="mode-in_person"] [data-testid="count"]`:      "1",
		`[data-testid="mode-remote"] [data-testid="count"]`:         "1",
		`[data-testid="kind-member_state"] [data-testid="count"]`:   "1",
		`[data-testid="kind-sector_member"] [data-testid="count"]`:  "1",
		`[data-testid="country-CN"] [data-testid="count"]`:          "1",
		`[data-testid="country-FI"] [data-testid="count"]`:          "1",
		`[data-testid="gender-female"] [data-testid="count"]`:       "1",
		`[data-testid="gender-male"] [data-testid="count"]`:         "1",
		`[data-testid="stats-mode"] [data-testid="count-total"]`:    "2",
		`[data-testid="stats-country"] [data-testid="count-total"]`: "2",
	} {
		if got := text(stats.Find(sel)); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	// Filter by organisation.
	d = b.get(base + "?organisation=" + idStr(fx.ms)).doc(t)
	if got := rowIDs(d); len(got) != 1 || got[0] != idStr(lina) {
		t.Errorf("organisation filter = %v", got)
	}
	// Every live row can be cancelled, after a question, returning here.
	cancel, _ := testid(d, "reg-"+idStr(lina)).Find(`[data-testid="cancel"]`).Attr("href")
	if want := "/registrations/" + idStr(lina) + "/cancel?next=" + url.QueryEscape(base+"?organisation="+idStr(fx.ms)); cancel != want {
		t.Errorf("cancel link = %q, want %q", cancel, want)
	}

	// The secretariat approves and rejects like a focal point.
	p = b.post(base+"/decide", form("action", "approve", "id", idStr(lina), "id", idStr(jose)))
	if got := followFlash(t, b, p); !strings.HasPrefix(got, "2 registrations approved: ") || !strings.Contains(got, "José Müller-Ñúñez") {
		t.Errorf("flash = %q", got)
	}
	// A focal point has no access to the secretariat's list.
	wantStatus(t, fx.as(focalSM).get(base), http.StatusForbidden)
	wantStatus(t, b.get("/secretariat/meetings/999999/registrations"), http.StatusNotFound)
}

func TestSecretariatRejectsWithAReasonBesideTheField(t *testing.T) {
	fx := newListsFixture(t)
	jose := fx.register(fx.account(delegateSM), domain.InPerson, true)
	b := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo) + "/registrations"
	p := b.post(base+"/decide", form("action", "reject", "id", idStr(jose)))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if testid(p.doc(t), "error-reason-"+idStr(jose)).Length() != 1 {
		t.Error("no message beside the reason")
	}
	p = b.post(base+"/decide", form("action", "reject", "id", idStr(jose), "reason", "Duplicate."))
	wantRedirect(t, p, base)
	if st, reason := fx.state(jose); st != domain.Rejected || reason != "Duplicate." {
		t.Errorf("state = %s (%q)", st, reason)
	}
}

func TestSecretariatRegistersSomeoneLate(t *testing.T) {
	// Five days before the letter's meeting: the pre-registration deadline has passed.
	fx := newListsFixtureAt(t, time.Date(2025, 7, 20, 9, 0, 0, 0, time.UTC))
	letter := fx.meetingID(letterSlug)
	lina := fx.account(delegate)
	b := fx.as(secretariat)
	page := "/secretariat/meetings/" + idStr(letter) + "/registrations/new"

	p := b.get(page + "?q=delegate.ms")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	choose, ok := testid(d, "choose-"+idStr(lina.ID)).Attr("href")
	if !ok {
		t.Fatalf("the search does not find delegate.ms:\n%s", text(testid(d, "accounts")))
	}
	p = b.get(choose)
	wantStatus(t, p, http.StatusOK)
	d = p.doc(t)
	if testid(d, "late-notice").Length() != 1 {
		t.Error("no notice that the registration will be late")
	}
	// A Member State's delegate is asked the function; the letter's meeting offers no
	// interpretation nor fellowships.
	if d.Find(`#function_title`).Length() != 1 || d.Find(`#interpretation, #fellowship`).Length() != 0 {
		t.Error("the form's questions do not follow the organisation and the meeting")
	}
	p = b.post(page, form("account_id", idStr(lina.ID), "mode", "in_person", "function_title", "Engineer", "list_consent", "on"))
	wantRedirect(t, p, "/secretariat/meetings/"+idStr(letter)+"/registrations")
	if got := followFlash(t, b, p); got != "Li Na is registered and approved. It is marked late." {
		t.Errorf("flash = %q", got)
	}
	d = b.get("/secretariat/meetings/" + idStr(letter) + "/registrations").doc(t)
	if got := text(d.Find(`table[data-testid="registrations"] [data-testid="late"]`)); got != "Late" {
		t.Errorf("late mark = %q", got)
	}
	// A question that does not apply is refused.
	p = b.post(page, form("account_id", idStr(fx.account(delegateSM).ID), "mode", "remote", "function_title", "CTO"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	// (José's form does not ask it, so the message is in the summary.)
	if got := text(testid(p.doc(t), "error-summary")); !strings.Contains(got, "This applies only to delegates of Member State administrations.") {
		t.Errorf("summary = %q", got)
	}
}

func TestParticipantsListsOnlyConsentingApprovedDelegates(t *testing.T) {
	fx := newListsFixture(t)
	ctx := context.Background()
	approvedConsent := fx.register(fx.account(delegateSM), domain.InPerson, true)
	approvedNoConsent := fx.register(fx.colleague(fx.sm, "Noora", "Private", domain.Female), domain.Remote, false)
	fx.register(fx.account(delegate), domain.Remote, true) // pending
	rejected := fx.register(fx.colleague(fx.ms, "Wang", "Rejected", domain.Male), domain.Remote, true)
	chinaApproved := fx.register(fx.colleague(fx.ms, "Chen", "Jing", domain.Female), domain.Remote, true)
	sec, _, err := fx.ts.db.Actor(ctx, fx.account(secretariat).ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decideRegistrations(ctx, fx.ts.db, postgres.Audit{ActorID: sec.ID}, sec, []int64{approvedConsent, approvedNoConsent, chinaApproved}, true, "", fx.now); err != nil {
		t.Fatal(err)
	}
	if _, err := decideRegistrations(ctx, fx.ts.db, postgres.Audit{ActorID: sec.ID}, sec, []int64{rejected}, false, "No.", fx.now); err != nil {
		t.Fatal(err)
	}
	b := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo)
	p := b.get(base + "/participants")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if got := texts(testid(d, "participant").Find(`[data-testid="name"]`)); got != "Jing, Chen|Müller-Ñúñez, José" {
		t.Errorf("participants = %q", got)
	}
	if got := texts(testid(d, "group-name")); got != orgMS+" (CN)|"+orgSM+" (FI)" {
		t.Errorf("groups = %q", got)
	}
	if got := text(testid(d, "participant-count")); got != "2 participants." {
		t.Errorf("count = %q", got)
	}

	p = b.get(base + "/participants.csv")
	wantStatus(t, p, http.StatusOK)
	want := "\ufeffOrganisation,Country,Family name,Given name,Participation\r\n" +
		orgMS + ",CN,Jing,Chen,Remote\r\n" + orgSM + ",FI,Müller-Ñúñez,José,In person\r\n"
	if p.body != want {
		t.Errorf("participants.csv =\n%q\nwant\n%q", p.body, want)
	}
	p = b.get(base + "/participants.xlsx")
	wantStatus(t, p, http.StatusOK)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(p.body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) != 3 || rows[2][2] != "Müller-Ñúñez" {
		t.Errorf("participants.xlsx rows = %q (%v)", rows, err)
	}
	wantStatus(t, fx.as(focalSM).get(base+"/participants"), http.StatusForbidden)
}

func TestSecretariatExports(t *testing.T) {
	fx := newListsFixture(t)
	fx.register(fx.account(delegateSM), domain.InPerson, true)
	fx.register(fx.account(delegate), domain.Remote, true)
	b := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo) + "/registrations"
	p := b.get(base + "/export.csv")
	wantStatus(t, p, http.StatusOK)
	if n := strings.Count(p.body, "\r\n"); n != 3 {
		t.Errorf("%d lines, want 3:\n%s", n, p.body)
	}
	p = b.get(base + "/export.csv?mode=remote")
	if !strings.Contains(p.body, "delegate.ms@plenary.test") || strings.Contains(p.body, "delegate.sm@plenary.test") {
		t.Errorf("filtered export:\n%s", p.body)
	}
	p = b.get(base + "/export.xlsx")
	wantStatus(t, p, http.StatusOK)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(p.body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rows, err := f.GetRows(f.GetSheetList()[0]); err != nil || len(rows) != 3 {
		t.Errorf("rows = %q (%v)", rows, err)
	}
}

// What no browser sends and PostgreSQL cannot store (a NUL byte, invalid UTF-8) is dropped from
// the form, not turned into an error page.
func TestRegistrationFormDropsBytesTheDatabaseCannotStore(t *testing.T) {
	fx := newListsFixture(t)
	b := fx.as(delegateSM)
	p := b.post("/meetings/"+fx.demoSlug+"/register", form("mode", "remote", "accessibility", "step-free\x00 access\xff"))
	if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/me#reg-") {
		t.Fatalf("status %d, location %q: %s", p.StatusCode, p.Header.Get("Location"), p.body)
	}
	var got string
	err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT accessibility FROM registrations WHERE account_id = $1`,
		fx.account(delegateSM).ID).Scan(&got)
	if err != nil {
		t.Fatal(err)
	}
	if got != "step-free access\uFFFD" {
		t.Errorf("stored %q", got)
	}
}
