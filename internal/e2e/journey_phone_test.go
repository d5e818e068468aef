package e2e_test

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// mailLink waits for a mail to to whose text holds a link to a path starting with prefix, and
// returns that path.
func mailLink(t *testing.T, sink *smtpSink, to, prefix string) string {
	t.Helper()
	re := regexp.MustCompile(`https?://[^\s<>"]+` + regexp.QuoteMeta(prefix) + `[^\s<>")]+`)
	var link string
	waitUntil(t, "a mail to "+to+" with a link to "+prefix, 30*time.Second, func() bool {
		for _, m := range sink.messages() {
			for _, rcpt := range m.To {
				if strings.EqualFold(rcpt, to) {
					if l := re.FindString(m.Text); l != "" {
						link = l
					}
				}
			}
		}
		return link != ""
	})
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// TestDelegateJourneyOnAPhone is a new delegate's whole journey in a 390 px window, in English and
// in Chinese: the Register button leads to "sign in or create an account", sign-up comes back to
// the form, the email is verified from the mail, the form is sent with two mistakes and fixed from
// the summary's links (each line naming its field), the language is switched mid-form without
// losing what was typed, the meeting page shows the delegate's own status, and the password is
// reset from the mail (which ends the account's other sessions). Every page: no sideways
// scrolling, zero axe-core violations, no HTML checker error. (The focal point deciding from
// cards at 390 px is TestFocalPointOnAPhone.)
func TestDelegateJourneyOnAPhone(t *testing.T) {
	sink := startSMTPSink(t)
	browser, dbURL := startPortal(t, map[string]string{"SMTP_URL": sink.URL()})
	conn := connect(t, dbURL)
	_, slug := demoMeeting(t, conn)
	meeting, register := "/meetings/"+slug, "/meetings/"+slug+"/register"
	// The delegates sign up with a Member State administration, whose delegates are asked their
	// function too.
	var china int64
	if err := conn.QueryRow(context.Background(), `SELECT id FROM organisations WHERE name = 'China (People''s Republic of)'`).Scan(&china); err != nil {
		t.Fatal(err)
	}

	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			p := newPerson(t, browser)
			p.do("narrow the window to 390 px", chromedp.EmulateViewport(phoneWidth, 844))
			email := "journey." + lang + "@example.test"
			const password, newPassword = "correct horse battery", "staple battery horse"
			page := func(name string) {
				t.Helper()
				if got := p.attr("html", "lang"); got != lang {
					t.Errorf("%s: <html lang=%q>, want %s", name, got, lang)
				}
				p.onPhone(lang + ": " + name)
			}

			p.open(meeting)
			if lang != "en" {
				p.follow("switch to "+lang, `[data-testid="lang-`+lang+`"]`)
			}
			page("the meeting page")
			p.follow("click Register", `main a[href="`+register+`"]`)
			if p.count(`[data-testid="login-to-register"]`) != 1 {
				t.Errorf("a visitor clicking Register is not told to sign in or create an account:\n%s", p.text("main"))
			}
			page("sign in or create an account to register")
			p.follow("create an account", `[data-testid="signup-link"]`)
			page("the sign-up form")
			p.do("fill in the sign-up form",
				chromedp.SendKeys(chromedp.CSS("#email"), email, chromedp.NodeVisible),
				chromedp.SendKeys(chromedp.CSS("#password"), password, chromedp.NodeVisible),
				chromedp.SendKeys(chromedp.CSS("#given_name"), "Wei", chromedp.NodeVisible),
				chromedp.SendKeys(chromedp.CSS("#family_name"), "Zhang", chromedp.NodeVisible),
				chromedp.SetValue(chromedp.CSS("#organisation_id"), strconv.FormatInt(china, 10), chromedp.NodeVisible))
			if status := p.submit("sign up", `[data-testid="signup-form"] button[type="submit"]`); status != 200 {
				t.Fatalf("sign up: status %d\n%s", status, p.text("main"))
			}
			if got := p.path(); got != register {
				t.Errorf("sign-up led to %q, want back to the registration form %s", got, register)
			}
			page("the registration form after signing up")

			p.open(mailLink(t, sink, email, "/verify/"))
			page("the email verification")
			p.follow("verify the email", `[data-testid="verify-submit"]`)
			if got := p.text(`[data-testid="flash"]`); got == "" {
				t.Error("no message after verifying the email")
			}

			// Two mistakes: the function and the accessibility needs too long.
			p.open(register)
			p.eval("type a function and accessibility needs far too long", `(() => {
				document.querySelector('#function_title').value = 'x'.repeat(201);
				document.querySelector('#accessibility').value = 'x'.repeat(2001); return '' })()`)
			if status := p.submit("register with two mistakes", `[data-testid="register-submit"]`); status != 422 {
				t.Fatalf("two mistakes: status %d, want 422", status)
			}
			page("the registration form with two mistakes")
			lines := p.eval("read the summary", `JSON.stringify([...document.querySelectorAll('[data-testid="error-summary"] li a')]
				.map(a => { const id = a.getAttribute('href').slice(1); const f = document.getElementById(id);
					const l = f && (f.tagName === 'FIELDSET' ? f.querySelector('legend') : document.querySelector('label[for="' + id + '"]'));
					return [a.textContent.trim(), l ? l.textContent.trim() : ''] }))`)
			var got [][2]string
			if err := json.Unmarshal([]byte(lines), &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0][0] == got[1][0] {
				t.Errorf("the summary's lines %q, want two different lines", got)
			}
			for _, l := range got {
				if l[1] == "" || !strings.HasPrefix(l[0], l[1]) {
					t.Errorf("the summary's line %q does not name its field (%q)", l[0], l[1])
				}
			}
			for i := range got {
				href := p.attr(`[data-testid="error-summary"] li:nth-child(`+strconv.Itoa(i+1)+`) a`, "href")
				p.do("follow the summary's link "+href, chromedp.Click(chromedp.CSS(`[data-testid="error-summary"] li:nth-child(`+strconv.Itoa(i+1)+`) a`), chromedp.NodeVisible))
				if h := p.eval("read the address", `location.hash`); h != href {
					t.Errorf("the summary's link led to %q, want %q", h, href)
				}
			}
			p.eval("clear the two fields", `(() => {
				document.querySelector('#function_title').value = '';
				document.querySelector('#accessibility').value = ''; return '' })()`)
			p.do("fix the two mistakes and choose remote participation",
				chromedp.SendKeys(chromedp.CSS("#function_title"), "Counsellor", chromedp.NodeVisible),
				chromedp.SendKeys(chromedp.CSS("#accessibility"), "Step-free access", chromedp.NodeVisible),
				chromedp.Click(chromedp.CSS("#mode-remote"), chromedp.NodeVisible))

			// The language switched mid-form keeps what was typed, both ways.
			other := map[string]string{"en": "zh", "zh": "en"}[lang]
			for _, l := range []string{other, lang} {
				p.follow("switch to "+l+" mid-form", `[data-testid="lang-`+l+`"]`)
				if got := p.eval("read the form", `document.querySelector('#function_title').value + '|' + document.querySelector('#accessibility').value + '|' + document.querySelector('#mode-remote').checked`); got != "Counsellor|Step-free access|true" {
					t.Errorf("after switching to %s mid-form the form holds %q, want what was typed", l, got)
				}
			}
			page("the registration form after switching language")
			if status := p.submit("register", `[data-testid="register-submit"]`); status != 200 {
				t.Fatalf("register: status %d\n%s", status, p.text("main"))
			}
			if got := p.path(); !strings.HasPrefix(got, "/me") {
				t.Errorf("after registering the browser is at %q, want /me", got)
			}
			page("/me after registering")

			p.open(meeting)
			if got := p.attr(`[data-testid="my-status"]`, "data-state"); got != "pending" {
				t.Errorf("the meeting page shows my status as %q, want pending", got)
			}
			if n := p.count(`main a[href="` + register + `"]`); n != 0 {
				t.Error("the meeting page offers Register again to someone registered")
			}
			page("the meeting page with my status")

			// The password reset from the mail ends the account's other sessions.
			second := newPerson(t, browser)
			second.open("/login")
			second.do("sign in on a second device",
				chromedp.SendKeys(chromedp.CSS("#email"), email, chromedp.NodeVisible),
				chromedp.SendKeys(chromedp.CSS("#password"), password, chromedp.NodeVisible))
			second.submit("sign in on a second device", `[data-testid="login-form"] button[type="submit"]`)
			p.follow("log out", `form[action="/logout"] button`)
			p.open("/reset")
			page("the password reset request")
			p.do("ask for a reset", chromedp.SendKeys(chromedp.CSS("#email"), email, chromedp.NodeVisible))
			p.follow("ask for a reset", `[data-testid="reset-request-form"] button[type="submit"]`)
			if p.count(`[data-testid="reset-sent"]`) != 1 {
				t.Errorf("no confirmation that the reset was sent:\n%s", p.text("main"))
			}
			page("the reset sent")
			p.open(mailLink(t, sink, email, "/reset/"))
			page("the new password form")
			p.do("type the new password", chromedp.SendKeys(chromedp.CSS("#password"), newPassword, chromedp.NodeVisible))
			p.follow("set the new password", `[data-testid="reset-form"] button[type="submit"]`)
			if got := p.path(); got != "/me" {
				t.Errorf("after the reset the browser is at %q, want /me signed in", got)
			}
			page("/me after the reset")
			second.open("/me")
			if got := second.path(); !strings.HasPrefix(got, "/login") {
				t.Errorf("the second device is still signed in after the reset (at %q)", got)
			}
			p.follow("log out", `form[action="/logout"] button`)
			p.open("/login")
			p.do("sign in with the new password",
				chromedp.SendKeys(chromedp.CSS("#email"), email, chromedp.NodeVisible),
				chromedp.SendKeys(chromedp.CSS("#password"), newPassword, chromedp.NodeVisible))
			p.follow("sign in with the new password", `[data-testid="login-form"] button[type="submit"]`)
			if p.count(`[data-testid="user-name"]`) != 1 {
				t.Errorf("the new password does not sign in:\n%s", p.text("main"))
			}
		})
	}
}
