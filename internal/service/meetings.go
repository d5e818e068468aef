package service

import (
	"context"
	"time"

	"plenary/internal/domain"
)

// MeetingTx is what the meeting use cases do inside their transaction.
type MeetingTx interface {
	// LockMeeting reads a meeting with its sessions, deadlines and the rest, its row locked.
	LockMeeting(ctx context.Context, id int64) (*domain.MeetingDetail, error)
	// SetMeetingState stores the meeting's state; at is when, for a publication.
	SetMeetingState(ctx context.Context, id int64, state domain.MeetingState, at time.Time) error
	// Audit writes one audit event of action per record id, with details[i] for ids[i].
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
	// CopyMeeting copies meeting from into a new draft starting on first, titled title, and
	// audits it.
	CopyMeeting(ctx context.Context, a Audit, from int64, slug string, first time.Time, title domain.Text) (int64, error)
	// InsertMeeting stores a new draft with the details form's fields and returns its id; an
	// address another meeting has is refused beside the slug field.
	InsertMeeting(ctx context.Context, f domain.MeetingFields) (int64, error)
	MeetingSectionTx
}

// Meetings are the secretariat's use cases on a meeting: its life cycle (publish, unpublish),
// copies and the saves of the editor's sections.
type Meetings struct {
	tx    RunTx[MeetingTx]
	reads MeetingReads
	now   Clock
}

// MeetingsDeps is what the meeting use cases are built from.
type MeetingsDeps struct {
	Tx    RunTx[MeetingTx]
	Reads MeetingReads
	Now   Clock
}

// NewMeetings builds the meeting use cases.
func NewMeetings(d MeetingsDeps) *Meetings {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Meetings{tx: d.Tx, reads: d.Reads, now: d.Now}
}

// Publish makes a draft public, which opens registration (at once, or on the day set for it);
// Unpublish makes it a draft again. The domain decides (domain.MeetingTransition), on the meeting
// as locked in the transaction; a refusal changes nothing and says what is missing.
func (s *Meetings) Publish(ctx context.Context, a Audit, actor domain.Actor, id int64) error {
	return s.transition(ctx, a, actor, id, domain.Publish)
}

// Unpublish makes a published meeting a draft again: hidden from all but the secretariat;
// registrations already made stay as they are.
func (s *Meetings) Unpublish(ctx context.Context, a Audit, actor domain.Actor, id int64) error {
	return s.transition(ctx, a, actor, id, domain.Unpublish)
}

func (s *Meetings) transition(ctx context.Context, a Audit, actor domain.Actor, id int64, action domain.MeetingAction) error {
	if !domain.CanManageMeetings(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	now := s.now()
	return s.tx(ctx, func(tx MeetingTx) error {
		d, err := tx.LockMeeting(ctx, id)
		if err != nil {
			return err
		}
		state, err := domain.MeetingTransition(*d, action, now)
		if err != nil {
			return err
		}
		if err := tx.SetMeetingState(ctx, id, state, now); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "meeting."+string(action), "meeting", []int64{id}, []map[string]any{{"slug": d.Slug, "from": string(d.State), "to": string(state)}})
	})
}

// MeetingReads are what the pages of meetings read outside a transaction.
type MeetingReads interface {
	// Meetings lists every meeting, drafts included, the newest first.
	Meetings(ctx context.Context) ([]domain.MeetingSummary, error)
	// MeetingDetailByID returns a meeting with its sessions, deadlines and the rest; a missing
	// one is NotFound.
	MeetingDetailByID(ctx context.Context, id int64) (*domain.MeetingDetail, error)
	MeetingSlugReads
	// AuditTrail returns the audit events of one record, oldest first.
	AuditTrail(ctx context.Context, entity string, id int64) ([]domain.AuditEvent, error)
}

// List lists every meeting, drafts included, the newest first: for the lists' filters and the
// secretariat (a page for the public shows only what is published).
func (s *Meetings) List(ctx context.Context) ([]domain.MeetingSummary, error) {
	return s.reads.Meetings(ctx)
}

// Detail returns meeting id with its sessions, deadlines and the rest (NotFound when missing).
func (s *Meetings) Detail(ctx context.Context, id int64) (*domain.MeetingDetail, error) {
	return s.reads.MeetingDetailByID(ctx, id)
}
