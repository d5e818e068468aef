package site_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

var wantWorkItems = map[string][]string{
	"wp1": {"Y.CNAO", "Y.LDT-reqs-funcs", "Y.IMT2020-MEVE-req-frame", "Y.IMT2020-STI-NS", "Y.FMSC-ConTrans", "Y.FMSC-LDS", "Y.FMSC-MEC", "Y.FMSC-InNetFL"},
	"wp2": {"Y.cdp-reqts", "Y.3601-rev", "Y.3505-rev", "Y.mc-arch", "Y.ccmm-reqts", "Y.ccimvc"},
	"wp3": {"Y.CPN-DF", "Y.NGNe-IBN-arch", "Y.Suppl.CPN-SR", "Y.Suppl.NGNe-UC-SCE", "Y.bDDN-MecArch-KC", "Y.bDDN-AM-COINO", "Y.ICN-INP", "Y.DTN-DataFrame"},
	"wp4": {"Y.supp.mlip", "Supp-Y.MBIMT2020-Gen", "Y.expBDtech-frame", "Y.det-FQ-fa", "Y.IMT-2020-qos-lstn-req", "Y.qos-req-ti", "Y.IMT-2020-qos-cnc-req", "Y.IMT2020-QoS-FMSC", "Y.QKDNi-qos-fa", "Y.QKDN-qos-sdnc", "Y.QKDN-qos-fr-req", "Y.QKD-orfr", "Y.QKD-rsff"},
}

const zhTitle = "第1/13、2/13、3/13和4/13工作组会议"

func TestHomeListsMeetings(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	p := ts.browser().get("/")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	past := testid(d, "meetings-past").Find(`a[href="` + letterPath + `"]`)
	if text(past) != "Meetings of Working Parties 1/13, 2/13, 3/13 and 4/13" {
		t.Errorf("past meetings link = %q", text(past))
	}
	if !strings.Contains(text(testid(d, "meetings-past")), "SG13 · 25 July 2025 · Geneva") {
		t.Errorf("past meetings = %q", text(testid(d, "meetings-past")))
	}
	upcoming := testid(d, "meetings-upcoming").Find(`a[href^="/meetings/sg13-wp-"]`)
	if upcoming.Length() != 1 {
		t.Errorf("%d upcoming meetings, want the demo meeting", upcoming.Length())
	}
	if d.Find("html").AttrOr("lang", "") != "en" {
		t.Errorf("html lang = %q, want en", d.Find("html").AttrOr("lang", ""))
	}

	// Before the meeting, it is upcoming.
	before := newSiteOver(t, ts.db, time.Date(2025, 7, 25, 20, 0, 0, 0, time.UTC)).browser().get("/")
	wantStatus(t, before, http.StatusOK)
	if testid(before.doc(t), "meetings-upcoming").Find(`a[href="`+letterPath+`"]`).Length() != 1 {
		t.Error("the meeting is not upcoming on its own day")
	}
}

func TestMeetingPageShowsTheLetter(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	p := ts.browser().get(letterPath)
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)

	if got := text(testid(d, "meeting-title")); got != "Meetings of Working Parties 1/13, 2/13, 3/13 and 4/13" {
		t.Errorf("title = %q", got)
	}
	if testid(d, "meeting-past").Length() != 1 {
		t.Error("the meeting is not marked as past the day after")
	}

	// Sessions in time order, local time.
	rows := testid(d, "sessions").Find("tbody tr")
	var got []string
	rows.Each(func(_ int, r *goquery.Selection) {
		got = append(got, r.AttrOr("data-testid", "")+" "+text(r.Find(`[data-testid="session-time"]`))+" "+text(r.Find("td").First()))
	})
	want := []string{
		"session-wp4 09:00 Friday, 25 July 2025",
		"session-wp3 10:30 Friday, 25 July 2025",
		"session-wp1 14:00 Friday, 25 July 2025",
		"session-wp2 15:00 Friday, 25 July 2025",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sessions =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(text(testid(d, "session-wp1").Find("th")), "WP1/13") {
		t.Errorf("WP1 row heading = %q", text(testid(d, "session-wp1").Find("th")))
	}

	// Deadlines, all passed the day after the meeting.
	wantDeadlines := map[string]string{
		"deadline-contributions_for_translation": "Sunday, 25 May 2025",
		"deadline-pre_registration":              "Wednesday, 25 June 2025",
		"deadline-visa_support_request":          "Wednesday, 25 June 2025",
		"deadline-contributions":                 "Tuesday, 1 July 2025",
	}
	if n := testid(d, "deadlines").Find("tbody tr").Length(); n != 4 {
		t.Errorf("%d deadlines, want 4", n)
	}
	for id, date := range wantDeadlines {
		row := testid(d, id)
		if row.Length() != 1 {
			t.Errorf("no deadline row %s", id)
			continue
		}
		if got := text(row.Find("td").First()); got != date {
			t.Errorf("%s date = %q, want %q", id, got, date)
		}
		if got := text(row.Find(`[data-testid="deadline-status"]`)); got != "Passed" {
			t.Errorf("%s status = %q, want Passed", id, got)
		}
	}

	if n := testid(d, "colocated").Find("li").Length(); n != 3 {
		t.Errorf("%d co-located events, want 3", n)
	}
	if !strings.Contains(text(testid(d, "colocated")), "JCA-IMT2020") {
		t.Errorf("co-located events = %q", text(testid(d, "colocated")))
	}

	facts := map[string]string{
		"fact-languages":      "English only",
		"fact-interpretation": "No interpretation",
		"fact-fellowships":    "No fellowships",
		"fact-paperless":      "Paperless meeting: documents are posted online only",
		"fact-dates":          "25 July 2025",
	}
	for id, want := range facts {
		if got := text(testid(d, id)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	contact := testid(d, "contact")
	if contact.Find(`a[href="mailto:tsbsg13@itu.int"]`).Text() != "tsbsg13@itu.int" {
		t.Errorf("contact lacks the secretariat's email: %q", text(contact))
	}
	if contact.Find(`a[href="tel:+41227305126"]`).Text() != "+41 22 730 5126" {
		t.Errorf("contact lacks the secretariat's phone: %q", text(contact))
	}
	if d.Find(`a[href="`+letterPath+`/agenda"]`).Length() == 0 || testid(d, "ics-link").AttrOr("href", "") != letterPath+"/agenda.ics" {
		t.Error("no links to the agenda and the calendar file")
	}
}

func TestDeadlineStatusFollowsTheClock(t *testing.T) {
	t.Parallel()
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	// Midday in Geneva on the pre-registration deadline.
	ts := newSite(t, time.Date(2025, 6, 25, 12, 0, 0, 0, zurich))
	p := ts.browser().get(letterPath)
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	want := map[string]string{
		"deadline-contributions_for_translation": "Passed",
		"deadline-pre_registration":              "Today",
		"deadline-visa_support_request":          "Today",
		"deadline-contributions":                 "In 6 days",
	}
	for id, w := range want {
		if got := text(testid(d, id).Find(`[data-testid="deadline-status"]`)); got != w {
			t.Errorf("%s status = %q, want %q", id, got, w)
		}
	}
	if testid(d, "meeting-past").Length() != 0 {
		t.Error("the meeting is marked past a month before")
	}
	// One minute after midnight in Geneva (still the 25th in UTC), pre-registration is over.
	late := newSiteOver(t, ts.db, time.Date(2025, 6, 25, 22, 1, 0, 0, time.UTC)).browser().get(letterPath)
	wantStatus(t, late, http.StatusOK)
	if got := text(testid(late.doc(t), "deadline-pre_registration").Find(`[data-testid="deadline-status"]`)); got != "Passed" {
		t.Errorf("pre-registration at 00:01 in Geneva = %q, want Passed", got)
	}
}

func TestAgendaListsEveryWorkItemUnderItsWorkingParty(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	p := ts.browser().get(letterPath + "/agenda")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	total := 0
	for _, wp := range []string{"wp1", "wp2", "wp3", "wp4"} {
		sec := testid(d, "agenda-"+wp)
		if sec.Length() != 1 {
			t.Errorf("%d sections agenda-%s, want 1", sec.Length(), wp)
			continue
		}
		if n := sec.Find(`[data-testid="agenda-item"]`).Length(); n != 11 {
			t.Errorf("%s has %d agenda items, want 11", wp, n)
		}
		var acronyms []string
		sec.Find(`[data-testid="acronym"]`).Each(func(_ int, s *goquery.Selection) { acronyms = append(acronyms, text(s)) })
		total += len(acronyms)
		if strings.Join(sortedCopy(acronyms), ",") != strings.Join(sortedCopy(wantWorkItems[wp]), ",") {
			t.Errorf("%s acronyms = %v, want %v", wp, acronyms, wantWorkItems[wp])
		}
	}
	if total != 35 {
		t.Errorf("%d work items on the agenda, want 35", total)
	}
	// Supplements are listed under "agreement", Recommendations under "consent".
	if got := texts(testid(d, "agenda-wp3").Find(`[data-testid="work-items-agreement"] [data-testid="acronym"]`)); got != "Y.Suppl.CPN-SR|Y.Suppl.NGNe-UC-SCE" {
		t.Errorf("WP3 supplements = %q", got)
	}
	if got := text(testid(d, "agenda-wp4").Find(`[data-testid="agenda-session"]`)); !strings.Contains(got, "09:00") {
		t.Errorf("WP4 session line = %q, want 09:00", got)
	}
}

func TestAgendaOfOneWorkingParty(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()
	p := b.get(letterPath + "/agenda/wp1")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if testid(d, "agenda-wp1").Length() != 1 {
		t.Fatal("no WP1 section")
	}
	for _, other := range []string{"agenda-wp2", "agenda-wp3", "agenda-wp4"} {
		if testid(d, other).Length() != 0 {
			t.Errorf("the WP1 agenda shows %s", other)
		}
	}
	if n := d.Find(`[data-testid="acronym"]`).Length(); n != 8 {
		t.Errorf("%d work items on the WP1 agenda, want 8", n)
	}
	if got := text(testid(d, "agenda-title")); !strings.Contains(got, "WP1/13") {
		t.Errorf("title = %q", got)
	}

	missing := b.get(letterPath + "/agenda/wp9")
	wantStatus(t, missing, http.StatusNotFound)
	if got := text(testid(missing.doc(t), "error-message")); got != "This meeting has no such working party." {
		t.Errorf("wp9 message = %q", got)
	}
}

func TestUnknownPagesAre404(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()
	for path, msg := range map[string]string{
		"/meetings/no-such-meeting":             "There is no such meeting.",
		"/meetings/no-such-meeting/agenda":      "There is no such meeting.",
		"/meetings/no-such-meeting/agenda.ics":  "There is no such meeting.",
		"/no/such/page":                         "There is no page at this address.",
		"/meetings/no-such-meeting/agenda/wp1x": "There is no such meeting.",
	} {
		p := b.get(path)
		wantStatus(t, p, http.StatusNotFound)
		d := p.doc(t)
		if testid(d, "error-title").Length() != 1 {
			t.Errorf("%s: not the error page", path)
		}
		if got := text(testid(d, "error-message")); !strings.HasPrefix(got, msg) {
			t.Errorf("%s: message %q, want %q", path, got, msg)
		}
	}
}

func TestChineseFromAcceptLanguageAndFromTheCookie(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	zh := ts.cat.For("zh")
	check := func(name string, p page) {
		t.Helper()
		wantStatus(t, p, http.StatusOK)
		d := p.doc(t)
		if lang := d.Find("html").AttrOr("lang", ""); lang != "zh" {
			t.Errorf("%s: html lang = %q, want zh", name, lang)
		}
		if got := text(testid(d, "meeting-title")); got != zhTitle {
			t.Errorf("%s: title = %q, want %q", name, got, zhTitle)
		}
		if got := text(d.Find("#sessions-h")); got != zh.T("meeting.sessions") || !hasHan(got) {
			t.Errorf("%s: sessions heading = %q, want %q", name, got, zh.T("meeting.sessions"))
		}
		if got := text(testid(d, "deadline-pre_registration").Find(`[data-testid="deadline-status"]`)); got != "已过" {
			t.Errorf("%s: deadline status = %q, want 已过", name, got)
		}
		if got := text(testid(d, "fact-interpretation")); got != zh.T("meeting.interpretation_no") || !hasHan(got) {
			t.Errorf("%s: interpretation = %q", name, got)
		}
		if got := testid(d, "lang-zh").AttrOr("aria-pressed", ""); got != "true" {
			t.Errorf("%s: the 中文 button is not pressed", name)
		}
	}
	b := ts.browser()
	check("Accept-Language zh-CN", b.get(letterPath, "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5"))
	check("cookie", b.get(letterPath, "Cookie", "lang=zh", "Accept-Language", "en-GB,en;q=0.9"))

	en := b.get(letterPath, "Accept-Language", "de-CH,de;q=0.9")
	wantStatus(t, en, http.StatusOK)
	if got := en.doc(t).Find("html").AttrOr("lang", ""); got != "en" {
		t.Errorf("German visitor gets lang %q, want en", got)
	}
	fr := b.get(letterPath, "Accept-Language", "fr-CH,fr;q=0.9")
	wantStatus(t, fr, http.StatusOK)
	if got := fr.doc(t).Find("html").AttrOr("lang", ""); got != "fr" {
		t.Errorf("French visitor gets lang %q, want fr", got)
	}
	if got := text(fr.doc(t).Find("#sessions-h")); got != "Séances" {
		t.Errorf("French sessions heading = %q, want Séances", got)
	}

	agenda := b.get(letterPath+"/agenda", "Accept-Language", "zh-CN")
	wantStatus(t, agenda, http.StatusOK)
	d := agenda.doc(t)
	if got := text(testid(d, "agenda-wp1").Find(".item-title").First()); got != "开幕致辞和欢迎" {
		t.Errorf("first WP1 agenda item in Chinese = %q", got)
	}
	if got := text(testid(d, "agenda-title")); got != zh.T("agenda.title") {
		t.Errorf("agenda title = %q, want %q", got, zh.T("agenda.title"))
	}
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()
	p := b.post("/language", form("lang", "zh", "next", letterPath+"/agenda?x=1"))
	wantRedirect(t, p, letterPath+"/agenda?x=1")
	c := cookieNamed(p.Response, "lang")
	if c == nil || c.Value != "zh" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("lang cookie = %+v", c)
	}
	next := b.get(letterPath)
	wantStatus(t, next, http.StatusOK)
	if got := text(testid(next.doc(t), "meeting-title")); got != zhTitle {
		t.Errorf("after choosing 中文 the title is %q", got)
	}

	for _, evil := range []string{"https://evil.example/", "//evil.example/x", `/\evil.example`, "evil", "", "/ok\r\nSet-Cookie: x=y"} {
		p := b.post("/language", form("lang", "en", "next", evil))
		wantRedirect(t, p, "/")
	}
	bad := b.post("/language", form("lang", "xx", "next", "/"))
	wantStatus(t, bad, http.StatusBadRequest)
	if cookieNamed(bad.Response, "lang") != nil {
		t.Error("an unknown language set the cookie")
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()
	for _, path := range []string{"/", letterPath, letterPath + "/agenda", "/login", "/signup", "/no-such-page"} {
		p := b.get(path)
		csp := p.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q lacks default-src 'none' or frame-ancestors 'none'", path, csp)
		}
		if got := p.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
		if got := p.Header.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options %q", path, got)
		}
		if got := p.Header.Get("Referrer-Policy"); got == "" {
			t.Errorf("%s: no Referrer-Policy", path)
		}
		if got := p.Header.Get("Permissions-Policy"); !strings.Contains(got, "camera=()") {
			t.Errorf("%s: Permissions-Policy %q", path, got)
		}
		if got := p.Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("%s over plain HTTP: Strict-Transport-Security %q", path, got)
		}
		// The CSP forbids inline code, so the pages must have none.
		d := p.doc(t)
		d.Find("script").Each(func(_ int, s *goquery.Selection) {
			if _, ok := s.Attr("src"); !ok {
				t.Errorf("%s: inline <script>", path)
			}
		})
		if n := d.Find("style, [style]").Length(); n > 0 {
			t.Errorf("%s: %d inline styles", path, n)
		}
		d.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, a := range s.Nodes[0].Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: inline event handler %s", path, a.Key)
				}
			}
		})
	}

	// Behind a TLS-terminating proxy the answer asks browsers to keep to HTTPS.
	req, err := http.NewRequest(http.MethodGet, ts.srv.URL+letterPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-Proto", "https")
	res, err := ts.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("over HTTPS: Strict-Transport-Security %q", got)
	}
	// The headers every answer shares are shared values: one answer's changes must not reach the
	// next (the visa pages set their own Referrer-Policy, for one).
	if got := b.get(letterPath).Header.Values("Referrer-Policy"); len(got) != 1 || got[0] != "same-origin" {
		t.Errorf("Referrer-Policy after other answers: %q", got)
	}
}

func TestCalendarFile(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	p := ts.browser().get(letterPath + "/agenda.ics")
	wantStatus(t, p, http.StatusOK)
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type = %q", ct)
	}
	if n := strings.Count(p.body, "BEGIN:VEVENT\r\n"); n != 8 {
		t.Errorf("%d events, want 8: the 4 sessions and the 4 deadlines", n)
	}
	if n := strings.Count(p.body, "DTSTART;VALUE=DATE:"); n != 4 {
		t.Errorf("%d all-day events, want the 4 deadlines", n)
	}
	if n := strings.Count(p.body, "DTEND;TZID=Europe/Zurich:"); n != 4 {
		t.Errorf("%d sessions with an end, want all 4", n)
	}
	for _, want := range []string{"DTSTART;TZID=Europe/Zurich:20250725T090000", "DTSTART;TZID=Europe/Zurich:20250725T150000", "BEGIN:VTIMEZONE"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("calendar lacks %s", want)
		}
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}
