package app

import (
	"context"

	"plenary/internal/i18n"
	"plenary/internal/mail"
)

// newMailWorker builds the worker that sends the outbox's mail over SMTP_URL, and has the store
// write each mail when it is queued; without SMTP_URL the store keeps each mail in the portal at
// once, for the secretariat to read. A malformed SMTP_URL stops the start.
func (m *Main) newMailWorker(cat *i18n.Catalogue) (*mail.Worker, error) {
	var sender mail.Sender
	if m.Config.SMTPURL != "" {
		s, err := mail.ParseSMTPURL(m.Config.SMTPURL)
		if err != nil {
			return nil, err
		}
		sender = s
	}
	m.DB.WriteMailWith(mail.Writer(cat, m.Config.BaseURL), sender == nil)
	w := mail.NewWorker(m.DB, cat, m.Log, m.Config.BaseURL, m.Config.MailFrom, sender)
	w.Listen = m.Config.Listen
	return w, nil
}

// runMail runs the mail worker until ctx ends, then closes done.
func runMail(ctx context.Context, w *mail.Worker, done chan<- struct{}) {
	defer close(done)
	w.Run(ctx)
}
