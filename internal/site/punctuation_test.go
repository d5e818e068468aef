package site_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"plenary/internal/domain"
)

// asciiNextToHan finds ASCII brackets or a colon beside Chinese text: Chinese writes （），：.
var asciiNextToHan = regexp.MustCompile(`\p{Han} ?[():]|[()] ?\p{Han}`)

// blocks are the elements whose text stands apart from what is around it.
var blocks = map[string]bool{"p": true, "div": true, "li": true, "td": true, "th": true, "tr": true, "dt": true, "dd": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "option": true, "label": true, "legend": true, "button": true,
	"section": true, "ul": true, "ol": true, "table": true, "caption": true, "summary": true, "textarea": true, "select": true}

// blockText writes n's text, a line break around each block element.
func blockText(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(n.Data)
		return
	case html.ElementNode:
		if n.Data == "script" || n.Data == "style" {
			return
		}
	}
	block := n.Type == html.ElementNode && blocks[n.Data]
	if block {
		b.WriteString("\n")
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		blockText(b, c)
	}
	if block {
		b.WriteString("\n")
	}
}

// Every page a delegate, a focal point and the secretariat see, in Chinese, writes its brackets
// and colons full width next to Chinese text (the catalogue's punct.* messages), and none in ASCII.
func TestChinesePagesUseFullWidthPunctuation(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	reg := fx.register(fx.account(delegateSM), domain.InPerson, true)
	fx.register(fx.account(delegate), domain.Remote, true)
	meeting := "/meetings/" + fx.demoSlug
	sec := "/secretariat/meetings/" + idStr(fx.demo)
	pages := map[string][]string{
		delegateSM: {"/", meeting, meeting + "/agenda", meeting + "/documents", "/me", "/me/account",
			"/registrations/" + idStr(reg) + "/edit", "/registrations/" + idStr(reg) + "/cancel?next=%2Fme",
			"/registrations/" + idStr(reg) + "/visa"},
		focalSM: {"/focal", "/focal/members", "/focal/register"},
		secretariat: {"/secretariat", sec, sec + "/details", sec + "/deadlines", sec + "/sessions", sec + "/desk",
			sec + "/history", sec + "/registrations", sec + "/participants", sec + "/visas", sec + "/desk-staff",
			"/secretariat/organisations", "/secretariat/representations", "/secretariat/mail"},
	}
	for who, paths := range pages {
		b := fx.as(who)
		wantStatus(t, b.post("/language", form("lang", "zh", "next", "/")), http.StatusSeeOther)
		for _, path := range paths {
			p := b.get(path)
			if p.StatusCode != http.StatusOK {
				t.Errorf("%s %s: status %d", who, path, p.StatusCode)
				continue
			}
			// The page's text as it reads, each block (cell, item, paragraph…) on its own line.
			var b strings.Builder
			for _, n := range p.doc(t).Find("main").Nodes {
				blockText(&b, n)
			}
			for _, line := range strings.Split(b.String(), "\n") {
				line = strings.Join(strings.Fields(line), " ")
				for _, m := range asciiNextToHan.FindAllStringIndex(line, 5) {
					r := []rune(line)
					at := len([]rune(line[:m[0]]))
					t.Errorf("%s %s: ASCII punctuation beside Chinese: …%s…", who, path, string(r[max(0, at-12):min(len(r), at+12)]))
				}
			}
		}
	}
}
