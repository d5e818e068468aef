package e2e_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// langPages are the six languages the interface speaks, with a word each page must show in it
// (so that a page that fell back to English is caught).
var langPages = []struct {
	tag, dir, sessions, agenda string
}{
	{"en", "ltr", "Sessions", "Draft agenda"},
	{"zh", "ltr", "会议时间", "议程草案"},
	{"fr", "ltr", "Séances", "Projet d'ordre du jour"},
	{"es", "ltr", "Sesiones", "Proyecto de orden del día"},
	{"ru", "ltr", "Заседания", "Проект повестки дня"},
	{"ar", "rtl", "الجلسات", "مشروع جدول الأعمال"},
}

// TestSixLanguagesOnAPhone opens the meeting page, the agenda, the registration form with its
// errors, the delegate's page and the focal point's list in each of the six languages in a
// 390 px wide window, and checks on each page: lang and dir on <html>, no sideways scrolling,
// zero axe-core violations; and that the Arabic pages are mirrored, read from where the browser
// puts the elements.
func TestSixLanguagesOnAPhone(t *testing.T) {
	browser, _ := startPortal(t, nil)

	browser.open("/")
	slug := browser.eval("find the open demo meeting", `(() => {
		const a = [...document.querySelectorAll('[data-testid="meetings-upcoming"] a[href^="/meetings/sg13-wp-"]')]
			.find(a => a.getAttribute('href') !== '`+letterPath+`');
		return a ? a.getAttribute('href').slice('/meetings/'.length) : '';
	})()`)
	if slug == "" || strings.Contains(slug, "/") {
		t.Fatalf("no open demo meeting among the upcoming meetings:\n%s", browser.text("main"))
	}

	visitor, delegate, focal := newPerson(t, browser), newPerson(t, browser), newPerson(t, browser)
	for _, p := range []person{visitor, delegate, focal} {
		p.do("narrow the window to 390 px", chromedp.EmulateViewport(390, 844))
	}
	signIn := func(p person, email string) {
		p.open("/login")
		p.do("fill in the login form for "+email,
			chromedp.SendKeys(chromedp.CSS("#email"), email, chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.CSS("#password"), demoPassword, chromedp.NodeVisible))
		if status := p.submit("log in as "+email, `[data-testid="login-form"] button[type="submit"]`); status != 200 {
			p.t.Fatalf("after logging in as %s: status %d", email, status)
		}
		if p.text(`[data-testid="user-name"]`) == "" {
			p.t.Fatalf("%s is not signed in", email)
		}
	}
	signIn(delegate, "delegate.ms@plenary.test")
	signIn(focal, "focal.ms@plenary.test")

	for _, l := range langPages {
		t.Run(l.tag, func(t *testing.T) {
			visitor, delegate, focal := visitor.with(t), delegate.with(t), focal.with(t)
			// check runs what every page must pass, in this language, on a phone.
			check := func(p person, name string) {
				t.Helper()
				name += " (" + l.tag + ")"
				if got := p.eval("read lang", `document.documentElement.lang`); got != l.tag {
					t.Errorf("%s: <html lang> = %q, want %s", name, got, l.tag)
				}
				if got := p.eval("read dir", `document.documentElement.dir`); got != l.dir {
					t.Errorf("%s: <html dir> = %q, want %s", name, got, l.dir)
				}
				if got := p.eval("measure the width", `String(document.documentElement.scrollWidth)`); got != "390" {
					n, _ := strconv.Atoi(got)
					if n > 390 {
						what := p.eval("find what is wider than the window", `[...document.querySelectorAll('main *')]
							.filter(e => e.getBoundingClientRect().right > 391 || e.getBoundingClientRect().left < -1)
							.slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40)).join(' | ')`)
						t.Errorf("%s scrolls sideways at 390 px: the page is %s px wide (%s)", name, got, what)
					}
				}
				p.checkA11y(name)
			}

			visitor.open("/")
			if status := visitor.submit("press the "+l.tag+" button", `[data-testid="lang-`+l.tag+`"]`); status != 200 {
				t.Fatalf("switching to %s: status %d", l.tag, status)
			}
			visitor.open(letterPath)
			if got := visitor.text("#sessions-h"); got != l.sessions {
				t.Errorf("sessions heading = %q, want %q", got, l.sessions)
			}
			check(visitor, "the meeting page")
			if l.dir == "rtl" {
				// The first column of the sessions table is on the right, and the heading starts at
				// the right edge of the page.
				order := visitor.eval("read the columns' places", `(() => {
					const th = [...document.querySelectorAll('[data-testid="sessions"] thead th')];
					const r = th.map(e => e.getBoundingClientRect());
					const h1 = document.querySelector('main h1').getBoundingClientRect();
					const main = document.querySelector('main').getBoundingClientRect();
					return [r.length, r.every((x, i) => i === 0 || x.right <= r[i-1].left + 1), Math.round(main.right - h1.right) < 40].join(',');
				})()`)
				if !strings.HasPrefix(order, "4,") || order != "4,true,true" {
					t.Errorf("Arabic sessions table is not mirrored (columns, each left of the one before, heading on the right) = %s", order)
				}
			}
			visitor.open(letterPath + "/agenda")
			if got := visitor.text(`[data-testid="agenda-title"]`); got != l.agenda {
				t.Errorf("agenda title = %q, want %q", got, l.agenda)
			}
			check(visitor, "the agenda")
			if l.dir == "rtl" {
				// Each work-item table's first column is on the right, each next one left of it.
				order := visitor.eval("read the agenda's columns", `(() => {
					const tables = [...document.querySelectorAll('table.work-items')];
					const mirrored = tables.every(t => { const r = [...t.querySelectorAll('thead th')].map(e => e.getBoundingClientRect());
						return r.length > 1 && r.every((x, i) => i === 0 || x.right <= r[i-1].left + 1); });
					return [tables.length > 0, mirrored].join(',');
				})()`)
				if order != "true,true" {
					t.Errorf("the Arabic agenda's work-item tables are not mirrored (tables found, columns each left of the one before) = %s", order)
				}
			}

			delegate.open("/")
			delegate.submit("press the "+l.tag+" button", `[data-testid="lang-`+l.tag+`"]`)
			delegate.open("/meetings/" + slug + "/register")
			if delegate.count(`[data-testid="register-form"]`) == 1 {
				delegate.submit("send the form with nothing chosen", `[data-testid="register-submit"]`)
				if delegate.count(`[data-testid="error-summary"] a[href^="#"]`) == 0 {
					t.Errorf("the registration form sent empty shows no error summary linking to its fields:\n%s", delegate.text("main"))
				}
				if l.dir == "rtl" {
					// The error summary is mirrored: its heading and each line start at the right, the
					// list's bullets (its padding-inline-start) are on the right, and so are the fields'
					// labels and the messages beside them. Text is measured through a Range, whose first
					// box is where its first line starts, however wide the element's box is.
					side := delegate.eval("read the summary's and the form's sides", `(() => {
						const first = e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects()[0]; };
						const startsRight = (e, box) => { const f = first(e); return !!f && Math.abs(box.right - f.right) <= 2 && f.left - box.left > 0; };
						const sum = document.querySelector('[data-testid="error-summary"]');
						const content = e => { const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
							return {left: r.left + parseFloat(cs.borderLeftWidth) + parseFloat(cs.paddingLeft), right: r.right - parseFloat(cs.borderRightWidth) - parseFloat(cs.paddingRight)}; };
						const out = [];
						out.push('heading:' + startsRight(sum.querySelector('h2'), content(sum)));
						const ul = sum.querySelector('ul'), u = ul.getBoundingClientRect();
						const lis = [...ul.querySelectorAll('li')];
						out.push('lines:' + lis.length);
						out.push('bullets-right:' + lis.every(li => { const r = li.getBoundingClientRect(); return u.right - r.right > 10 && r.left - u.left < 2; }));
						out.push('links-right:' + lis.every(li => startsRight(li.querySelector('a'), content(li))));
						const form = document.querySelector('[data-testid="register-form"]');
						const labels = [...form.querySelectorAll('label, legend')].filter(e => e.offsetParent !== null && getComputedStyle(e).display === 'block');
						// A label or legend is as wide as its text, or follows its checkbox: its text ends
						// at most a checkbox's width from the right edge of its fieldset (or the form), and
						// the short ones leave the left side empty.
						const box = e => content(e.tagName === 'LEGEND' ? e.parentNode : (e.closest('fieldset') || form));
						const near = e => { const r = first(e), f = box(e); return !!r && f.right - r.right <= 40; };
						const short = e => { const r = first(e), f = box(e); return !!r && r.left - f.left > f.right - r.right; };
						out.push('labels:' + (labels.length > 0) + ',' + labels.every(near) + ',' + labels.some(short));
						const errs = [...form.querySelectorAll('.field-error')];
						out.push('field-errors:' + (errs.length > 0) + ',' + errs.every(e => startsRight(e, content(e))));
						return out.join(' ');
					})()`)
					if want := "heading:true lines:" + strconv.Itoa(delegate.count(`[data-testid="error-summary"] li`)) +
						" bullets-right:true links-right:true labels:true,true,true field-errors:true,true"; side != want {
						t.Errorf("the Arabic registration form's error summary or fields are not mirrored:\n got %s\nwant %s", side, want)
					}
				}
				check(delegate, "the registration form with errors")
			} else {
				t.Errorf("the delegate is offered no registration form for %s:\n%s", slug, delegate.text("main"))
			}
			delegate.open("/me")
			check(delegate, "the delegate's page")

			focal.open("/")
			focal.submit("press the "+l.tag+" button", `[data-testid="lang-`+l.tag+`"]`)
			focal.open("/focal")
			check(focal, "the focal point's list")
		})
	}
}
