package domain

import "time"

// The states of a queued mail.
const (
	MailQueued = "queued" // waiting for its (next) attempt
	MailSent   = "sent"   // accepted by the SMTP server
	MailKept   = "kept"   // rendered and kept in the portal: no SMTP server is configured
	MailFailed = "failed" // given up after the last attempt
)

// MailStates lists the states in the order the mail page shows them.
var MailStates = []string{MailQueued, MailSent, MailKept, MailFailed}

// MailLine is one mail as the secretariat's list shows it.
type MailLine struct {
	ID            int64      `db:"id"`
	Kind          string     `db:"kind"`
	State         string     `db:"state"`
	Attempts      int        `db:"attempts"`
	CreatedAt     time.Time  `db:"created_at"`
	NextAttemptAt time.Time  `db:"next_attempt_at"`
	SentAt        *time.Time `db:"sent_at"`
	// Recipient is the address the mail went to, or, before its first attempt, the account's.
	Recipient string `db:"recipient"`
	Subject   string `db:"subject"`
	Body      string `db:"body"`
	LastError string `db:"last_error"`
}
