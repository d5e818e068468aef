package app

import (
	"context"

	"plenary/internal/i18n"
	"plenary/internal/mail"
)

// newMailWorker builds the worker that writes the outbox's mail from the facts its transaction
// recorded and sends it over SMTP_URL; without SMTP_URL it keeps each mail in the portal, for the
// secretariat to read. A malformed SMTP_URL stops the start.
func (m *Main) newMailWorker(cat *i18n.Catalogue) (*mail.Worker, error) {
	var sender mail.Sender
	if m.Config.SMTPURL != "" {
		s, err := mail.ParseSMTPURL(m.Config.SMTPURL)
		if err != nil {
			return nil, err
		}
		sender = s
	}
	w := mail.NewWorker(m.DB, cat, m.Log, m.Config.BaseURL, m.Config.MailFrom, sender)
	w.Listen = m.Config.Listen
	if m.Config.MailLease > 0 {
		w.Lease = m.Config.MailLease
		// A dead portal's mail is claimable a lease after its last renewal: read the outbox at
		// least once a lease, so that another portal sends it about then.
		w.PollInterval = min(w.PollInterval, w.Lease)
	}
	return w, nil
}

// runMail runs the mail worker until ctx ends, then closes done.
func runMail(ctx context.Context, w *mail.Worker, done chan<- struct{}) {
	defer close(done)
	w.Run(ctx)
}
