package site_test

import (
	"net/http"
	"strings"
	"testing"
)

// The secretariat's devices page: a device without a name is refused beside the field, in the
// reader's language; a name gives a one-time code shown once on the page, which a device then
// exchanges through the API; the device is listed as active, and once revoked its token is
// refused. The page is the secretariat's alone, and linked from the meeting's overview.
func TestDevicesPage(t *testing.T) {
	t.Parallel()
	fx := newAPIFixture(t)
	path := "/secretariat/meetings/" + idStr(fx.demo) + "/devices"
	b := fx.as(secretariat)
	if href, ok := testid(b.get("/secretariat/meetings/"+idStr(fx.demo)).doc(t), "devices-link").Attr("href"); !ok || href != path {
		t.Errorf("the overview links to %q", href)
	}
	p := b.get(path)
	wantStatus(t, p, http.StatusOK)
	if rows := testid(p.doc(t), "devices").Find("tbody tr").Length(); rows != 1 {
		t.Errorf("%d devices listed, want the fixture's one", rows)
	}

	wantStatus(t, b.post("/language", form("lang", "fr", "next", "/")), http.StatusSeeOther)
	p = b.post(path, form("name", "   "))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d := p.doc(t)
	if msg, want := text(d.Find(".field.has-error")), strings.Join(strings.Fields(fx.ts.cat.For("fr").T("device.name_required")), " "); !strings.Contains(msg, want) {
		t.Errorf("the name's message beside the field: %q", msg)
	}
	long := strings.Repeat("x", 81)
	p = b.post(path, form("name", long))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if v, _ := p.doc(t).Find("input#name").Attr("value"); v != long {
		t.Errorf("the typed name is lost: %q", v)
	}

	p = b.post(path, form("name", "Salle 2"))
	wantStatus(t, p, http.StatusOK)
	d = p.doc(t)
	code := text(testid(d, "device-code-text"))
	if len(code) != 11 || !strings.Contains(text(testid(d, "device-code")), "Salle 2") {
		t.Fatalf("the code shown: %q", text(testid(d, "device-code")))
	}
	if again := b.get(path); strings.Contains(again.body, code) {
		t.Error("the code is shown again")
	}
	anon := &deviceClient{t: t, base: fx.ts.srv.URL}
	a := anon.do("POST", "/api/desk/register", map[string]string{"code": code, "name": "Phone"})
	if a.status != http.StatusCreated {
		t.Fatalf("the page's code does not register: %d %s", a.status, a.raw)
	}
	var reg struct {
		Token  string `json:"token"`
		Device int64  `json:"device"`
	}
	a.decode(t, &reg)
	row := testid(b.get(path).doc(t), "device-"+idStr(reg.Device))
	if st, _ := row.Find(`[data-testid="device-state"]`).Attr("data-state"); st != "active" || !strings.Contains(text(row), "Phone") {
		t.Errorf("the registered device's row: %q (%s)", text(row), st)
	}
	dev := &deviceClient{t: t, base: fx.ts.srv.URL, token: reg.Token}
	if a := dev.do("GET", "/api/desk/meeting", nil); a.status != http.StatusOK {
		t.Fatalf("the device's token: %d", a.status)
	}
	wantRedirect(t, b.post(path+"/"+idStr(reg.Device)+"/revoke", nil), path)
	if st, _ := testid(b.get(path).doc(t), "device-"+idStr(reg.Device)).Find(`[data-testid="device-state"]`).Attr("data-state"); st != "revoked" {
		t.Errorf("state after revoking: %q", st)
	}
	if a := dev.do("GET", "/api/desk/meeting", nil); a.status != http.StatusUnauthorized {
		t.Errorf("a revoked device's token: %d", a.status)
	}
	if n := fx.count(`SELECT count(*) FROM audit_events WHERE entity = 'device' AND entity_id = $1 AND action = 'device.revoke' AND actor_id = $2`, reg.Device, fx.sec.ID); n != 1 {
		t.Errorf("%d revocations audited as the secretariat's", n)
	}

	staff := fx.as(delegateSM)
	if p := staff.get(path); p.StatusCode != http.StatusForbidden {
		t.Errorf("a delegate sees the devices: %d", p.StatusCode)
	}
}
