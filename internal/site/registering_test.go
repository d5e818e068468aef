package site_test

import (
	"net/http"
	"strings"
	"testing"
)

// A visitor who follows Register is asked to sign in or create an account and comes back; the
// form's error summary names each field; switching language keeps what was typed; the meeting
// page then shows the person's own status instead of Register.
func TestRegisteringFromTheMeetingPage(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	meeting := "/meetings/" + fx.demoSlug
	visitor := fx.ts.browser()
	page := visitor.get(meeting)
	wantStatus(t, page, http.StatusOK)
	if testid(page.doc(t), "register-button").Length() != 1 {
		t.Fatal("a visitor is not offered Register on an open meeting")
	}
	reg := visitor.get(meeting + "/register")
	wantStatus(t, reg, http.StatusSeeOther)
	login := visitor.get(reg.Header.Get("Location"))
	ld := login.doc(t)
	if got := text(testid(ld, "login-to-register")); !strings.Contains(got, "Sign in or create an account to register") {
		t.Errorf("the login page says %q", got)
	}
	signupHref := testid(ld, "signup-link").AttrOr("href", "")
	if !strings.Contains(signupHref, "next=") {
		t.Errorf("the sign-up link %q does not return to the form", signupHref)
	}
	org := organisationID(t, fx.ts)
	p := visitor.post(signupHref, form("email", "wang.fang@example.org", "password", "a long enough password",
		"given_name", "芳", "family_name", "王", "name_order", "family_first", "organisation_id", org))
	wantRedirect(t, p, meeting+"/register")

	form1 := visitor.get(meeting + "/register")
	wantStatus(t, form1, http.StatusOK)
	if got := text(testid(form1.doc(t), "user-name")); got != "王芳" {
		t.Errorf("signed in as %q, want 王芳", got)
	}
	// Two mistakes: a function and an accessibility text over their limits.
	bad := visitor.post(meeting+"/register", form("mode", "remote", "function_title", strings.Repeat("x", 300), "accessibility", strings.Repeat("x", 3000)))
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	bd := bad.doc(t)
	lines := bd.Find(`[data-testid="error-summary"] li a`)
	if lines.Length() < 2 {
		t.Fatalf("the summary has %d line(s), want one per mistake", lines.Length())
	}
	seen := map[string]bool{}
	for i := range lines.Length() {
		l := lines.Eq(i)
		txt := strings.TrimSpace(l.Text())
		if seen[txt] {
			t.Errorf("the summary repeats %q", txt)
		}
		seen[txt] = true
		href := l.AttrOr("href", "")
		field := strings.TrimPrefix(href, "#")
		if bd.Find(`[id="`+field+`"]`).Length() != 1 {
			t.Errorf("summary line %q links to %q, which is on the page %d times", txt, href, bd.Find(`[id="`+field+`"]`).Length())
		}
	}
	for _, f := range []string{"function_title", "accessibility"} {
		label := text(bd.Find(`label[for="` + f + `"]`))
		if got := text(testid(bd, "summary-"+f)); label == "" || !strings.HasPrefix(got, label+": ") {
			t.Errorf("the summary line of %s is %q: it does not name its field (%q)", f, got, label)
		}
	}
	// Switching language in the middle keeps what was typed.
	sw := visitor.post("/language?next="+meeting+"/register", form("lang", "zh", "function_title", "参赞", "mode", "remote"))
	wantRedirect(t, sw, meeting+"/register")
	zh := visitor.get(meeting + "/register")
	zd := zh.doc(t)
	if got := zd.Find(`[name="function_title"]`).AttrOr("value", ""); got != "参赞" {
		t.Errorf("after switching language the function field holds %q, want 参赞", got)
	}
	if _, ok := zd.Find(`#mode-remote`).Attr("checked"); !ok {
		t.Error("after switching language the mode chosen is lost")
	}
	if zd.Find(`[data-testid="lang-en"][form="register-form"]`).Length() != 1 {
		t.Error("the language buttons of the form page do not send the form along")
	}
	ok := visitor.post(meeting+"/register", form("mode", "remote", "function_title", "参赞"))
	wantStatus(t, ok, http.StatusSeeOther)
	mp := visitor.get(meeting)
	md := mp.doc(t)
	if got := text(testid(md, "my-status")); !strings.Contains(got, "远程参会") {
		t.Errorf("the meeting page shows %q, want the person's own status", got)
	}
	if testid(md, "register-button").Length() != 0 {
		t.Error("the meeting page still offers Register to a registered person")
	}
}
