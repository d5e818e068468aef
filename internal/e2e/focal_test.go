package e2e_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"plenary/internal/pgtest"
)

// phoneWidth is the narrowest screen the pages are made for.
const phoneWidth = 390

// fitsPhone fails when the page scrolls sideways at phone width.
func (b tab) fitsPhone(name string) {
	b.t.Helper()
	w, err := strconv.Atoi(b.eval("measure "+name, `String(document.documentElement.scrollWidth)`))
	if err != nil {
		b.t.Fatalf("measure %s: %v", name, err)
	}
	if w > phoneWidth {
		wide := b.eval("find what is wider than the page", `[...document.querySelectorAll('main *')]
			.filter(e => e.getBoundingClientRect().right > `+strconv.Itoa(phoneWidth)+` + 1)
			.slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.getAttribute('data-testid') || '')).join('; ')`)
		b.t.Errorf("%s scrolls sideways at %d px: scrollWidth %d (%s)", name, phoneWidth, w, wide)
	}
}

// onPhone checks a page at phone width: no sideways scrolling, no accessibility violation.
func (b tab) onPhone(name string) {
	b.t.Helper()
	b.fitsPhone(name)
	b.checkA11y(name)
}

func TestFocalPointOnAPhone(t *testing.T) {
	browser, dbURL := startPortal(t, nil)

	// Forty colleagues of the Sector Member, pending for the open demo meeting.
	conn := connect(t, dbURL)
	ctx := context.Background()
	meeting, _ := demoMeeting(t, conn)
	hash, err := pgtest.Hash(demoPassword)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	if _, err := conn.Exec(ctx, `WITH o AS (SELECT id FROM organisations WHERE name = 'Example Networks Ltd.'),
		a AS (INSERT INTO accounts (email, password_hash, given_name, family_name, gender, organisation_id)
			SELECT 'phone.' || i || '@example.test', $1, 'Delegate', 'Phone ' || lpad(i::text, 2, '0'), 'not_stated', o.id
			FROM generate_series(1, $2::int) AS i, o RETURNING id, organisation_id)
		INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, state, list_consent)
		SELECT $3, a.id, a.organisation_id, CASE WHEN a.id % 2 = 0 THEN 'in_person' ELSE 'remote' END, 'pending', true FROM a`,
		hash, n, meeting); err != nil {
		t.Fatal(err)
	}
	regOf := func(family string) string {
		t.Helper()
		var id int64
		if err := conn.QueryRow(ctx, `SELECT r.id FROM registrations r JOIN accounts a ON a.id = r.account_id WHERE a.family_name = $1`, family).Scan(&id); err != nil {
			t.Fatalf("registration of %s: %v", family, err)
		}
		return strconv.FormatInt(id, 10)
	}
	stateOf := func(id string) string {
		t.Helper()
		var st string
		if err := conn.QueryRow(ctx, `SELECT state FROM registrations WHERE id = $1`, id).Scan(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}

	focal := newPerson(t, browser)
	focal.do("use a phone-sized screen", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	focal.login(regFocalSM, "Aino Virtanen")
	focal.fitsPhone("the home page signed in")

	focal.open("/focal?sort=name")
	focal.onPhone("the focal point's list")
	if got := focal.count(`table[data-testid="registrations"] tbody tr`); got < n {
		t.Fatalf("%d cards, want at least %d", got, n)
	}
	// Each card shows the name and its Approve button side by side with the rest, within the screen.
	first := `[data-testid="reg-` + regOf("Phone 01") + `"]`
	for _, part := range []string{`[data-testid="name"]`, `[data-testid="organisation"]`, `[data-testid="meeting"]`, `[data-testid="mode"]`, `[data-testid="state"]`, `[data-testid="approve-one"]`, `[data-testid="select"]`} {
		right := focal.eval("measure "+part, `String(Math.ceil(document.querySelector('`+first+` `+part+`').getBoundingClientRect().right))`)
		if r, _ := strconv.Atoi(right); r > phoneWidth || r <= 0 {
			t.Errorf("%s of the first card ends at %s px", part, right)
		}
	}
	if got := focal.text(first + ` [data-testid="meeting"]`); !strings.Contains(got, "Meetings of Working Parties") {
		t.Errorf("the card's meeting = %q, want its title and dates", got)
	}

	// Select all (the script shows it), then none, then tick three.
	pending := focal.count(`input[data-testid="select"]`)
	if hidden := focal.eval("is select-all shown", `String(document.querySelector('[data-testid="select-all-wrap"]').hidden)`); hidden != "false" {
		t.Fatal("the select-all control is still hidden: its script did not run")
	}
	focal.do("select all", chromedp.Click(chromedp.CSS(`[data-testid="select-all"]`), chromedp.NodeVisible))
	if got := focal.count(`input[data-testid="select"]:checked`); got != pending {
		t.Errorf("select all ticked %d of %d", got, pending)
	}
	focal.do("select none", chromedp.Click(chromedp.CSS(`[data-testid="select-all"]`), chromedp.NodeVisible))
	if got := focal.count(`input[data-testid="select"]:checked`); got != 0 {
		t.Errorf("%d still ticked after unticking all", got)
	}
	three := []string{"Phone 03", "Phone 07", "Phone 12"}
	for _, f := range three {
		focal.do("tick "+f, chromedp.Click(chromedp.CSS(`[data-testid="reg-`+regOf(f)+`"] [data-testid="select"]`), chromedp.NodeVisible))
	}
	if got := focal.eval("select-all is mixed", `String(document.querySelector('[data-testid="select-all"]').indeterminate)`); got != "true" {
		t.Errorf("with three ticked, select-all indeterminate = %s", got)
	}
	focal.follow("approve the three", `[data-testid="approve-selected"]`)
	flash := focal.text(`[data-testid="flash"]`)
	if !strings.HasPrefix(flash, "3 registrations approved: ") {
		t.Errorf("flash = %q", flash)
	}
	for _, f := range three {
		if !strings.Contains(flash, "Delegate "+f) {
			t.Errorf("the confirmation %q does not name %s", flash, f)
		}
		if st := stateOf(regOf(f)); st != "approved" {
			t.Errorf("%s is %s", f, st)
		}
	}
	focal.onPhone("the focal point's list after approving")

	// Cancelling from a card asks first.
	victim := regOf("Phone 20")
	focal.follow("cancel from the card", `[data-testid="reg-`+victim+`"] [data-testid="cancel"]`)
	focal.onPhone("the question before cancelling")
	if st := stateOf(victim); st != "pending" {
		t.Fatalf("opening the question changed the registration: %s", st)
	}
	if got := focal.text(`[data-testid="effect-visa"]`); got == "" {
		t.Error("the question says nothing of a visa request")
	}
	focal.follow("confirm the cancellation", `[data-testid="cancel-confirm"]`)
	if got := focal.text(`[data-testid="flash"]`); got != "The registration was cancelled." {
		t.Errorf("flash = %q", got)
	}
	if st := stateOf(victim); st != "cancelled" {
		t.Errorf("after confirming, the registration is %s", st)
	}
	if !strings.HasPrefix(focal.path(), "/focal") {
		t.Errorf("after cancelling, at %s", focal.path())
	}

	// "Approve all" names them first.
	focal.follow("approve all", `[data-testid="approve-all"]`)
	focal.onPhone("the question before approving all")
	left := n - len(three) - 1
	if got := focal.count(`[data-testid="approve-all-names"] li`); got != left {
		t.Errorf("the question names %d, want %d", got, left)
	}
	focal.follow("keep them pending", `[data-testid="approve-all-keep"]`)

	// The same in Chinese.
	focal.follow("switch to Chinese", `[data-testid="lang-zh"]`)
	focal.open("/focal")
	if got := focal.eval("page language", `document.documentElement.lang`); got != "zh" {
		t.Fatalf("language = %q after switching", got)
	}
	focal.onPhone("the focal point's list in Chinese")
	focal.follow("cancel from the card, in Chinese", `[data-testid="reg-`+regOf("Phone 21")+`"] [data-testid="cancel"]`)
	focal.onPhone("the question before cancelling, in Chinese")
	if got := focal.text("h1"); !strings.HasPrefix(got, "取消") {
		t.Errorf("title in Chinese = %q", got)
	}
	focal.follow("keep it", `[data-testid="cancel-keep"]`)
	focal.follow("approve all, in Chinese", `[data-testid="approve-all"]`)
	focal.onPhone("the question before approving all, in Chinese")
	focal.do("approve all, confirmed", chromedp.Click(chromedp.CSS(`[data-testid="approve-all-confirm"]`), chromedp.NodeVisible))
	focal.do("see the confirmation", chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)))
	if got := focal.text(`[data-testid="flash"]`); !strings.Contains(got, fmt.Sprintf("已批准%d个注册", left)) || !strings.Contains(got, "Delegate Phone 40") && !strings.Contains(got, "Phone 40") {
		t.Errorf("flash in Chinese = %q", got)
	}
	focal.onPhone("the focal point's list in Chinese after approving all")
}
