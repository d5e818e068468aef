package mail

import (
	"strings"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/postgres"
	"plenary/web"
)

// The approval mail links to the registration's confirmation, in every language: in person, the
// page and its PDF with where the desk is; remote, the page with the remote participation
// details and no badge.
func TestApprovalMailLinksToTheConfirmation(t *testing.T) {
	cat, err := i18n.Load(web.Locales())
	if err != nil {
		t.Fatal(err)
	}
	const conf = "https://plenary.test/registrations/42/confirmation"
	for _, l := range cat.Langs() {
		for _, mode := range []domain.Mode{domain.InPerson, domain.Remote} {
			c, err := render(cat, "https://plenary.test", postgres.MailJob{EventKey: "test", Kind: postgres.MailRegistrationApproved,
				Facts: postgres.MailFacts{ToEmail: "jose@example.test", ToName: "José", ToLanguage: l.Tag, HasRegistration: true, Mode: mode,
					MeetingSlug: "sg13", MeetingTitle: domain.Text{"en": "SG13"}, City: domain.Text{"en": "Geneva"}, FirstDay: "2025-07-25", LastDay: "2025-07-29",
					RegistrationID: 42, DeskPlace: domain.Text{"en": "Montbrillant building entrance"}}})
			if err != nil {
				t.Fatal(err)
			}
			tr := cat.For(l.Tag)
			if mode == domain.InPerson {
				want := tr.T("mail.confirmation.in_person", "URL", conf, "PDF", conf+".pdf")
				if !strings.Contains(c.Body, want) || !strings.Contains(c.Body, conf+".pdf") {
					t.Errorf("%s in person: the body lacks the confirmation and its PDF:\n%s", l.Tag, c.Body)
				}
				if !strings.Contains(c.Body, tr.T("mail.confirmation.desk", "Place", "Montbrillant building entrance")) {
					t.Errorf("%s in person: the body lacks the desk's place:\n%s", l.Tag, c.Body)
				}
				continue
			}
			if !strings.Contains(c.Body, tr.T("mail.confirmation.remote", "URL", conf)) {
				t.Errorf("%s remote: the body lacks the confirmation:\n%s", l.Tag, c.Body)
			}
			if strings.Contains(c.Body, ".pdf") || strings.Contains(c.Body, "Montbrillant") {
				t.Errorf("%s remote: a PDF or the desk in a remote approval:\n%s", l.Tag, c.Body)
			}
		}
	}
}
