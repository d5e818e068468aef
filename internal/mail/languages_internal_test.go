package mail

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/postgres"
	"plenary/web"
)

// Every mail is written in its recipient's language, in each of the six, from that language's
// catalogue: the subject, the greeting, the body and the footer, with nothing left in English.
func TestMailIsWrittenInEachOfTheSixLanguages(t *testing.T) {
	cat, err := i18n.Load(web.Locales())
	if err != nil {
		t.Fatal(err)
	}
	write := func(j postgres.MailJob) (postgres.MailContent, error) { return render(cat, "https://plenary.test", j) }
	first, last := time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC), time.Date(2025, 7, 29, 0, 0, 0, 0, time.UTC)
	kinds := []string{postgres.MailRegistrationAck, postgres.MailRegistrationPending, postgres.MailRegistrationApproved,
		postgres.MailRegistrationRejected, postgres.MailRegistrationCancelled, postgres.MailVisaIssued, postgres.MailVisaDeclined}
	en := cat.For("en")
	tags := map[string]bool{}
	for _, l := range cat.Langs() {
		tags[l.Tag] = true
		tr := cat.For(l.Tag)
		for _, kind := range kinds {
			j := postgres.MailJob{EventKey: "test", Kind: kind, Facts: postgres.MailFacts{
				ToEmail: "jose@example.test", ToName: "José Müller", ToLanguage: l.Tag,
				HasRegistration: true, Mode: domain.InPerson, DelegateName: "José Müller", OrgName: "Example Networks Ltd.",
				MeetingSlug: "sg13-wp-2025-07", MeetingTitle: domain.Text{"en": "Meetings of Working Parties 1/13 to 4/13"},
				City: domain.Text{"en": "Geneva"}, FirstDay: "2025-07-25", LastDay: "2025-07-29", RegistrationID: 42, DeskPlace: domain.Text{"en": "Montbrillant"},
			}}
			c, err := write(j)
			if err != nil {
				t.Fatalf("%s %s: %v", l.Tag, kind, err)
			}
			if strings.Contains(c.Subject, "mail.") || strings.Contains(c.Body, "mail.") || strings.Contains(c.Body, "<no value>") {
				t.Errorf("%s %s: a key or a missing value is left in the mail:\n%s\n%s", l.Tag, kind, c.Subject, c.Body)
			}
			// The greeting, the footer and the date are the recipient language's.
			for _, want := range []string{tr.T("mail.greeting", "Name", "José Müller"), tr.T("mail.footer", "Site", "https://plenary.test"),
				tr.DateRange(first, last)} {
				if !strings.Contains(c.Body, want) {
					t.Errorf("%s %s: the body lacks %q:\n%s", l.Tag, kind, want, c.Body)
				}
			}
			if l.Tag != "en" {
				// Links are not words: a confirmation's address holds "registrations".
				plain := linkRE.ReplaceAllString(c.Body, "")
				for _, english := range []string{en.T("mail.footer", "Site", "https://plenary.test"), "Dear ", "registration", "Your "} {
					if strings.Contains(plain, english) || strings.Contains(c.Subject, english) {
						t.Errorf("%s %s: English %q in the mail:\n%s\n%s", l.Tag, kind, english, c.Subject, c.Body)
					}
				}
			}
			// Links stay whole, for mail programs to find.
			if !strings.Contains(c.Body, "https://plenary.test/") || strings.Contains(c.Body, "\u2068https://") {
				t.Errorf("%s %s: no bare link in the body:\n%s", l.Tag, kind, c.Body)
			}
		}
	}
	for _, tag := range []string{"en", "zh", "fr", "es", "ru", "ar"} {
		if !tags[tag] {
			t.Errorf("no %s catalogue to write mail in", tag)
		}
	}
}

var linkRE = regexp.MustCompile(`https?://[^\s）)]+`)
