package mail

import (
	"testing"

	"plenary/internal/domain"
	"plenary/internal/glossary"
	"plenary/internal/i18n"
	"plenary/internal/postgres"
	"plenary/web"
)

// Every mail, as rendered for its recipient, uses the glossary's term for each concept in the
// recipient's language: a concept the English mail names is named by that term, and no term the
// glossary rules out appears (签证协办函, never 签证支持函).
func TestRenderedMailFollowsTheGlossary(t *testing.T) {
	cat, err := i18n.Load(web.Locales())
	if err != nil {
		t.Fatal(err)
	}
	g, err := glossary.Load(web.Glossary())
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{postgres.MailRegistrationAck, postgres.MailRegistrationPending, postgres.MailRegistrationApproved,
		postgres.MailRegistrationRejected, postgres.MailRegistrationCancelled, postgres.MailVisaIssued, postgres.MailVisaDeclined}
	// The meeting's own title in each language, so that its words are the glossary's too.
	title := domain.Text{"en": "Meetings of Working Parties 1/13 to 4/13", "zh": "第13研究组第1至第4工作组会议",
		"fr": "Réunions des groupes de travail 1/13 à 4/13", "es": "Reuniones de los Grupos de Trabajo 1/13 a 4/13",
		"ru": "Собрания рабочих групп 1/13–4/13", "ar": "اجتماعات فرق العمل 1/13 إلى 4/13"}
	job := func(kind, lang string) postgres.MailJob {
		return postgres.MailJob{EventKey: "test", Kind: kind, Facts: postgres.MailFacts{
			ToEmail: "jose@example.test", ToName: "José Müller", ToLanguage: lang,
			HasRegistration: true, Mode: domain.InPerson, DelegateName: "José Müller", OrgName: "Example Networks Ltd.",
			MeetingSlug: "sg13-wp-2025-07", MeetingTitle: title,
			City: domain.Text{"en": "Geneva", "zh": "日内瓦"}, FirstDay: "2025-07-25", LastDay: "2025-07-29", RegistrationID: 42, DeskPlace: domain.Text{"en": "Montbrillant"},
		}}
	}
	checked := 0
	for _, kind := range kinds {
		en, err := render(cat, "https://plenary.test", job(kind, "en"))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range cat.Langs() {
			c, err := render(cat, "https://plenary.test", job(kind, l.Tag))
			if err != nil {
				t.Fatalf("%s %s: %v", l.Tag, kind, err)
			}
			for _, problem := range g.Check(l.Tag, c.Subject+"\n"+c.Body, en.Subject+"\n"+en.Body) {
				t.Errorf("%s mail %s: %s:\n%s\n%s", l.Tag, kind, problem, c.Subject, c.Body)
			}
			checked++
		}
	}
	if checked != len(kinds)*6 {
		t.Errorf("%d mails checked, want %d", checked, len(kinds)*6)
	}
}
