package service

import (
	"context"
	"time"

	"plenary/internal/domain"
)

// Copy makes a new draft from a meeting: every date moved so that it starts on first, its title
// the one given (no two meetings share an English title), its texts that name dates or meetings
// marked "to review". The copy and the original each get an audit event.
func (s *Meetings) Copy(ctx context.Context, a Audit, actor domain.Actor, from int64, slug string, first time.Time, title domain.Text) (int64, error) {
	if !domain.CanManageMeetings(actor) {
		return 0, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	var id int64
	err := s.tx(ctx, func(tx MeetingTx) (err error) {
		id, err = tx.CopyMeeting(ctx, a, from, slug, first, title)
		return err
	})
	return id, err
}
