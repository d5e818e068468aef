package site_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/go-chi/chi/v5"

	"plenary/internal/pgtest"
)

// The query parameters the handlers read, anywhere.
var queryNames = []string{"q", "type", "wp", "question", "sort", "page", "meeting", "organisation", "state", "mode",
	"nationality", "account", "next", "v"}

// badValues are what no browser sends: invalid UTF-8, a NUL byte, a truncated and a surrogate
// sequence (escaped as they come in a URL).
var badValues = []string{"x%FFy%00z", "%C3", "%ED%A0%80%00"}

var routeParam = regexp.MustCompile(`\{[a-z]+\}`)

// routeValues fills a route's parameters with real ones, so that the clean request reaches the
// handler.
func routeValues(fx *listsFixture, pattern string) string {
	ctx := context.Background()
	id := func(q string, args ...any) string {
		var n int64
		if err := fx.ts.db.Pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			fx.t.Fatalf("%s: %v", q, err)
		}
		return strconv.FormatInt(n, 10)
	}
	return routeParam.ReplaceAllStringFunc(pattern, func(p string) string {
		switch {
		case p == "{slug}":
			return fx.demoSlug
		case p == "{wp}":
			return "wp1"
		case p == "{doc}":
			return "C1"
		case p == "{rev}":
			return "1"
		case p == "{token}":
			return strings.Repeat("a", 32)
		case p == "{account}":
			return strconv.FormatInt(fx.account(delegateSM).ID, 10)
		case p == "{visa}":
			return "1"
		case strings.Contains(pattern, "/organisations/{id}"):
			return strconv.FormatInt(fx.sm, 10)
		case strings.Contains(pattern, "/study-groups/{id}"):
			return id(`SELECT study_group_id FROM meetings WHERE id = $1`, fx.demo)
		case strings.Contains(pattern, "/registrations/{id}"), strings.Contains(pattern, "/visas/{id}"):
			return "1"
		default:
			return strconv.FormatInt(fx.demo, 10)
		}
	})
}

// Invalid UTF-8 or a NUL byte in a query parameter or a path answers as the same request without
// those bytes would, never with a 500: on every GET route, for the secretariat, a focal point
// and a visitor.
func TestBadBytesInQueriesAndPathsAreNoFault(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	// A registration to list, export and decide on.
	wantStatus(t, fx.as(delegateSM).post("/meetings/"+fx.demoSlug+"/register", form("mode", "remote")), http.StatusSeeOther)
	var routes []string
	err := chi.Walk(fx.ts.server.Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodGet && !strings.Contains(route, "*") {
			routes = append(routes, strings.TrimSuffix(route, "/"))
		}
		return nil
	})
	if err != nil || len(routes) < 40 {
		t.Fatalf("walked %d GET routes (%v)", len(routes), err)
	}
	visitor := fx.ts.browser()
	for _, who := range []struct {
		name string
		b    *browser
	}{{"secretariat", fx.as(secretariat)}, {"focal point", fx.as("focal.sm@plenary.test")}, {"visitor", visitor}} {
		for _, route := range routes {
			if route == "" {
				route = "/"
			}
			path := routeValues(fx, route)
			clean := who.b.get(path)
			if clean.StatusCode >= 500 {
				t.Errorf("%s: GET %s (clean): %d", who.name, path, clean.StatusCode)
				continue
			}
			for _, bad := range badValues {
				q := make([]string, 0, len(queryNames)+1)
				for _, name := range queryNames {
					q = append(q, name+"="+bad)
				}
				q = append(q, bad+"="+bad)
				u := path + "?" + strings.Join(q, "&")
				if p := who.b.get(u); p.StatusCode != clean.StatusCode {
					t.Errorf("%s: GET %s: %d, want %d as without the bad bytes", who.name, u, p.StatusCode, clean.StatusCode)
				}
			}
			for _, m := range routeParam.FindAllStringIndex(route, -1) {
				for _, bad := range []string{"%FF%FE", "a%00b"} {
					u := routeValues(fx, route[:m[0]]) + bad + routeValues(fx, route[m[1]:])
					if p := who.b.get(u); p.StatusCode >= 500 || p.StatusCode == http.StatusOK {
						t.Errorf("%s: GET %s: %d, want a refusal (no such page)", who.name, u, p.StatusCode)
					}
				}
			}
		}
	}
	// The URLs found failing from outside, by name.
	sec := fx.as(secretariat)
	focal := fx.as("focal.sm@plenary.test")
	meeting := "/secretariat/meetings/" + strconv.FormatInt(fx.demo, 10)
	for _, c := range []struct {
		b    *browser
		path string
		want int
	}{
		{focal, "/focal?q=%FF", 200}, {focal, "/focal?q=%00", 200}, {focal, "/focal/export.csv?q=%FF", 200},
		{focal, "/focal/export.xlsx?q=%00", 200}, {sec, meeting + "/registrations?q=%FF", 200},
		{sec, meeting + "/registrations/export.csv?q=%00", 200}, {sec, meeting + "/registrations/export.xlsx?q=%FF", 200},
		{sec, meeting + "/visas?nationality=%FF", 200}, {sec, meeting + "/visas.csv?nationality=%00", 200},
		{sec, meeting + "/registrations/new?q=%FF%00", 200}, {sec, meeting + "/participants?q=%FF", 200},
		{visitor, "/meetings/" + fx.demoSlug + "/documents?q=%FF", 200}, {visitor, "/meetings/" + fx.demoSlug + "/documents?q=%00", 200},
		{visitor, "/meetings/%FF%FE", 404}, {visitor, "/meetings/%00", 404}, {visitor, "/login?next=%FF%00", 200},
	} {
		if p := c.b.get(c.path); p.StatusCode != c.want {
			t.Errorf("GET %s: %d, want %d", c.path, p.StatusCode, c.want)
		}
	}
	if strings.Contains(fx.ts.log.String(), "internal error") {
		t.Errorf("internal errors were logged:\n%s", grepLines(fx.ts.log.String(), "internal error"))
	}
}

// postForms submits every urlencoded POST form of the page at path with bad bytes added to each
// field a person types into (those dirty says, or all), and returns the answers by form action.
func postForms(t *testing.T, b *browser, path string, dirty func(name string) bool) map[string]page {
	t.Helper()
	p := b.get(path)
	wantStatus(t, p, http.StatusOK)
	out := map[string]page{}
	p.doc(t).Find(`form[method="post"]`).Each(func(_ int, f *goquery.Selection) {
		action := f.AttrOr("action", path)
		if f.AttrOr("enctype", "") == "multipart/form-data" || action == "/logout" || action == "/language" {
			return
		}
		vals := url.Values{}
		f.Find("input[name], textarea[name], select[name]").Each(func(_ int, in *goquery.Selection) {
			name := in.AttrOr("name", "")
			bad := "\xff bad\x00 bytes"
			if dirty != nil && !dirty(name) {
				bad = ""
			}
			switch goquery.NodeName(in) {
			case "textarea":
				vals.Add(name, in.Text()+bad)
			case "select":
				opt := in.Find("option[selected]").First()
				if opt.Length() == 0 {
					opt = in.Find("option").First()
				}
				vals.Add(name, opt.AttrOr("value", opt.Text()))
			default:
				v := in.AttrOr("value", "")
				switch in.AttrOr("type", "text") {
				case "text", "email", "search", "url", "tel":
					vals.Add(name, v+bad)
				case "checkbox", "radio":
					if _, ok := in.Attr("checked"); ok {
						vals.Add(name, in.AttrOr("value", "on"))
					}
				default:
					vals.Add(name, v)
				}
			}
		})
		out[action] = b.post(action, vals)
	})
	return out
}

// Forms' fields with bad bytes are cleaned, whichever way the handler reads them: every form of
// the secretariat's pages (the meeting editor among them), with no 500.
func TestBadBytesInFormsAreNoFault(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	sec := fx.as(secretariat)
	meeting := "/secretariat/meetings/" + strconv.FormatInt(fx.demo, 10)
	var sg int64
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT study_group_id FROM meetings WHERE id = $1`, fx.demo).Scan(&sg); err != nil {
		t.Fatal(err)
	}
	pages := []string{meeting, meeting + "/details", meeting + "/deadlines", meeting + "/sessions", meeting + "/desk",
		meeting + "/colocated", meeting + "/agenda", meeting + "/work-items", "/secretariat/meetings/new", "/secretariat/organisations/new",
		"/secretariat/organisations/" + strconv.FormatInt(fx.sm, 10), fmt.Sprintf("/secretariat/study-groups/%d", sg),
		meeting + "/registrations/new?account=" + strconv.FormatInt(fx.account(delegateSM).ID, 10)}
	n := 0
	for _, path := range pages {
		for action, p := range postForms(t, sec, path, nil) {
			n++
			if p.StatusCode >= 500 {
				t.Errorf("POST %s (form of %s): %d", action, path, p.StatusCode)
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d forms tried", n)
	}
	// The meeting editor's own form is saved with bad bytes in its free text, cleaned.
	p := postForms(t, sec, meeting+"/details", func(name string) bool { return strings.HasPrefix(name, "title-") })[meeting+"/details"]
	wantStatus(t, p, http.StatusSeeOther)
	var title string
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT title->>'en' FROM meetings WHERE id = $1`, fx.demo).Scan(&title); err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(title) || strings.Contains(title, "\x00") || !strings.Contains(title, "\uFFFD bad bytes") {
		t.Errorf("meeting title stored as %q, want the typed text with the bad bytes cleaned", title)
	}
	// A visitor's forms too.
	for action, p := range postForms(t, fx.ts.browser(), "/signup", nil) {
		if p.StatusCode >= 500 {
			t.Errorf("POST %s: %d", action, p.StatusCode)
		}
	}
	if strings.Contains(fx.ts.log.String(), "internal error") {
		t.Errorf("internal errors were logged:\n%s", grepLines(fx.ts.log.String(), "internal error"))
	}
}

// A multipart form's fields (a document's title) are cleaned as other forms' are.
func TestBadBytesInAMultipartFieldAreCleaned(t *testing.T) {
	t.Parallel()
	ts := newDocSite(t, pgtest.New(t), beforeTheDeadlines, 0)
	fx := docFixture{t, ts}
	confirm(t, fx, "focal.ms@plenary.test", delegate)
	b := fx.as(delegate)
	p := b.postMultipart(docsPath+"/new", contribution(fx.org(china), "Bad\xff bytes\x00 in a title"), ptr(pdf("c.pdf")))
	wantRedirect(t, p, docsPath+"/C1")
	var title string
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT title FROM documents`).Scan(&title); err != nil {
		t.Fatal(err)
	}
	if title != "Bad\uFFFD bytes in a title" {
		t.Errorf("stored title %q", title)
	}
	if strings.Contains(ts.log.String(), "internal error") {
		t.Errorf("internal errors were logged:\n%s", grepLines(ts.log.String(), "internal error"))
	}
}
