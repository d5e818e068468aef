package mail

import (
	"fmt"
	"strings"

	"plenary/internal/i18n"
	"plenary/internal/service"
)

// AccountWriter writes the account mail (password reset, email verification) in the account's
// language, greeting the person by their name as they write it.
func AccountWriter(cat *i18n.Catalogue, baseURL string) service.AccountMailWriter {
	baseURL = strings.TrimRight(baseURL, "/")
	return func(m service.AccountMail) (string, string, error) {
		t := cat.For(m.Language)
		var subject string
		var paras []string
		switch m.Kind {
		case service.MailPasswordReset:
			subject = t.T("mail.reset.subject")
			paras = []string{t.T("mail.reset.body", "URL", m.Link), t.T("mail.reset.expiry", "Time", t.Clock(m.Expires.UTC())+" UTC"),
				t.T("mail.reset.not_you")}
		case service.MailEmailVerification:
			subject = t.T("mail.verify.subject")
			paras = []string{t.T("mail.verify.body", "URL", m.Link), t.T("mail.verify.expiry", "Date", t.DateShort(m.Expires.UTC())),
				t.T("mail.verify.not_you")}
		default:
			return "", "", fmt.Errorf("mail: unknown account mail kind %q", m.Kind)
		}
		body := []string{t.T("mail.greeting", "Name", m.Name)}
		body = append(body, paras...)
		body = append(body, "-- \n"+t.T("mail.footer", "Site", baseURL))
		return strings.Join(strings.Fields(subject), " "), strings.Join(body, "\n\n") + "\n", nil
	}
}
