package site_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A delegate changes their answers from /me: a mistake comes back beside its field with what was
// typed and nothing saved; a save says what changed, keeps the decision, and is audited; nobody
// who may not see the registration reaches it; a cancelled registration's answers are closed.
func TestEditMyRegistration(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	// The Member State's delegate reads the portal in Chinese (their account's language).
	const delegateMS = "delegate.ms@plenary.test"
	del := fx.as(delegateMS)
	wantStatus(t, del.post("/meetings/"+fx.demoSlug+"/register", form("mode", "remote", "function_title", "Counsellor")), http.StatusSeeOther)
	var id int64
	var state string
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT r.id, r.state FROM registrations r JOIN accounts a ON a.id = r.account_id
		WHERE a.email = $1 AND r.meeting_id = $2`, delegateMS, fx.demo).Scan(&id, &state); err != nil {
		t.Fatal(err)
	}
	path := "/registrations/" + idStr(id) + "/edit"
	if href, _ := testid(del.get("/me").doc(t), "edit-registration").Attr("href"); href != path {
		t.Errorf("the edit link on /me is %q, want %q", href, path)
	}
	vals := formValues(t, del.get(path).doc(t), `form[data-testid="registration-edit-form"]`)
	if vals.Get("function_title") != "Counsellor" || vals.Has("list_consent") {
		t.Errorf("the form shows %v, want the answers given", vals)
	}

	// A mistake: the summary names the field, the message is beside it, all typed is kept.
	vals.Set("function_title", strings.Repeat("x", 201))
	vals.Set("accessibility", "Step-free access to the rooms")
	p := del.post(path, vals)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d := p.doc(t)
	if testid(d, "error-function_title").Length() != 1 {
		t.Error("no message beside the function")
	}
	if label, line := text(d.Find(`label[for="function_title"]`)), text(testid(d, "error-summary").Find("a")); label == "" || !strings.HasPrefix(line, label+"：") {
		t.Errorf("the summary's line %q does not name the field %q", line, label)
	}
	if got := text(d.Find(`textarea[name="accessibility"]`)); got != "Step-free access to the rooms" {
		t.Errorf("the typed accessibility needs came back as %q", got)
	}
	var fn, acc string
	var consent bool
	read := func() {
		t.Helper()
		if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT function_title, accessibility, list_consent, state FROM registrations WHERE id = $1`, id).Scan(&fn, &acc, &consent, &state); err != nil {
			t.Fatal(err)
		}
	}
	read()
	if fn != "Counsellor" || acc != "" {
		t.Errorf("a refused save changed the registration: %q %q", fn, acc)
	}

	// Saved: the flash names what changed; the decision stands; one audit event.
	before := state
	vals.Set("function_title", "Minister Counsellor")
	vals.Set("list_consent", "on")
	if got := followFlash(t, del, del.post(path, vals)); got != "您的注册已保存：职务或头衔、无障碍需求、同意列入名单。" {
		t.Errorf("flash %q", got)
	}
	read()
	if fn != "Minister Counsellor" || acc != "Step-free access to the rooms" || !consent || state != before {
		t.Errorf("saved %q %q %v %s (state before %s)", fn, acc, consent, state, before)
	}
	var audits int
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'registration.edit' AND entity_id = $1
		AND detail->'fields' ? 'list_consent'`, id).Scan(&audits); err != nil || audits != 1 {
		t.Errorf("%d audit events (%v)", audits, err)
	}
	if got := followFlash(t, del, del.post(path, vals)); got != "您的注册没有任何修改。" {
		t.Errorf("unchanged save flash %q", got)
	}

	// The registration's history on /me is in the meeting's time zone, named.
	me := del.get("/me").doc(t)
	if got := text(testid(me, "my-history-zone")); !strings.Contains(got, "Europe/Zurich") {
		t.Errorf("the history's zone note = %q", got)
	}
	loc, _ := time.LoadLocation("Europe/Zurich")
	var created time.Time
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT min(at) FROM audit_events WHERE entity = 'registration' AND entity_id = $1`, id).Scan(&created); err != nil {
		t.Fatal(err)
	}
	if got, want := text(testid(me, "my-history").Find("time").First()), created.In(loc).Format("15:04")+"（"+gmtOffset(created.In(loc))+"）"; !strings.HasSuffix(got, want) {
		t.Errorf("the history's first time reads %q, want it to end with %q", got, want)
	}

	// Someone who may not see it: not found, nothing changed.
	other := fx.as(delegateSM)
	wantStatus(t, other.get(path), http.StatusNotFound)
	wantStatus(t, other.post(path, form("accessibility", "x")), http.StatusNotFound)
	read()
	if acc != "Step-free access to the rooms" {
		t.Errorf("another delegate changed it: %q", acc)
	}

	// A Sector Member's delegate is not asked the function: what is sent for it is ignored.
	sm := fx.as(delegateSM)
	wantStatus(t, sm.post("/meetings/"+fx.demoSlug+"/register", form("mode", "remote")), http.StatusSeeOther)
	var smID int64
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT r.id FROM registrations r JOIN accounts a ON a.id = r.account_id
		WHERE a.email = $1 AND r.meeting_id = $2`, delegateSM, fx.demo).Scan(&smID); err != nil {
		t.Fatal(err)
	}
	smPath := "/registrations/" + idStr(smID) + "/edit"
	if sm.get(smPath).doc(t).Find(`[name="function_title"]`).Length() != 0 {
		t.Error("a Sector Member's delegate is asked the function")
	}
	wantStatus(t, sm.post(smPath, form("function_title", "CEO", "list_consent", "on")), http.StatusSeeOther)
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT function_title, list_consent FROM registrations WHERE id = $1`, smID).Scan(&fn, &consent); err != nil || fn != "" || !consent {
		t.Errorf("Sector Member's registration: function %q consent %v (%v)", fn, consent, err)
	}

	// Cancelled: the page says why, a save is refused and changes nothing.
	wantStatus(t, del.post("/registrations/"+idStr(id)+"/cancel", form("next", "/me", "confirm", "yes")), http.StatusSeeOther)
	if got := text(testid(del.get(path).doc(t), "edit-closed")); !strings.Contains(got, "已取消") {
		t.Errorf("closed notice %q", got)
	}
	p = del.post(path, form("function_title", "Ambassador"))
	wantStatus(t, p, http.StatusConflict)
	read()
	if fn != "Minister Counsellor" {
		t.Errorf("a cancelled registration's function changed to %q", fn)
	}
}

// gmtOffset is a time's offset from UTC as CLDR's localized GMT format writes it in Chinese
// ("GMT+1", "GMT+5:30"), as the pages name the meeting's zone.
func gmtOffset(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	if off%3600 == 0 {
		return fmt.Sprintf("GMT%s%d", sign, off/3600)
	}
	return fmt.Sprintf("GMT%s%d:%02d", sign, off/3600, off%3600/60)
}
