package e2e_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// phoneLanguages are the languages the tables are checked in on a phone: the two of the seed
// letter, the right-to-left one and the one with the longest words.
var phoneLanguages = []string{"en", "zh", "ar", "ru"}

// TestEveryTableOnAPhone opens every page that shows a table — the meeting's sessions, the
// agenda, the document list and a document's page, the delegate's page and visa request, the
// focal point's lists and the secretariat's (registrations, participants on both bases, the day's figures, visa queue, mail,
// organisations, representations, desk staff, the meeting's overview, sections and history) — in a 390 px wide window in
// English, Chinese, Arabic and Russian, with enough data in them to show every column, and checks
// on each: no sideways scrolling of the page, no word or date broken inside (the Chinese dates
// and short words stay whole), and zero axe-core violations (and the Nu HTML Checker's errors).
func TestEveryTableOnAPhone(t *testing.T) {
	browser, dbURL := startPortal(t, nil)
	conn := connect(t, dbURL)
	ctx := context.Background()
	meetingID, slug := demoMeeting(t, conn)
	mid := strconv.FormatInt(meetingID, 10)

	// Data in every list: José registers in person with a visa request, Li remotely; the
	// secretariat registers a contribution with a file.
	jose := newClient(t, browser.base)
	jose.login(regDelegateSM, demoPassword)
	form := formValues(t, jose.must(http.MethodGet, "/meetings/"+slug+"/register", nil, 200).body, `[data-testid="register-form"]`)
	var rep string
	if err := conn.QueryRow(ctx, `SELECT id::text FROM swiss_representations WHERE city = 'Lima'`).Scan(&rep); err != nil {
		t.Fatalf("the embassy in Lima: %v", err)
	}
	p := visaPassport
	for k, v := range map[string]string{"mode": "in_person", "visa_request": "on", "passport_name": p.name,
		"birth_date": p.birthDate, "birth_place": p.birthPlace, "nationality": p.nationality, "passport_number": p.number,
		"passport_issued": p.issued, "passport_expires": p.expires, "issuing_country": p.country, "representation": rep,
		"accessibility": "A seat near the door, please"} {
		form.Set(k, v)
	}
	joseReg, ok := regID(jose.must(http.MethodPost, "/meetings/"+slug+"/register", form, http.StatusSeeOther).location)
	if !ok {
		t.Fatal("José's registration: no id")
	}
	// His photo, so that the focal point's and the secretariat's lists are checked with a photo beside a name.
	photoPost(t, jose, joseReg, testPortrait(t, 600, 800))
	li := newClient(t, browser.base)
	li.login("delegate.ms@plenary.test", demoPassword)
	li.register(slug)
	sec := newClient(t, browser.base)
	sec.login("secretariat@plenary.test", demoPassword)
	var org string
	if err := conn.QueryRow(ctx, `SELECT id::text FROM organisations WHERE name LIKE 'China%'`).Scan(&org); err != nil {
		t.Fatalf("the Member State: %v", err)
	}
	docPost(t, sec, "/meetings/"+slug+"/documents/new", map[string][]string{
		"type": {"C"}, "title": {"Proposed revisions to the framework of network slicing for IMT-2020 and beyond"},
		"sources": {org}, "questions": {"Q20/13, Q6/13"},
	}, "proposal.pdf", []byte("%PDF-1.7\n% a contribution\n%%EOF\n"))

	visitor, delegate, focal, secr := newPerson(t, browser), newPerson(t, browser), newPerson(t, browser), newPerson(t, browser)
	for _, pp := range []person{visitor, delegate, focal, secr} {
		pp.do("make the window a phone's", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	}
	delegate.login(regDelegateSM, "José Müller-Ñúñez")
	focal.login(regFocalSM, "Aino Virtanen")
	secr.login("secretariat@plenary.test", "Sara Secretariat")
	visaPath := delegate.eval("find the visa request", `(() => {
		const a = document.querySelector('[data-testid="my-visa-link"]'); return a ? a.getAttribute('href') : ''; })()`)
	if visaPath == "" {
		delegate.open("/me")
		visaPath = delegate.eval("find the visa request", `(() => {
			const a = document.querySelector('[data-testid="my-visa-link"]'); return a ? a.getAttribute('href') : ''; })()`)
	}
	if visaPath == "" {
		t.Fatalf("José's /me links to no visa request:\n%s", delegate.text("main"))
	}
	docs := "/meetings/" + slug + "/documents"

	pages := []struct {
		who  person
		name string
		path string
	}{
		{visitor, "the meeting page (sessions)", letterPath},
		{visitor, "the agenda", letterPath + "/agenda"},
		{visitor, "the document list", docs},
		{visitor, "a document's page", docs + "/C1"},
		{delegate, "the delegate's page", "/me"},
		{delegate, "the visa request", visaPath},
		{focal, "the focal point's list", "/focal"},
		{focal, "the focal point's members", "/focal/members"},
		{secr, "the secretariat's home", "/secretariat/"},
		{secr, "the meeting's overview", "/secretariat/meetings/" + mid},
		{secr, "the meeting's details", "/secretariat/meetings/" + mid + "/details"},
		{secr, "the meeting's deadlines", "/secretariat/meetings/" + mid + "/deadlines"},
		{secr, "the meeting's sessions", "/secretariat/meetings/" + mid + "/sessions"},
		{secr, "the meeting's registration desk", "/secretariat/meetings/" + mid + "/desk"},
		{secr, "the meeting's co-located events", "/secretariat/meetings/" + mid + "/colocated"},
		{secr, "the meeting's agenda", "/secretariat/meetings/" + mid + "/agenda"},
		{secr, "the meeting's work items", "/secretariat/meetings/" + mid + "/work-items"},
		{secr, "the meeting's details in Arabic", "/secretariat/meetings/" + mid + "/details?lang=ar"},
		{secr, "the meeting's agenda in Chinese", "/secretariat/meetings/" + mid + "/agenda?lang=zh"},
		{secr, "the meeting's work items in Russian", "/secretariat/meetings/" + mid + "/work-items?lang=ru"},
		{secr, "the meeting's desk in French", "/secretariat/meetings/" + mid + "/desk?lang=fr"},
		{secr, "the meeting's history", "/secretariat/meetings/" + mid + "/history"},
		{secr, "the secretariat's registrations", "/secretariat/meetings/" + mid + "/registrations"},
		{secr, "the participants", "/secretariat/meetings/" + mid + "/participants"},
		{secr, "the participants from the check-ins", "/secretariat/meetings/" + mid + "/participants?basis=checked-in"},
		{secr, "the day's figures", "/secretariat/meetings/" + mid + "/figures"},
		{secr, "the visa queue", "/secretariat/meetings/" + mid + "/visas"},
		{secr, "the desk staff", "/secretariat/meetings/" + mid + "/desk-staff"},
		{secr, "the mail", "/secretariat/mail"},
		{secr, "the organisations", "/secretariat/organisations"},
		{secr, "an organisation", "/secretariat/organisations/" + org},
		{secr, "the representations", "/secretariat/representations"},
		{secr, "the document list as the secretariat", docs},
	}
	for _, lang := range phoneLanguages {
		t.Run(lang, func(t *testing.T) {
			for _, pp := range []person{visitor, delegate, focal, secr} {
				pp := pp.with(t)
				pp.open("/")
				if status := pp.submit("press the "+lang+" button", `[data-testid="lang-`+lang+`"]`); status != 200 {
					t.Fatalf("switching to %s: status %d", lang, status)
				}
			}
			for _, pg := range pages {
				pp := pg.who.with(t)
				name := pg.name + " (" + lang + ")"
				pp.open(pg.path)
				if got := pp.eval("read lang", `document.documentElement.lang`); got != lang {
					t.Errorf("%s: <html lang> = %q, want %s", name, got, lang)
				}
				pp.fitsPhone(name)
				pp.wordsWhole(name)
				pp.checkA11y(name)
			}
		})
	}
}

// wordsWhole fails when a date, a time or a short word in a table cell or a card's line is
// broken across two lines: each element marked nowrap (dates, times, states, modes) must render
// on one line, and in Chinese no cell of two to six characters may wrap.
func (b person) wordsWhole(name string) {
	b.t.Helper()
	broken := b.eval("find words broken across lines", `(() => {
		const lines = e => { const range = document.createRange(); range.selectNodeContents(e);
			const r = [...range.getClientRects()].filter(x => x.width > 0);
			return r.some(x => Math.abs(x.top - r[0].top) >= 2); };
		// Hidden: in a visually hidden element or a card's hidden column headings.
		const hidden = e => { for (let a = e; a && a !== document.body; a = a.parentElement) {
			const r = a.getBoundingClientRect(); if (r.width <= 2 || r.height <= 2) return true; } return false; };
		const out = [];
		// Dates, times and sizes: on one line in every language.
		for (const e of document.querySelectorAll('main time, main .nowrap, main .date')) {
			if (!hidden(e) && lines(e)) out.push(e.textContent.trim());
		}
		if (document.documentElement.lang === 'zh') {
			// In Chinese: column headings, states, terms, buttons and any short text alone in a cell.
			for (const e of document.querySelectorAll('main thead th, main .state, main .term, main button, main td, main th, main dd, main dt, main a, main label')) {
				const s = e.textContent.trim();
				const short = s.length >= 2 && s.length <= 6 && e.children.length === 0;
				if (!short && !e.matches('thead th, .state, .term, button')) continue;
				if (!hidden(e) && lines(e) && s.length <= 12) out.push(s);
			}
		}
		return [...new Set(out)].slice(0, 8).join(' | ');
	})()`)
	if broken != "" {
		b.t.Errorf("%s breaks inside a word or a date at %d px: %s", name, phoneWidth, broken)
	}
}

// docPost sends a document form with a file, as a browser sends it, and expects to be sent on
// to the document's page.
func docPost(t *testing.T, c *client, path string, fields map[string][]string, fileName string, content []byte) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	fw, err := w.CreateFormFile("file", fileName)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	req, err := http.NewRequest(http.MethodPost, c.base+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.c.Do(req)
	if err != nil {
		t.Fatalf("post %s: %v", path, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post %s: status %d, want 303", path, res.StatusCode)
	}
	if loc, _ := url.Parse(res.Header.Get("Location")); loc == nil || !strings.Contains(loc.Path, "/documents/") {
		t.Fatalf("post %s: sent to %q", path, res.Header.Get("Location"))
	}
}
