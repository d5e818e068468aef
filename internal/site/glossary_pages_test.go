package site_test

import (
	"net/http"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/glossary"
	"plenary/web"
)

// The pages, as rendered in each language, use the glossary's terms: no term the glossary rules
// out appears in any language; and in Chinese, the language the seeded meeting's content is
// translated into (as its letter), a concept the English page names is named by the Chinese
// term. (In the other languages the seeded content falls back to English, whose words are not
// theirs to check; the catalogue test checks every message, the mail's test the mail.)
func TestRenderedPagesFollowTheGlossary(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	g, err := glossary.Load(web.Glossary())
	if err != nil {
		t.Fatal(err)
	}
	fx.register(fx.account(delegateSM), domain.InPerson, true)
	meeting := "/meetings/" + fx.demoSlug
	pages := []struct{ who, path string }{
		{"", meeting}, {"", meeting + "/agenda"}, {delegateSM, "/me"}, {focalSM, "/focal"},
		{delegateSM, meeting + "/register"}, {secretariat, "/secretariat/meetings/" + idStr(fx.demo) + "/translations"},
	}
	for _, pg := range pages {
		read := func(lang string) string {
			b := fx.ts.browser()
			if pg.who != "" {
				b.login(pg.who)
			}
			wantStatus(t, b.post("/language", form("lang", lang, "next", "/")), http.StatusSeeOther)
			p := b.get(pg.path)
			wantStatus(t, p, http.StatusOK)
			return text(p.doc(t).Find("main"))
		}
		english := read("en")
		for _, lang := range []string{"en", "zh", "fr", "es", "ru", "ar"} {
			named := ""
			if lang == "zh" {
				named = english
			}
			for _, problem := range g.Check(lang, read(lang), named) {
				t.Errorf("%s in %s: %s", pg.path, lang, problem)
			}
		}
	}
}
