package mail

import (
	"fmt"
	"strings"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/postgres"
)

// Writer returns the function that writes mail for the store when it is queued (see
// postgres.DB.WriteMailWith); the worker writes the same way the mail queued unwritten.
func Writer(cat *i18n.Catalogue, baseURL string) postgres.MailWriter {
	baseURL = strings.TrimRight(baseURL, "/")
	return func(j postgres.MailJob) (postgres.MailContent, error) { return render(cat, baseURL, j) }
}

// render writes a mail in its recipient's language (English when the account's language has no
// catalogue): the subject and plain-text body of its kind, from the mail.* messages.
func render(cat *i18n.Catalogue, baseURL string, j postgres.MailJob) (postgres.MailContent, error) {
	c := postgres.MailContent{Recipient: j.ToEmail}
	if !j.HasRegistration {
		return c, fmt.Errorf("mail %s: the registration it tells about is gone", j.EventKey)
	}
	t := cat.For(j.ToLanguage)
	lang := t.Lang.Tag
	dates := ""
	if j.FirstDay != nil && j.LastDay != nil {
		dates = t.DateRange(*j.FirstDay, *j.LastDay)
	}
	meetingURL := baseURL + "/meetings/" + j.MeetingSlug
	data := []any{
		"Meeting", j.MeetingTitle.In(lang),
		"Dates", dates,
		"City", j.City,
		"Mode", t.T("mail.mode." + string(j.Mode)),
		"Delegate", j.DelegateName,
		"Organisation", j.OrgName,
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
		if j.Mode == domain.Remote {
			paras = append(paras, t.T("mail.approved.remote", "URL", me))
		} else {
			paras = append(paras, t.T("mail.approved.in_person", "URL", me))
		}
	case postgres.MailRegistrationRejected:
		c.Subject = t.T("mail.rejected.subject", data...)
		paras = append(paras, t.T("mail.rejected.body", data...))
		if r := strings.TrimSpace(j.Reason); r != "" {
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
		if r := strings.TrimSpace(j.VisaReason); r != "" {
			paras = append(paras, t.T("mail.rejected.reason", "Reason", r))
		} else {
			paras = append(paras, t.T("mail.rejected.no_reason"))
		}
		paras = append(paras, t.T("mail.visa_declined.contact", "URL", me))
	default:
		return c, fmt.Errorf("mail %s: unknown kind %q", j.EventKey, j.Kind)
	}
	body := []string{t.T("mail.greeting", "Name", j.ToName)}
	body = append(body, paras...)
	body = append(body, "-- \n"+t.T("mail.footer", "Site", baseURL))
	c.Body = strings.Join(body, "\n\n") + "\n"
	// A subject is one line, whatever a meeting title or a name holds.
	c.Subject = strings.Join(strings.Fields(c.Subject), " ")
	return c, nil
}
