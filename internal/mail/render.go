package mail

import (
	"fmt"
	"strings"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/postgres"
)

// render writes a mail in its recipient's language (English when the account's language has no
// catalogue): the subject and plain-text body of its kind, from the mail.* messages and the facts
// its transaction recorded (never while that transaction holds locks: the worker renders it).
func render(cat *i18n.Catalogue, baseURL string, j postgres.MailJob) (postgres.MailContent, error) {
	f := j.Facts
	c := postgres.MailContent{Recipient: f.ToEmail}
	if !f.HasRegistration {
		return c, fmt.Errorf("mail %s: the registration it tells about is gone", j.EventKey)
	}
	if f.ToEmail == "" {
		return c, fmt.Errorf("mail %s: its recipient's account is gone", j.EventKey)
	}
	t := cat.For(f.ToLanguage)
	lang := t.Lang.Tag
	dates := ""
	if first, last, ok := f.Days(); ok {
		dates = t.DateRange(first, last)
	}
	meetingURL := baseURL + "/meetings/" + f.MeetingSlug
	data := []any{
		"Meeting", f.MeetingTitle.In(lang),
		"Dates", dates,
		"City", f.City.In(lang),
		"Mode", t.T("mail.mode." + string(f.Mode)),
		"Delegate", f.DelegateName,
		"Organisation", f.OrgName,
		"MeetingURL", meetingURL,
	}
	with := func(kv ...any) []any { return append(append([]any{}, data...), kv...) }
	me, focal := baseURL+"/me", baseURL+"/focal"
	var paras []string
	switch j.Kind {
	case postgres.MailRegistrationAck:
		c.Subject = t.T("mail.ack.subject", data...)
		paras = append(paras, t.T("mail.ack.body", with("URL", me)...))
	case postgres.MailRegistrationPending:
		c.Subject = t.T("mail.pending.subject", data...)
		paras = append(paras, t.T("mail.pending.body", with("URL", focal)...))
	case postgres.MailRegistrationApproved:
		c.Subject = t.T("mail.approved.subject", data...)
		paras = append(paras, t.T("mail.approved.body", data...))
		conf := fmt.Sprintf("%s/registrations/%d/confirmation", baseURL, f.RegistrationID)
		if f.Mode == domain.Remote {
			paras = append(paras, t.T("mail.approved.remote", "URL", me))
			if f.RegistrationID != 0 {
				paras = append(paras, t.T("mail.confirmation.remote", "URL", conf))
			}
		} else {
			paras = append(paras, t.T("mail.approved.in_person", "URL", me))
			if f.RegistrationID != 0 {
				paras = append(paras, t.T("mail.confirmation.in_person", "URL", conf, "PDF", conf+".pdf"))
				if place := strings.TrimSpace(f.DeskPlace.In(t.Lang.Tag)); place != "" {
					paras = append(paras, t.T("mail.confirmation.desk", "Place", place))
				}
			}
		}
	case postgres.MailRegistrationRejected:
		c.Subject = t.T("mail.rejected.subject", data...)
		paras = append(paras, t.T("mail.rejected.body", data...))
		if r := strings.TrimSpace(f.Reason); r != "" {
			paras = append(paras, t.T("mail.rejected.reason", "Reason", r))
		} else {
			paras = append(paras, t.T("mail.rejected.no_reason"))
		}
		paras = append(paras, t.T("mail.rejected.contact", "URL", me))
	case postgres.MailRegistrationCancelled:
		c.Subject = t.T("mail.cancelled.subject", data...)
		paras = append(paras, t.T("mail.cancelled.body", with("URL", focal)...))
	case postgres.MailVisaIssued:
		c.Subject = t.T("mail.visa_issued.subject", data...)
		paras = append(paras, t.T("mail.visa_issued.body", with("URL", me)...))
	case postgres.MailVisaDeclined:
		c.Subject = t.T("mail.visa_declined.subject", data...)
		paras = append(paras, t.T("mail.visa_declined.body", data...))
		if r := strings.TrimSpace(f.VisaReason); r != "" {
			paras = append(paras, t.T("mail.rejected.reason", "Reason", r))
		} else {
			paras = append(paras, t.T("mail.rejected.no_reason"))
		}
		paras = append(paras, t.T("mail.visa_declined.contact", "URL", me))
	default:
		return c, fmt.Errorf("mail %s: unknown kind %q", j.EventKey, j.Kind)
	}
	body := []string{t.T("mail.greeting", "Name", f.ToName)}
	body = append(body, paras...)
	body = append(body, "-- \n"+t.T("mail.footer", "Site", baseURL))
	c.Body = strings.Join(body, "\n\n") + "\n"
	// A subject is one line, whatever a meeting title or a name holds.
	c.Subject = strings.Join(strings.Fields(c.Subject), " ")
	return c, nil
}
