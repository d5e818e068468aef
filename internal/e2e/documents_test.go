package e2e_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// docTab opens a new browser context (its own cookies) for one person of the documents journey.
func docTab(b tab, t *testing.T) tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	return tab{t: t, ctx: ctx, base: b.base, axe: b.axe}
}

// docSignIn signs in with the demo password and switches the pages to English (the demo
// delegates of China read Chinese).
func docSignIn(b tab, email, name string) {
	b.t.Helper()
	b.open("/login")
	b.do("fill in the login form for "+email,
		chromedp.SendKeys(chromedp.CSS("#email"), email, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword, chromedp.NodeVisible))
	if status := b.submit("log in as "+email, `[data-testid="login-form"] button[type="submit"]`); status != 200 {
		b.t.Fatalf("after logging in as %s: status %d", email, status)
	}
	if got := b.text(`[data-testid="user-name"]`); got != name {
		b.t.Fatalf("signed in as %q, want %s", got, name)
	}
	if status := b.submit("switch to English", `[data-testid="lang-en"]`); status != 200 {
		b.t.Fatalf("after switching to English: status %d", status)
	}
}

// docFetch fetches a path from the page, with the person's cookies, and returns the final status
// and address, the Content-Disposition and the SHA-256 of the body.
func docFetch(b tab, path string) (status, url, disposition, sum string) {
	b.t.Helper()
	out := run(b, "fetch "+path, chromedp.Evaluate[string](`fetch(`+jsString(path)+`).then(async r => {
		const digest = await crypto.subtle.digest('SHA-256', await r.arrayBuffer());
		const hex = [...new Uint8Array(digest)].map(x => x.toString(16).padStart(2, '0')).join('');
		return [r.status, r.url, r.headers.get('content-disposition') || '', hex].join('\n');
	})`, chromedp.EvalAwaitPromise))
	parts := strings.SplitN(out, "\n", 4)
	if len(parts) != 4 {
		b.t.Fatalf("fetch %s: %q", path, out)
	}
	return parts[0], parts[1], parts[2], parts[3]
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestDocumentsJourney: a focal point confirms a delegate of their organisation; the delegate
// posts a contribution through the form; a visitor sees its title but cannot download it; members
// download it. Every page is checked with axe-core.
func TestDocumentsJourney(t *testing.T) {
	browser, _ := startPortal(t, nil)

	// The open demo meeting, whose contribution deadline is ahead.
	browser.open("/")
	slug := browser.eval("find the open demo meeting", `(() => {
		const a = [...document.querySelectorAll('[data-testid="meetings-upcoming"] a[href^="/meetings/sg13-wp-"]')]
			.find(a => a.getAttribute('href') !== '`+letterPath+`');
		return a ? a.getAttribute('href').slice('/meetings/'.length) : '';
	})()`)
	if slug == "" || strings.Contains(slug, "/") {
		t.Fatalf("no open demo meeting among the upcoming meetings:\n%s", browser.text("main"))
	}
	docs := "/meetings/" + slug + "/documents"

	// The file the delegate posts, with a name in Chinese.
	content := []byte("%PDF-1.7\n% Proposed modifications to Y.CNAO\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	file := filepath.Join(t.TempDir(), "Y.CNAO 修改建议.pdf")
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(content)
	sum := hex.EncodeToString(digest[:])
	const title = "Proposed modifications to draft Recommendation ITU-T Y.CNAO"

	focal := docTab(browser, t)
	delegate := docTab(browser, t)
	visitor := docTab(browser, t)

	if !t.Run("the focal point confirms the delegate", func(t *testing.T) {
		focal := focal
		focal.t = t
		docSignIn(focal, "focal.ms@plenary.test", "Wei Zhang")
		focal.open(docs)
		focal.follow("open the members page", `main a[href="/focal/members"]`)
		focal.do("see the members page", chromedp.WaitVisible(chromedp.CSS(`[data-testid="members"]`)))
		focal.checkA11y("the members page")
		row := focal.eval("find the delegate's row", `(() => {
			const tr = [...document.querySelectorAll('[data-testid="members"] tbody tr')].find(r => r.textContent.includes('delegate.ms@plenary.test'));
			return tr ? tr.getAttribute('data-testid') : '';
		})()`)
		if row == "" {
			t.Fatalf("the delegate is not on the members page:\n%s", focal.text("main"))
		}
		if got := focal.text(`[data-testid="` + row + `"] [data-testid="member-status"]`); got != "Awaiting confirmation" {
			t.Errorf("the delegate's status = %q", got)
		}
		if status := focal.submit("confirm the delegate", `[data-testid="`+row+`"] [data-testid="member-confirm"]`); status != 200 {
			t.Fatalf("after confirming: status %d", status)
		}
		if got := focal.text(`[data-testid="` + row + `"] [data-testid="member-status"]`); !strings.HasPrefix(got, "Confirmed on") {
			t.Errorf("after confirming, the status = %q", got)
		}
		focal.checkA11y("the members page after confirming")
	}) {
		return
	}

	if !t.Run("the delegate posts a contribution", func(t *testing.T) {
		delegate := delegate
		delegate.t = t
		docSignIn(delegate, "delegate.ms@plenary.test", "Li Na")
		delegate.open(docs)
		delegate.checkA11y("the list of documents, empty, for a member")
		delegate.follow("open the form", `[data-testid="doc-new"]`)
		delegate.do("see the form", chromedp.WaitVisible(chromedp.CSS(`[data-testid="doc-form"]`)))
		delegate.checkA11y("the form of a new contribution")
		delegate.do("fill in the form",
			chromedp.SendKeys(chromedp.CSS("#title"), title, chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.CSS("#questions"), "Q20/13", chromedp.NodeVisible),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}, chromedp.NodeReady))
		if status := delegate.submit("post the contribution", `[data-testid="doc-submit"]`); status != 200 {
			t.Fatalf("after posting: status %d\n%s", status, delegate.text("main"))
		}
		if got := delegate.path(); got != docs+"/C1" {
			t.Fatalf("after posting the browser is at %q, want %s/C1\n%s", got, docs, delegate.text("main"))
		}
		if got := delegate.text(`[data-testid="flash"]`); got != "SG13-C1 is posted." {
			t.Errorf("flash = %q", got)
		}
		if got := delegate.text(`h1 [data-testid="doc-title"]`); got != title {
			t.Errorf("title = %q", got)
		}
		delegate.checkA11y("the contribution's page")
	}) {
		return
	}

	t.Run("a visitor sees the title but cannot download", func(t *testing.T) {
		visitor := visitor
		visitor.t = t
		visitor.open(docs)
		if got := visitor.text(`[data-testid="doc-C1"] [data-testid="doc-title"]`); got != title {
			t.Errorf("the visitor sees the title %q", got)
		}
		if got := visitor.eval("count the download links", `String(document.querySelectorAll('[data-testid="doc-download"]').length)`); got != "0" {
			t.Errorf("the visitor is offered %s download link(s)", got)
		}
		if got := visitor.text(`[data-testid="doc-access"]`); !strings.Contains(got, "only to members") {
			t.Errorf("the visitor is told %q", got)
		}
		visitor.checkA11y("the list of documents for a visitor")
		status, url, disposition, got := docFetch(visitor, docs+"/C1/file")
		if status != "200" || !strings.Contains(url, "/login?next=") || disposition != "" || got == sum {
			t.Errorf("the visitor fetching the file got status %s at %s (%q): the file was served or not refused", status, url, disposition)
		}
	})

	t.Run("the delegate posts a revision", func(t *testing.T) {
		delegate := delegate
		delegate.t = t
		rev := filepath.Join(t.TempDir(), "Y.CNAO rev1.docx")
		if err := os.WriteFile(rev, []byte("PK\x03\x04 a revised Word file"), 0o644); err != nil {
			t.Fatal(err)
		}
		delegate.open(docs + "/C1")
		delegate.do("choose the revised file", chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="doc-revise"] #file`), []string{rev}, chromedp.NodeReady))
		if status := delegate.submit("post the revision", `[data-testid="doc-revise"] button[type="submit"]`); status != 200 {
			t.Fatalf("after posting the revision: status %d", status)
		}
		if got := delegate.text(`[data-testid="flash"]`); got != "Rev.1 of SG13-C1 is posted." {
			t.Errorf("flash = %q", got)
		}
		if got := delegate.text(`[data-testid="doc-rev-0"] a`) + " | " + delegate.text(`[data-testid="doc-rev-1"] a`); got != "Y.CNAO 修改建议.pdf | Y.CNAO rev1.docx" {
			t.Errorf("files = %q", got)
		}
		delegate.checkA11y("the contribution's page with a revision")
	})

	t.Run("the secretariat posts a TD on the agenda", func(t *testing.T) {
		sec := docTab(browser, t)
		docSignIn(sec, secretariat, "Sara Secretariat")
		sec.open(docs + "/new")
		sec.checkA11y("the secretariat's form of a new document")
		// Refused first: a TD needs its series and a title.
		sec.do("choose a TD without series", chromedp.SetValue(chromedp.CSS("#type"), "TD", chromedp.NodeVisible))
		if status := sec.submit("post a TD without series", `[data-testid="doc-submit"]`); status != 422 {
			t.Fatalf("a TD without series or title: status %d", status)
		}
		if got := sec.text(`[data-testid="error-suffix"]`); got != "Choose the TD series: GEN, PLEN or a working party." {
			t.Errorf("message beside the series = %q", got)
		}
		sec.checkA11y("the secretariat's form with errors")
		option := func(id, prefix string) string {
			return sec.eval("find the option "+prefix, `(() => {
				const o = [...document.querySelectorAll('#`+id+` option')].find(o => o.textContent.startsWith(`+jsString(prefix)+`));
				return o ? o.value : '';
			})()`)
		}
		item5, cnao := option("agenda_item", "WP1/13 – 5."), option("work_item", "Y.CNAO (")
		if item5 == "" || cnao == "" {
			t.Fatalf("no option for WP1/13's item 5 (%q) or Y.CNAO (%q)", item5, cnao)
		}
		sec.do("fill in the TD",
			chromedp.SetValue(chromedp.CSS("#suffix"), "WP1", chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.CSS("#title"), "Draft new Recommendation ITU-T Y.CNAO", chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.CSS("#source_text"), "Editors", chromedp.NodeVisible),
			chromedp.SetValue(chromedp.CSS("#agenda_item"), item5, chromedp.NodeVisible),
			chromedp.SetValue(chromedp.CSS("#work_item"), cnao, chromedp.NodeVisible),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}, chromedp.NodeReady))
		if status := sec.submit("post the TD", `[data-testid="doc-submit"]`); status != 200 {
			t.Fatalf("after posting the TD: status %d\n%s", status, sec.text("main"))
		}
		if got := sec.path(); got != docs+"/TD1" {
			t.Fatalf("after posting the TD the browser is at %s", got)
		}
		sec.checkA11y("the TD's page for the secretariat")
		sec.follow("open the edit form", `[data-testid="doc-edit"]`)
		sec.do("see the edit form", chromedp.WaitVisible(chromedp.CSS(`[data-testid="doc-form"]`)))
		sec.checkA11y("the edit form of a TD")
		visitor := visitor
		visitor.t = t
		visitor.open("/meetings/" + slug + "/agenda/wp1")
		if got := visitor.text(`[data-testid="agenda-item"][value="5"] [data-testid="agenda-documents"]`); got != "SG13-TD1/WP1 Draft new Recommendation ITU-T Y.CNAO" {
			t.Errorf("WP1/13's item 5 lists %q", got)
		}
		visitor.checkA11y("the agenda with documents")
	})

	t.Run("members download the file", func(t *testing.T) {
		for _, who := range []tab{delegate, focal} {
			who.t = t
			status, url, disposition, got := docFetch(who, docs+"/C1/rev/0")
			if status != "200" || !strings.HasSuffix(url, docs+"/C1/rev/0") {
				t.Fatalf("download: status %s at %s", status, url)
			}
			if got != sum {
				t.Errorf("the file came back with SHA-256 %s, want %s", got, sum)
			}
			if want := "filename*=UTF-8''Y.CNAO%20%E4%BF%AE%E6%94%B9%E5%BB%BA%E8%AE%AE.pdf"; !strings.Contains(disposition, want) || !strings.HasPrefix(disposition, "attachment;") {
				t.Errorf("Content-Disposition = %q, want an attachment with %s", disposition, want)
			}
		}
		delegate := delegate
		delegate.t = t
		delegate.open(docs)
		if got := delegate.eval("read the download link", `document.querySelector('[data-testid="doc-C1"] [data-testid="doc-download"]').textContent`); got != "DOCX, 24 B, download SG13-C1" {
			t.Errorf("the member's download link reads %q", got)
		}
		delegate.checkA11y("the list of documents for a member")
	})
}
