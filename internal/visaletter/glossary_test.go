package visaletter

import (
	"strings"
	"testing"

	"plenary/internal/glossary"
	"plenary/web"
)

// The letter, written in each language, uses the glossary's term for each concept: a concept
// the English letter names (the visa support letter, the study group, its working parties) is
// named by the language's term, and no term the glossary rules out appears.
func TestLetterFollowsTheGlossary(t *testing.T) {
	c, err := catalogue()
	if err != nil {
		t.Fatal(err)
	}
	g, err := glossary.Load(web.Glossary())
	if err != nil {
		t.Fatal(err)
	}
	// The meeting's content in each language, as the secretariat gives it.
	titles := map[string]string{"en": "Meetings of Working Parties 1/13, 2/13, 3/13 and 4/13", "zh": "第13研究组第1至第4工作组会议",
		"fr": "Réunions des groupes de travail 1/13, 2/13, 3/13 et 4/13", "es": "Reuniones de los Grupos de Trabajo 1/13, 2/13, 3/13 y 4/13",
		"ru": "Собрания рабочих групп 1/13, 2/13, 3/13 и 4/13", "ar": "اجتماعات فرق العمل 1/13 و2/13 و3/13 و4/13"}
	write := func(lang string) string {
		l := sample("ZHANG WEI")
		l.Words, l.MeetingTitle = c.For(lang), titles[lang]
		return strings.Join(l.texts().strings(), "\n")
	}
	english := write("en")
	if !strings.Contains(strings.ToLower(english), "visa support letter") {
		t.Fatalf("the English letter does not name the visa support letter:\n%s", english)
	}
	for _, lang := range []string{"en", "zh", "fr", "es", "ru", "ar"} {
		text := write(lang)
		for _, problem := range g.Check(lang, text, english) {
			t.Errorf("%s letter: %s:\n%s", lang, problem, text)
		}
	}
}
