package service

import (
	"context"
	"slices"

	"plenary/internal/domain"
)

// MailFilter selects the mail the secretariat's list shows: of one state ("" for every state),
// a page of Limit lines from Offset, newest first.
type MailFilter struct {
	State         string
	Limit, Offset int
}

// MailPage is one page of the outbox and the counts of the whole outbox.
type MailPage struct {
	Lines []domain.MailLine
	// Counts per state, ignoring the filter.
	Counts map[string]int
	// Total is the number of mails matching the filter.
	Total int
}

// OutboxReads is what the outbox use case reads.
type OutboxReads interface {
	// ListMail reads one page of the outbox, newest first, and the counts per state.
	ListMail(ctx context.Context, f MailFilter) (MailPage, error)
}

// Outbox is the secretariat's view of the mail the portal queued, sent, kept or gave up on.
type Outbox struct{ reads OutboxReads }

// NewOutbox builds the outbox use case.
func NewOutbox(reads OutboxReads) *Outbox { return &Outbox{reads: reads} }

// maxMailPage bounds a page of the outbox.
const maxMailPage = 500

// List is one page of the outbox for actor, who may read mail (domain.CanReadMail), else
// Forbidden. An unknown state lists every state; a limit out of 1..500 is 50.
func (o *Outbox) List(ctx context.Context, actor domain.Actor, f MailFilter) (MailPage, error) {
	if !domain.CanReadMail(actor) {
		return MailPage{}, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	if !slices.Contains(domain.MailStates, f.State) {
		f.State = ""
	}
	if f.Limit <= 0 || f.Limit > maxMailPage {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	return o.reads.ListMail(ctx, f)
}
