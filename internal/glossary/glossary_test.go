package glossary_test

import (
	"strings"
	"testing"

	"plenary/internal/glossary"
	"plenary/web"
)

func TestCheck(t *testing.T) {
	g, err := glossary.Load(web.Glossary())
	if err != nil {
		t.Fatal(err)
	}
	en := "Your visa support letter for the meeting of Working Party 1/13 is ready."
	for _, c := range []struct {
		lang, text string
		wrong      []string // what the problems must mention; none: no problem
	}{
		{"zh", "您参加第1/13工作组会议的签证协办函已备妥。", nil},
		{"zh", "您参加第1/13工作组会议的签证支持函已备妥。", []string{"签证支持函", "签证协办函"}},
		{"ru", "Ваше письмо в поддержку получения визы для собрания рабочей группы 1/13 готово.", nil},
		{"ru", "Ваше визовое письмо для собрания рабочей группы 1/13 готово.", []string{"визовое письмо"}},
		{"fr", "Votre lettre pour la réunion du groupe de travail 1/13 est prête.", []string{"lettre de soutien pour la demande de visa"}},
		{"en", "Your visa letter is ready.", []string{"visa letter"}},
	} {
		got := g.Check(c.lang, c.text, en)
		if len(c.wrong) == 0 && len(got) != 0 {
			t.Errorf("%s %q: %v, want nothing wrong", c.lang, c.text, got)
		}
		for _, w := range c.wrong {
			if !strings.Contains(strings.Join(got, "\n"), w) {
				t.Errorf("%s %q: %v, want a problem naming %q", c.lang, c.text, got, w)
			}
		}
	}
}
