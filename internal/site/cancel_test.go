package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"plenary/internal/domain"
)

// cancelledBy returns who a registration's cancellation is recorded as made by.
func (fx *listsFixture) cancelledBy(id int64) *int64 {
	fx.t.Helper()
	var by *int64
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT cancelled_by FROM registrations WHERE id = $1`, id).Scan(&by); err != nil {
		fx.t.Fatal(err)
	}
	return by
}

func TestDelegateCancelsOnlyAfterConfirming(t *testing.T) {
	fx := newListsFixture(t)
	jose := fx.account(delegateSM)
	id := fx.register(jose, domain.InPerson, true)
	b := fx.as(delegateSM)

	// /me offers a link to the question, not a button that cancels.
	d := b.get("/me").doc(t)
	link := testid(d, "cancel-registration")
	href, _ := link.Attr("href")
	if want := "/registrations/" + idStr(id) + "/cancel?next=%2Fme"; href != want || goquery.NodeName(link) != "a" {
		t.Fatalf("cancel on /me = <%s href=%q>, want a link to %q", goquery.NodeName(link), href, want)
	}
	p := b.get(href)
	wantStatus(t, p, http.StatusOK)
	d = p.doc(t)
	if got := text(d.Find("h1")); got != "Cancel your registration?" {
		t.Errorf("title = %q", got)
	}
	effects := text(testid(d, "cancel-effects"))
	for _, want := range []string{
		"You will no longer be registered for this meeting.",
		"There is no visa support letter request with this registration.",
		"The focal points of " + orgSM + " are told by email.",
	} {
		if !strings.Contains(effects, want) {
			t.Errorf("effects %q lack %q", effects, want)
		}
	}
	if testid(d, "effect-confirmation").Length() != 0 {
		t.Error("a pending registration's page speaks of its confirmation")
	}
	if keep, _ := testid(d, "cancel-keep").Attr("href"); keep != "/me" {
		t.Errorf("keep returns to %q", keep)
	}

	// A post without the confirmation asks again and changes nothing.
	p = b.post("/registrations/"+idStr(id)+"/cancel", form("next", "/me"))
	wantStatus(t, p, http.StatusOK)
	if testid(p.doc(t), "cancel-confirm-form").Length() != 1 {
		t.Error("an unconfirmed post is not asked to confirm")
	}
	if st, _ := fx.state(id); st != domain.Pending {
		t.Fatalf("an unconfirmed post cancelled: %s", st)
	}

	p = b.post("/registrations/"+idStr(id)+"/cancel", form("next", "/me", "confirm", "yes"))
	if got := followFlash(t, b, p); got != "The registration was cancelled." {
		t.Errorf("flash = %q", got)
	}
	if st, _ := fx.state(id); st != domain.Cancelled {
		t.Fatalf("state = %s", st)
	}
	if by := fx.cancelledBy(id); by == nil || *by != jose.ID {
		t.Errorf("cancelled_by = %v, want the owner %d", by, jose.ID)
	}
	d = b.get("/me").doc(t)
	if got := text(testid(d, "my-state")); got != "Cancelled by you" {
		t.Errorf("owner sees %q", got)
	}
	if testid(d, "my-decider").Length() != 0 {
		t.Error("a cancelled registration names a decider")
	}
	// The focal point reads who cancelled it.
	d = fx.as(focalSM).get("/focal?state=cancelled").doc(t)
	if got := text(testid(d, "reg-"+idStr(id)).Find(`[data-testid="cancelled-by"]`)); got != "Cancelled by the delegate" {
		t.Errorf("focal point sees %q", got)
	}
	// Asked again, the page says it is already cancelled.
	p = b.get(href)
	if got := followFlash(t, b, p); !strings.Contains(got, "Cancelled") {
		t.Errorf("cancelling twice: flash %q", got)
	}
	// Someone else's registration is not there at all.
	lina := fx.register(fx.account(delegate), domain.Remote, true)
	wantStatus(t, b.get("/registrations/"+idStr(lina)+"/cancel"), http.StatusNotFound)
	wantStatus(t, b.post("/registrations/"+idStr(lina)+"/cancel", form("confirm", "yes")), http.StatusNotFound)
	if st, _ := fx.state(lina); st != domain.Pending {
		t.Errorf("another's registration is %s", st)
	}
}

func TestFocalPointCancelsAfterConfirming(t *testing.T) {
	fx := newListsFixture(t)
	id := fx.register(fx.account(delegateSM), domain.Remote, true)
	b := fx.as(focalSM)
	wantStatus(t, b.post("/focal/decide", form("action", "approve", "only", idStr(id))), http.StatusSeeOther)

	d := b.get("/focal").doc(t)
	href, _ := testid(d, "reg-"+idStr(id)).Find(`[data-testid="cancel"]`).Attr("href")
	if want := "/registrations/" + idStr(id) + "/cancel?next=%2Ffocal"; href != want {
		t.Fatalf("cancel link = %q, want %q", href, want)
	}
	d = b.get(href).doc(t)
	if got := text(d.Find("h1")); !strings.HasPrefix(got, "Cancel the registration of José") {
		t.Errorf("title = %q", got)
	}
	if testid(d, "effect-confirmation").Length() != 1 {
		t.Error("an approved registration's page does not say its confirmation stops being valid")
	}
	// The focal point is the organisation's only one: nobody else is mailed, and the page does
	// not say otherwise.
	if testid(d, "effect-mail").Length() != 0 {
		t.Errorf("mail effect = %q", text(testid(d, "effect-mail")))
	}
	p := b.post("/registrations/"+idStr(id)+"/cancel", form("next", "/focal", "confirm", "yes"))
	wantRedirect(t, p, "/focal")
	if st, _ := fx.state(id); st != domain.Cancelled {
		t.Fatalf("state = %s", st)
	}
	fp := fx.account(focalSM)
	d = fx.as(delegateSM).get("/me").doc(t)
	if got := text(testid(d, "my-state")); got != "Cancelled by "+fp.Name() {
		t.Errorf("owner sees %q", got)
	}
	if testid(d, "my-decider").Length() != 0 {
		t.Error("a cancelled registration names its last decider")
	}
}

func TestCancellingWithdrawsTheVisaRequestAndSaysSo(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	del := vs.browser()
	del.login(delegateSM)
	wantStatus(t, del.post(vs.registerPath(), vs.passportForm("José Müller-Ñúñez")), http.StatusSeeOther)
	_, reg, _ := vs.visaOf(delegateSM)
	vs.approve(focalSM, reg)

	p := del.get("/registrations/" + itoa(reg) + "/cancel?next=/me")
	wantStatus(t, p, http.StatusOK)
	got := text(testid(p.doc(t), "effect-visa"))
	if !strings.Contains(got, "(state: Being processed) is withdrawn") {
		t.Errorf("visa effect = %q", got)
	}
	if _, _, st := vs.visaOf(delegateSM); st != "processing" {
		t.Fatalf("asking changed the visa request: %s", st)
	}
	wantStatus(t, del.post("/registrations/"+itoa(reg)+"/cancel", form("next", "/me", "confirm", "yes")), http.StatusSeeOther)
	if _, _, st := vs.visaOf(delegateSM); st != "withdrawn" {
		t.Errorf("visa request is %s after the cancellation", st)
	}
}
