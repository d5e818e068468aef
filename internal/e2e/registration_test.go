package e2e_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	regFocalSM    = "focal.sm@plenary.test"
	regDelegateSM = "delegate.sm@plenary.test"
	regDelegateMS = "delegate.ms@plenary.test"
	// regRemoteLink is the remote-participation link the demo data gives its open meeting.
	regRemoteLink = "https://remote.plenary.test/sg13-wp"
	// regSG13Email is the secretariat's address for Study Group 13, named when registration is closed.
	regSG13Email      = "tsbsg13@itu.int"
	regMemberStateMsg = "This applies only to delegates of Member State administrations."
)

// TestRegistration drives registration journeys against one server and one browser: each person
// has their own browser context (like a fresh profile: their own cookies, so their own session),
// and every page visited is checked with axe-core. The subtests share the demo meeting and run in order: the last one
// closes its registration.
func TestRegistration(t *testing.T) {
	browser, _ := startPortal(t, nil)

	// The open demo meeting, as a visitor finds it on the home page.
	browser.open("/")
	browser.checkA11y("the home page")
	slug := browser.eval("find the open demo meeting", `(() => {
		const a = [...document.querySelectorAll('[data-testid="meetings-upcoming"] a[href^="/meetings/sg13-wp-"]')]
			.find(a => a.getAttribute('href') !== '`+letterPath+`');
		return a ? a.getAttribute('href').slice('/meetings/'.length) : '';
	})()`)
	if slug == "" || strings.Contains(slug, "/") {
		t.Fatalf("no open demo meeting (sg13-wp-…) among the upcoming meetings on the home page:\n%s", browser.text("main"))
	}
	registerPath := "/meetings/" + slug + "/register"

	// Each person in their own browser context of the one browser.
	alice := newPerson(t, browser)
	focal := newPerson(t, browser)
	jose := newPerson(t, browser)
	li := newPerson(t, browser)
	secr := newPerson(t, browser)

	const aliceEmail = "alice.remote@example.test"

	if !t.Run("a new delegate registers remotely and the focal point approves", func(t *testing.T) {
		alice, focal := alice.with(t), focal.with(t)

		alice.open("/signup")
		alice.checkA11y("the sign-up form")
		org := alice.optionValue("organisation_id", "Example Networks Ltd.")
		alice.do("fill in the sign-up form",
			chromedp.SendKeys(chromedp.CSS("#email"), aliceEmail, chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery", chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.CSS("#given_name"), "Alice", chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.CSS("#family_name"), "Remote", chromedp.NodeVisible),
			chromedp.SetValue(chromedp.CSS("#organisation_id"), org, chromedp.NodeVisible),
			chromedp.SetValue(chromedp.CSS("#gender"), "female", chromedp.NodeVisible))
		if status := alice.submit("sign up", `[data-testid="signup-form"] button[type="submit"]`); status != 200 {
			t.Fatalf("after signing up: status %d\n%s", status, alice.text("main"))
		}
		if got := alice.text(`[data-testid="user-name"]`); got != "Alice Remote" {
			t.Fatalf("after signing up, signed in as %q, want Alice Remote\n%s", got, alice.text("main"))
		}
		alice.checkA11y("the home page after signing up")

		alice.open(registerPath)
		if got := alice.text(`[data-testid="registering-as"]`); !strings.Contains(got, "Example Networks Ltd.") {
			t.Errorf("registering as %q, want Example Networks Ltd.", got)
		}
		alice.wantNoMemberStateFields("the new Sector Member delegate's form")
		alice.checkA11y("the registration form")
		alice.do("choose remote participation and consent to the list",
			chromedp.Click(chromedp.CSS("#mode-remote"), chromedp.NodeVisible),
			chromedp.Click(chromedp.CSS("#list_consent"), chromedp.NodeVisible))
		if status := alice.submit("register", `[data-testid="register-submit"]`); status != 200 {
			t.Fatalf("after registering: status %d\n%s", status, alice.text("main"))
		}
		if got := alice.path(); !strings.HasPrefix(got, "/me#reg-") {
			t.Fatalf("after registering the browser is at %q, want /me#reg-…\n%s", got, alice.text("main"))
		}
		if got := alice.text(`[data-testid="my-registration"] [data-testid="my-state"]`); got != "Pending" {
			t.Errorf("state on /me = %q, want Pending", got)
		}
		if got := alice.text(`[data-testid="my-registration"] [data-testid="my-mode"]`); got != "Remote" {
			t.Errorf("mode on /me = %q, want Remote", got)
		}
		if n := alice.count(`[data-testid="remote-participation"], [data-testid="remote-link"], a[href^="` + regRemoteLink + `"]`); n != 0 {
			t.Error("a pending registration shows the remote-participation link")
		}
		alice.checkA11y("/me with a pending registration")
		// The account's own pages: checked with axe and the HTML checker like every other.
		alice.open("/me/account")
		alice.checkA11y("the account page")
		alice.open("/reset")
		alice.checkA11y("the password reset request")
		alice.open("/me")

		focal.login(regFocalSM, "Aino Virtanen")
		focal.open("/focal")
		focal.checkA11y("the focal point's page")
		id := focal.rowOf(aliceEmail)
		row := `[data-testid="reg-` + id + `"]`
		if got := focal.text(row + ` [data-testid="state"]`); got != "Pending" {
			t.Fatalf("Alice's registration is %q on /focal, want Pending", got)
		}
		if status := focal.submit("approve Alice", row+` [data-testid="approve-one"]`); status != 200 {
			t.Fatalf("after approving: status %d\n%s", status, focal.text("main"))
		}
		if got := focal.text(`[data-testid="flash"]`); got == "" {
			t.Error("no message after approving")
		}
		if got := focal.text(row + ` [data-testid="state"]`); got != "Approved" {
			t.Errorf("after approving, Alice's registration is %q on /focal, want Approved", got)
		}
		focal.checkA11y("the focal point's page after approving")
		focal.open("/focal/members")
		if focal.count(`[data-testid="member-confirm"]`) == 0 {
			t.Error("the members page offers no Confirm button: the check below misses the buttons' names")
		}
		focal.checkA11y("the focal point's members page")

		alice.do("reload /me", chromedp.Reload())
		if got := alice.text(`[data-testid="my-registration"] [data-testid="my-state"]`); got != "Approved" {
			t.Errorf("after approval the state on /me = %q, want Approved", got)
		}
		if got := alice.attr(`[data-testid="remote-participation"] [data-testid="remote-link"]`, "href"); got != regRemoteLink {
			t.Errorf("remote link on /me = %q, want %s", got, regRemoteLink)
		}
		alice.checkA11y("/me with an approved remote registration")
	}) {
		return
	}

	if !t.Run("only Member State delegates are asked the Member State questions", func(t *testing.T) {
		jose, li := jose.with(t), li.with(t)

		jose.login(regDelegateSM, "José Müller-Ñúñez")
		jose.open(registerPath)
		jose.wantNoMemberStateFields("the Sector Member delegate's form")
		jose.checkA11y("the Sector Member delegate's registration form")
		// Sent anyway, the function is refused and nothing is registered.
		jose.do("add a function to the form and choose remote",
			chromedp.Evaluate[chromedp.Void](`(() => {
				const f = document.querySelector('[data-testid="register-form"]');
				f.appendChild(Object.assign(document.createElement('input'), {type: 'hidden', name: 'function_title', value: 'CTO'}));
			})()`),
			chromedp.Click(chromedp.CSS("#mode-remote"), chromedp.NodeVisible))
		if status := jose.submit("register with a function", `[data-testid="register-submit"]`); status != 422 {
			t.Errorf("registering a Sector Member's delegate with a function: status %d, want 422", status)
		}
		if got := jose.text(`[data-testid="error-summary"]`); !strings.Contains(got, regMemberStateMsg) {
			t.Errorf("the refusal says %q, want %q", got, regMemberStateMsg)
		}
		jose.checkA11y("the registration form refusing a function")
		jose.open("/me")
		if n := jose.count(`[data-testid="my-registration"]`); n != 0 {
			t.Errorf("after the refusal /me shows %d registration(s), want none", n)
		}
		jose.checkA11y("/me with no registration")

		// A Member State's delegate is asked the function; the meeting offers neither
		// interpretation nor fellowships.
		li.login(regDelegateMS, "Li Na")
		// Li's account is in Chinese: switch to English, as the brief's browser would.
		if status := li.submit("press English", `[data-testid="lang-en"]`); status != 200 {
			t.Fatalf("after switching to English: status %d", status)
		}
		li.checkA11y("the home page in English")
		li.open(registerPath)
		if got := li.eval("page language", `document.documentElement.lang`); got != "en" {
			t.Errorf("registration page language = %q, want en", got)
		}
		if n := li.count(`#function_title`); n != 1 {
			t.Errorf("the Member State delegate's form has %d function/title field(s), want 1", n)
		}
		if n := li.count(`#interpretation, #fellowship`); n != 0 {
			t.Error("the form offers interpretation or a fellowship, which the meeting does not offer")
		}
		li.checkA11y("the Member State delegate's registration form")
	}) {
		return
	}

	if !t.Run("the focal point rejects a registration with a reason", func(t *testing.T) {
		jose, focal := jose.with(t), focal.with(t)

		jose.open(registerPath)
		jose.checkA11y("the registration form")
		jose.do("choose to attend in person", chromedp.Click(chromedp.CSS("#mode-in_person"), chromedp.NodeVisible))
		if status := jose.submit("register", `[data-testid="register-submit"]`); status != 200 {
			t.Fatalf("after registering: status %d\n%s", status, jose.text("main"))
		}
		if got := jose.text(`[data-testid="my-registration"] [data-testid="my-state"]`); got != "Pending" {
			t.Fatalf("state on /me = %q, want Pending", got)
		}
		jose.checkA11y("/me with a pending in-person registration")

		focal.open("/focal")
		id := focal.rowOf(regDelegateSM)
		row := `[data-testid="reg-` + id + `"]`
		focal.checkA11y("the focal point's page with a pending registration")
		// Without a reason: refused, the message beside the field.
		focal.do("open the rejection form", chromedp.Click(chromedp.CSS(row+` [data-testid="reject-details"] summary`), chromedp.NodeVisible))
		if status := focal.submit("reject without a reason", row+` [data-testid="reject"]`); status != 422 {
			t.Errorf("rejecting without a reason: status %d, want 422", status)
		}
		field := "reason-" + id
		if got := focal.text(row + ` [data-testid="error-` + field + `"]`); got != "Give the reason for the rejection; the delegate will see it." {
			t.Errorf("message beside the reason = %q", got)
		}
		if got := focal.attr("#"+field, "aria-invalid"); got != "true" {
			t.Errorf("the reason field's aria-invalid = %q, want true", got)
		}
		if got := focal.text(row + ` [data-testid="state"]`); got != "Pending" {
			t.Errorf("after a refused rejection the registration is %q, want Pending", got)
		}
		focal.checkA11y("the focal point's page with a missing reason")

		const reason = "Our delegation for this meeting is complete."
		focal.do("give the reason", chromedp.SendKeys(chromedp.CSS("#"+field), reason, chromedp.NodeVisible))
		if status := focal.submit("reject", row+` [data-testid="reject"]`); status != 200 {
			t.Fatalf("after rejecting: status %d\n%s", status, focal.text("main"))
		}
		if got := focal.text(row + ` [data-testid="state"]`); got != "Rejected" {
			t.Errorf("after rejecting, the registration is %q on /focal, want Rejected", got)
		}
		focal.checkA11y("the focal point's page after rejecting")

		jose.do("reload /me", chromedp.Reload())
		if got := jose.text(`[data-testid="my-registration"] [data-testid="my-state"]`); got != "Rejected" {
			t.Errorf("state on /me = %q, want Rejected", got)
		}
		if got := jose.text(`[data-testid="my-registration"] [data-testid="my-reason"]`); got != reason {
			t.Errorf("reason on /me = %q, want %q", got, reason)
		}
		jose.checkA11y("/me with a rejected registration")
	}) {
		return
	}

	t.Run("after the pre-registration deadline a delegate cannot register", func(t *testing.T) {
		secr, li := secr.with(t), li.with(t)

		secr.login(secretariat, "Sara Secretariat")
		secr.open("/secretariat")
		secr.checkA11y("the secretariat's home")
		secr.follow("open the meeting's editor", `[data-testid="edit-`+slug+`"]`)
		secr.follow("open the meeting's details", `[data-testid="section-details"]`)
		secr.do("see the meeting's details", chromedp.WaitVisible(chromedp.CSS(`[data-testid="meeting-form"]`)))
		tz := run(secr.tab, "read the time zone", chromedp.Value(chromedp.CSS("#time_zone")))
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Fatalf("the meeting's time zone %q: %v", tz, err)
		}
		secr.follow("open the meeting's deadlines", `[data-testid="section-deadlines"]`)
		secr.do("see the deadlines", chromedp.WaitVisible(chromedp.CSS(`[data-testid="deadlines-form"]`)))
		yesterday := time.Now().In(loc).AddDate(0, 0, -1).Format("2006-01-02")
		secr.do("set the pre-registration deadline to yesterday",
			chromedp.SetValue(chromedp.CSS("#deadline-pre_registration"), yesterday, chromedp.NodeVisible))
		if status := secr.submit("save the deadlines", `[data-testid="save-deadlines"]`); status != 200 {
			t.Fatalf("after saving the deadlines: status %d\n%s", status, secr.text("main"))
		}
		if n := secr.count(`[data-testid="deadlines-form"] [data-testid^="error-"], [data-testid="error-summary"]`); n != 0 {
			t.Fatalf("the deadlines form shows %d error(s) after saving:\n%s", n, secr.text("main"))
		}
		if got := run(secr.tab, "read the deadline", chromedp.Value(chromedp.CSS("#deadline-pre_registration"))); got != yesterday {
			t.Errorf("after saving, the pre-registration deadline reads %q, want %s", got, yesterday)
		}
		secr.checkA11y("the secretariat's deadlines after saving")

		li.open(registerPath)
		closed := li.text(`[data-testid="registration-closed"]`)
		if !strings.Contains(closed, "pre-registration deadline") || !strings.Contains(closed, regSG13Email) {
			t.Errorf("the closed message = %q, want it to name the pre-registration deadline and %s", closed, regSG13Email)
		}
		if n := li.count(`[data-testid="register-form"], [data-testid="register-submit"]`); n != 0 {
			t.Error("the registration form is still offered after the deadline")
		}
		li.checkA11y("the registration page after the deadline")

		// Posted anyway (an old tab, a hand-made request): refused, nothing registered.
		var res struct {
			Status int    `json:"status"`
			Body   string `json:"body"`
		}
		raw := run(li.tab, "post a registration after the deadline", chromedp.Evaluate[string](`fetch(location.pathname, {
			method: 'POST',
			headers: {'Content-Type': 'application/x-www-form-urlencoded'},
			body: new URLSearchParams({mode: 'remote', function_title: 'Engineer', list_consent: 'on'}).toString(),
		}).then(async r => JSON.stringify({status: r.status, body: await r.text()}))`, chromedp.EvalAwaitPromise))
		if err := json.Unmarshal([]byte(raw), &res); err != nil {
			t.Fatalf("read the answer to the post: %v", err)
		}
		if res.Status != 422 {
			t.Errorf("registering after the deadline: status %d, want 422", res.Status)
		}
		if !strings.Contains(res.Body, `data-testid="registration-closed"`) || !strings.Contains(res.Body, "Registration is closed") {
			t.Errorf("the refusal does not say that registration is closed:\n%s", tail(res.Body, 3000))
		}
		li.open("/me")
		if n := li.count(`[data-testid="my-registration"]`); n != 0 {
			t.Errorf("after the refusal /me shows %d registration(s), want none", n)
		}
		li.checkA11y("/me with no registration")
	})
}

// person is someone using the site in their own browser context: their own cookies, so their own
// session.
type person struct{ tab }

// newPerson opens a new browser context in b's browser; it is closed when the test ends.
func newPerson(t *testing.T, b tab) person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first run opens the tab, bound to the context it is given: no time limit on it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	return person{tab{t: t, ctx: ctx, base: b.base, axe: b.axe}}
}

// with returns b failing through t, for a subtest.
func (b person) with(t *testing.T) person {
	b.tab.t = t
	return b
}

// login signs in with the demo password and checks whose name the page shows.
func (b person) login(email, name string) {
	b.t.Helper()
	b.open("/login")
	b.checkA11y("the login page")
	b.do("fill in the login form for "+email,
		chromedp.SendKeys(chromedp.CSS("#email"), email, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword, chromedp.NodeVisible))
	if status := b.submit("log in as "+email, `[data-testid="login-form"] button[type="submit"]`); status != 200 {
		b.t.Fatalf("after logging in as %s: status %d", email, status)
	}
	if got := b.text(`[data-testid="user-name"]`); got != name {
		b.t.Fatalf("signed in as %q, want %s", got, name)
	}
	b.checkA11y("the home page signed in as " + email)
}

// js quotes s as a JavaScript string.
func regJS(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// count is the number of elements that match a CSS selector.
func (b person) count(selector string) int {
	b.t.Helper()
	n, err := strconv.Atoi(b.eval("count "+selector, `String(document.querySelectorAll(`+regJS(selector)+`).length)`))
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

// attr is an attribute of the first element that matches selector, "" when absent.
func (b person) attr(selector, name string) string {
	b.t.Helper()
	return b.eval("read "+name+" of "+selector, `(() => {
		const e = document.querySelector(`+regJS(selector)+`);
		return e ? (e.getAttribute(`+regJS(name)+`) || '') : '';
	})()`)
}

// optionValue is the value of the option of a select whose label is label.
func (b person) optionValue(selectID, label string) string {
	b.t.Helper()
	v := b.eval("find "+label+" in #"+selectID, `(() => {
		const o = [...document.querySelectorAll('#`+selectID+` option')].find(o => o.textContent.trim() === `+regJS(label)+`);
		return o ? o.value : '';
	})()`)
	if v == "" {
		b.t.Fatalf("no option %q in #%s", label, selectID)
	}
	return v
}

// rowOf finds the registration of the delegate with this email in a list of registrations and
// returns its id.
func (b person) rowOf(email string) string {
	b.t.Helper()
	id := b.eval("find the registration of "+email, `(() => {
		const e = [...document.querySelectorAll('table[data-testid="registrations"] [data-testid="email"]')]
			.find(e => e.textContent.trim() === `+regJS(email)+`);
		const tr = e && e.closest('tr');
		return tr ? tr.id.replace(/^reg-/, '') : '';
	})()`)
	if id == "" {
		b.t.Fatalf("no registration of %s in the list:\n%s", email, b.text("main"))
	}
	return id
}

// wantNoMemberStateFields checks that the registration form asks none of the questions for
// Member State delegates.
func (b person) wantNoMemberStateFields(what string) {
	b.t.Helper()
	if n := b.count(`[data-testid="register-form"]`); n != 1 {
		b.t.Fatalf("%s: no registration form\n%s", what, b.text("main"))
	}
	if n := b.count(`#function_title, #interpretation, #fellowship, [name="function_title"], [name="interpretation"], [name="fellowship"]`); n != 0 {
		b.t.Errorf("%s asks %d Member State question(s)", what, n)
	}
}
