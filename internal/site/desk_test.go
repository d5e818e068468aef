package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/pdftest"
	"plenary/internal/postgres"
)

// approve has the secretariat approve a registration (when it is pending).
func (fx *listsFixture) approve(id int64) {
	fx.t.Helper()
	ctx := context.Background()
	sec := fx.account(secretariat)
	actor, _, err := fx.ts.db.Actor(ctx, sec.ID)
	if err != nil {
		fx.t.Fatal(err)
	}
	if st, _ := fx.state(id); st == domain.Approved {
		return
	}
	if res, err := decideRegistrations(ctx, fx.ts.db, postgres.Audit{ActorID: sec.ID}, actor, []int64{id}, true, "", fx.now); err != nil || len(res.Done) != 1 {
		fx.t.Fatalf("approve %d: %v %v", id, res, err)
	}
}

// An approved in-person registration's confirmation is linked from /me, printable, and a PDF
// whose QR code holds the same signed token, which verifies with the portal's key; another
// delegate does not see it; a pending one has none.
func TestConfirmationPageAndPDF(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	id := fx.register(fx.account(delegateSM), domain.InPerson, true)
	b := fx.as(delegateSM)
	if d := b.get("/me").doc(t); testid(d, "confirmation-link").Length() != 0 {
		if st, _ := fx.state(id); st != domain.Approved {
			t.Error("a pending registration offers a confirmation")
		}
	}
	fx.approve(id)
	d := b.get("/me").doc(t)
	if href, _ := testid(d, "confirmation-link").Find("a").Attr("href"); href != "/registrations/"+idStr(id)+"/confirmation" {
		t.Fatalf("confirmation link %q", href)
	}
	p := b.get("/registrations/" + idStr(id) + "/confirmation")
	wantStatus(t, p, http.StatusOK)
	d = p.doc(t)
	ref := domain.RegistrationReference(fx.demoSlug, id)
	if got := text(testid(d, "conf-reference")); got != ref {
		t.Errorf("reference %q, want %q", got, ref)
	}
	code := text(testid(d, "conf-code"))
	if d.Find("svg.qr path").Length() != 1 || !strings.HasPrefix(code, domain.TokenPrefix) {
		t.Fatalf("no QR code or code on the page (code %q)", code)
	}
	keys, err := fx.ts.db.DeskKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := domain.VerifyToken(keys.Public, code, fx.now)
	if err != nil || tok.Registration != id || tok.Mode != domain.InPerson {
		t.Fatalf("the page's code: %+v %v", tok, err)
	}

	pdf := b.get("/registrations/" + idStr(id) + "/confirmation.pdf")
	wantStatus(t, pdf, http.StatusOK)
	if ct, cd := pdf.Header.Get("Content-Type"), pdf.Header.Get("Content-Disposition"); ct != "application/pdf" || !strings.HasPrefix(cd, "attachment") {
		t.Errorf("PDF served as %q, %q", ct, cd)
	}
	body := []byte(pdf.body)
	text := pdftest.Text(t, body)
	for _, want := range []string{"Registration confirmation", ref, "Montbrillant"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	codes := pdftest.QRCodes(t, body)
	if len(codes) != 1 || codes[0] != code {
		t.Fatalf("the PDF's QR codes %q, want the page's code", codes)
	}

	other := fx.as(delegate)
	wantStatus(t, other.get("/registrations/"+idStr(id)+"/confirmation"), http.StatusNotFound)
	wantStatus(t, other.get("/registrations/"+idStr(id)+"/confirmation.pdf"), http.StatusNotFound)
}

// A remote registration's confirmation gives the remote-participation details and no code.
func TestConfirmationRemote(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	id := fx.register(fx.account(delegateSM), domain.Remote, true)
	fx.approve(id)
	b := fx.as(delegateSM)
	p := b.get("/registrations/" + idStr(id) + "/confirmation")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if testid(d, "conf-remote").Length() != 1 || testid(d, "conf-code").Length() != 0 || d.Find("svg.qr").Length() != 0 {
		t.Error("the remote confirmation has a code or lacks the remote details")
	}
	pdf := b.get("/registrations/" + idStr(id) + "/confirmation.pdf")
	wantStatus(t, pdf, http.StatusOK)
	if codes := pdftest.QRCodes(t, []byte(pdf.body)); len(codes) != 0 {
		t.Errorf("remote PDF has QR codes %q", codes)
	}
	if n := 0; fx.ts.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM desk_tokens WHERE registration_id = $1`, id).Scan(&n) != nil || n != 0 {
		t.Errorf("%d tokens issued for a remote registration", n)
	}
}
