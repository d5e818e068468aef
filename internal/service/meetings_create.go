package service

import (
	"context"

	"plenary/internal/domain"
)

// Create stores a new draft meeting from the details form (its deadlines follow the default
// rules until the secretariat sets them), audited meeting.create in the same transaction.
func (s *Meetings) Create(ctx context.Context, a Audit, actor domain.Actor, f domain.MeetingFields) (int64, error) {
	if !domain.CanManageMeetings(actor) {
		return 0, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	var id int64
	err := s.tx(ctx, func(tx MeetingTx) error {
		var err error
		if id, err = tx.InsertMeeting(ctx, f); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "meeting.create", "meeting", []int64{id}, []map[string]any{{"slug": f.Slug}})
	})
	return id, err
}

// History is meeting id's audit trail, oldest first, for whoever may manage meetings (else
// Forbidden).
func (s *Meetings) History(ctx context.Context, actor domain.Actor, id int64) ([]domain.AuditEvent, error) {
	if !domain.CanManageMeetings(actor) {
		return nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.reads.AuditTrail(ctx, "meeting", id)
}
