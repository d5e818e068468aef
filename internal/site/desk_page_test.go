package site_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/pdftest"
)

// The desk as a person works it: the secretariat names desk staff; the staff member types the
// confirmation's code, checks the delegate in, prints the badge and reprints it; the old badge's
// code is refused, the new one shows the person; a second check-in says when and where (in the
// desk's language: the staff member's is Chinese); someone who is not desk staff sees no desk.
func TestDeskCheckInPrintReprint(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	id := fx.register(fx.account(delegateSM), domain.InPerson, true)
	fx.approve(id)
	del := fx.as(delegateSM)
	code := text(testid(del.get("/registrations/"+idStr(id)+"/confirmation").doc(t), "conf-code"))
	desk := "/desk/" + fx.demoSlug

	wantStatus(t, fx.as(delegate).get(desk), http.StatusForbidden)
	sec := fx.as(secretariat)
	p := sec.post("/secretariat/meetings/"+idStr(fx.demo)+"/desk-staff", form("email", "nobody@example.org"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if !strings.Contains(p.body, "There is no account with this email.") {
		t.Error("unknown email not said beside the field")
	}
	wantStatus(t, sec.post("/secretariat/meetings/"+idStr(fx.demo)+"/desk-staff", form("email", delegate)), http.StatusSeeOther)
	staff := fx.as(delegate)
	wantStatus(t, staff.post(desk+"/name", form("desk", "Desk 3")), http.StatusSeeOther)

	// The code as a USB scanner types it.
	p = staff.get(desk + "?q=" + url.QueryEscape(strings.ToLower(code)))
	if p.StatusCode == 500 {
		t.Log(fx.ts.log.String())
	}
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if got := text(testid(d, "desk-reference")); got != domain.RegistrationReference(fx.demoSlug, id) {
		t.Fatalf("person found by code: reference %q", got)
	}
	// The country by its name in the desk's language (the staff member's is Chinese), not its code.
	var country string
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT o.country FROM registrations r JOIN organisations o ON o.id = r.organisation_id
		WHERE r.id = $1`, id).Scan(&country); err != nil || country == "" {
		t.Fatalf("the delegate's country %q: %v", country, err)
	}
	countryName := catalogue(t).For("zh").Country(country)
	if got := text(testid(d, "desk-organisation")); !strings.Contains(got, "（"+countryName+"）") || strings.Contains(got, "(") || countryName == country {
		t.Errorf("desk organisation %q, want the country named %q in full-width brackets", got, countryName)
	}
	if testid(d, "id-check").Length() != 1 {
		t.Error("no ID check due before the first badge")
	}
	codeField, _ := d.Find(`[data-testid="desk-check-in"]`).Parent().Find(`input[name="code"]`).Attr("value")
	wantStatus(t, staff.post(desk+"/check-in", form("registration", idStr(id), "code", codeField)), http.StatusSeeOther)
	d = staff.get(desk + "?reg=" + idStr(id)).doc(t)
	if got := text(testid(d, "desk-checked-in")); !strings.Contains(got, "Desk 3") {
		t.Errorf("checked in: %q", got)
	}
	// A second check-in (another desk) is refused, saying when and where.
	p = staff.post(desk+"/check-in", form("registration", idStr(id)))
	wantStatus(t, p, http.StatusConflict)
	if got := text(testid(p.doc(t), "desk-refusal")); !strings.Contains(got, "Desk 3") {
		t.Errorf("second check-in: %q", got)
	}

	badgeCode := func(round int) (string, string) {
		t.Helper()
		p := staff.post(desk+"/badge", form("registration", idStr(id)))
		wantStatus(t, p, http.StatusSeeOther)
		loc := p.Header.Get("Location")
		href, _ := testid(staff.get(loc).doc(t), "badge-pdf").Attr("href")
		pdf := staff.get(href)
		wantStatus(t, pdf, http.StatusOK)
		body := []byte(pdf.body)
		if txt := pdftest.Text(t, body); !strings.Contains(txt, "No. "+string(rune('0'+round))) || !strings.Contains(txt, countryName) {
			t.Errorf("badge %d text: %s", round, txt)
		}
		codes := pdftest.QRCodes(t, body)
		if len(codes) != 1 {
			t.Fatalf("badge %d QR codes %q", round, codes)
		}
		return codes[0], href
	}
	first, firstHref := badgeCode(1)
	second, _ := badgeCode(2)
	keys, err := fx.ts.db.DeskKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := domain.VerifyToken(keys.Public, second, fx.now); err != nil || tok.Kind != domain.BadgeToken || tok.Serial != 2 {
		t.Errorf("reprinted badge's code: %+v %v", tok, err)
	}
	p = staff.get(desk + "?q=" + url.QueryEscape(first))
	if got := text(testid(p.doc(t), "desk-refusal")); !strings.Contains(got, "撤销") {
		t.Errorf("old badge's code: %q", got)
	}
	wantStatus(t, staff.get(firstHref), http.StatusConflict)
	if p := staff.get(desk + "?q=" + url.QueryEscape(second)); testid(p.doc(t), "desk-refusal").Length() != 0 {
		t.Errorf("new badge's code refused: %s", text(testid(p.doc(t), "desk-refusal")))
	}
	// By name.
	if d := staff.get(desk + "?q=" + url.QueryEscape(fx.account(delegateSM).FamilyName)).doc(t); testid(d, "desk-person").Length()+testid(d, "desk-matches").Length() == 0 {
		t.Error("name search found nothing")
	}

	if n := deskCount(t, fx, `SELECT count(*) FROM audit_events WHERE action = 'badge.print' AND entity_id = $1 AND detail->>'desk' = 'Desk 3'`, id); n != 2 {
		t.Errorf("%d badge events with the desk, want 2", n)
	}
}

func deskCount(t *testing.T, fx *listsFixture, q string, args ...any) int {
	t.Helper()
	var n int
	if err := fx.ts.db.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
