package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode"
)

// Passport data are asked in Latin script, as the machine-readable zone prints them: a field in
// another script is refused beside it with nothing typed lost; a name in another script may be
// given besides, shown on the pages beside the Latin one and never in the letter.
func TestPassportDataInLatinScript(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	del := vs.browser()
	del.login("delegate.ms@plenary.test")
	f := vs.passportForm("张伟")
	f.Set("birth_place", "上海")
	f.Set("passport_name_native", "张伟")
	p := del.post(vs.registerPath(), f)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d := p.doc(t)
	for _, field := range []string{"passport_name", "birth_place"} {
		if got := text(d.Find("#" + field + "-error")); !strings.Contains(got, "BEIJING") { // the account reads Chinese
			t.Errorf("%s: message %q", field, got)
		}
	}
	if got := text(d.Find("#passport_name_native-error")); got != "" {
		t.Errorf("the name in another script refused: %q", got)
	}
	if v, _ := d.Find("#passport_name").Attr("value"); v != "张伟" {
		t.Errorf("typed name lost: %q", v)
	}
	if _, ok := d.Find(`#representation option[selected]`).Attr("value"); !ok {
		t.Error("the chosen representation is lost")
	}
	if vs.visaCount() != 0 {
		t.Fatal("a refused form stored a request")
	}

	f.Set("passport_name", "ZHANG WEI")
	f.Set("birth_place", "SHANGHAI")
	f.Set("representation", itoa(vs.representation("Shanghai")))
	wantStatus(t, del.post(vs.registerPath(), f), http.StatusSeeOther)
	id, reg, _ := vs.visaOf("delegate.ms@plenary.test")
	p = del.get("/registrations/" + itoa(reg) + "/visa")
	if got := text(testid(p.doc(t), "passport-native-name")); got != "(张伟)" {
		t.Errorf("native name on the visa page %q", got)
	}
	vs.approve("focal.ms@plenary.test", reg)
	sec := vs.browser()
	sec.login(secretariat)
	if got := text(testid(sec.get(vs.queuePath()).doc(t), "visa-"+itoa(id)).Find(`[data-testid="passport-native-name"]`)); got != "(张伟)" {
		t.Errorf("native name in the queue %q", got)
	}
	wantStatus(t, sec.post(vs.queuePath()+"/issue", form("id", itoa(id))), http.StatusSeeOther)
	p = del.get("/visas/" + itoa(id) + "/letter.pdf")
	wantStatus(t, p, http.StatusOK)
	txt := pdfText(t, []byte(p.body))
	if !strings.Contains(txt, "To: Consulate General of Switzerland, Shanghai, China") || !strings.Contains(txt, "ZHANG WEI") {
		t.Errorf("letter:\n%s", txt)
	}
	for _, r := range txt {
		if r > 0x7f && !unicode.Is(unicode.Latin, r) && !unicode.IsPunct(r) && !unicode.IsSpace(r) && r != '·' {
			t.Errorf("the English letter holds %q (%U):\n%s", r, r, txt)
			break
		}
	}
}

// The secretariat keeps the list of representations; one no longer offered is not in the form,
// and cannot be chosen by a form sent anyway.
func TestRepresentationsList(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	sec := vs.browser()
	sec.login(secretariat)
	p := sec.get("/secretariat/representations")
	wantStatus(t, p, http.StatusOK)
	if n := testid(p.doc(t), "representations").Find("tbody tr").Length(); n < 40 {
		t.Errorf("%d representations seeded", n)
	}
	p = sec.post("/secretariat/representations", form("country", "Chile", "city", "", "kind", "embassy"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if v, _ := p.doc(t).Find("#country").Attr("value"); v != "Chile" || text(p.doc(t).Find("#city-error")) == "" {
		t.Errorf("refused form: country %q, city message %q", v, text(p.doc(t).Find("#city-error")))
	}
	wantRedirect(t, sec.post("/secretariat/representations", form("country", "Chile", "city", "Santiago", "kind", "embassy")), "/secretariat/representations")
	p = sec.post("/secretariat/representations", form("country", "Chile", "city", "Santiago", "kind", "embassy"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if text(p.doc(t).Find("#city-error")) == "" {
		t.Error("a representation added twice")
	}
	santiago := vs.representation("Santiago")
	madrid := vs.representation("Madrid")
	wantStatus(t, sec.post("/secretariat/representations/"+itoa(madrid)+"/active", form("active", "false")), http.StatusSeeOther)

	del := vs.browser()
	del.login("delegate.sm@plenary.test")
	p = del.get(vs.registerPath())
	d := p.doc(t)
	if d.Find(`#representation option[value="`+itoa(santiago)+`"]`).Length() != 1 {
		t.Error("the new representation is not offered")
	}
	if d.Find(`#representation option[value="`+itoa(madrid)+`"]`).Length() != 0 {
		t.Error("a retired representation is offered")
	}
	p = del.post(vs.registerPath(), vs.passportForm("JOSE MULLER"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if text(p.doc(t).Find("#representation-error")) == "" {
		t.Error("a retired representation accepted")
	}
	wantStatus(t, del.get("/secretariat/representations"), http.StatusForbidden)
	var audits int
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE entity = 'swiss_representation'`).Scan(&audits); err != nil || audits != 2 {
		t.Errorf("%d audit events: %v", audits, err)
	}
}
