package service

import (
	"context"
	"time"

	"plenary/internal/domain"
)

// DeskReads are what the desk's pages read outside a transaction.
type DeskReads interface {
	// PhotoReads read a registration's photo (OpenPhoto, PhotoOf).
	PhotoReads
	// MeetingDetail returns the meeting with slug with everything its pages show (NotFound).
	MeetingDetail(ctx context.Context, slug string) (*domain.MeetingDetail, error)
	// Meetings lists every meeting, the newest first.
	Meetings(ctx context.Context) ([]domain.MeetingSummary, error)
	// DeskPerson returns a registration of the meeting as the desk sees it (NotFound).
	DeskPerson(ctx context.Context, meetingID, id int64) (domain.DeskPerson, error)
	// SearchDesk finds a meeting's registrations by name or email (at most 30, live ones first).
	SearchDesk(ctx context.Context, meetingID int64, q string) ([]domain.DeskPerson, error)
	// Token returns the token with id, revoked or not, and when it was revoked (nil: live).
	Token(ctx context.Context, id int64) (domain.Token, *time.Time, error)
	// TokenRevoked reports whether a token was revoked (an unknown one counts as revoked).
	TokenRevoked(ctx context.Context, id int64) (bool, error)
}

// mayWorkDesk refuses an actor who does not work the desk of meeting id.
func mayWorkDesk(actor domain.Actor, meetingID int64) error {
	if !actor.CanAt(domain.WorkDesk, meetingID) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return nil
}

// Meeting returns the meeting with slug for its desk: Forbidden to an actor who does not work it.
func (s *Desk) Meeting(ctx context.Context, actor domain.Actor, slug string) (*domain.MeetingDetail, error) {
	m, err := s.reads.MeetingDetail(ctx, slug)
	if err != nil {
		return nil, err
	}
	if err := mayWorkDesk(actor, m.ID); err != nil {
		return nil, err
	}
	return m, nil
}

// Meetings lists the meetings whose desk actor works, the newest first.
func (s *Desk) Meetings(ctx context.Context, actor domain.Actor) ([]domain.MeetingSummary, error) {
	all, err := s.reads.Meetings(ctx)
	if err != nil {
		return nil, err
	}
	var out []domain.MeetingSummary
	for _, m := range all {
		if actor.CanAt(domain.WorkDesk, m.ID) {
			out = append(out, m)
		}
	}
	return out, nil
}

// Person returns registration id of meeting meetingID as the desk sees it (NotFound when it is
// not the meeting's), to one who works the meeting's desk.
func (s *Desk) Person(ctx context.Context, actor domain.Actor, meetingID, id int64) (domain.DeskPerson, error) {
	if err := mayWorkDesk(actor, meetingID); err != nil {
		return domain.DeskPerson{}, err
	}
	return s.reads.DeskPerson(ctx, meetingID, id)
}

// Search finds the meeting's registrations by name or email, to one who works its desk.
func (s *Desk) Search(ctx context.Context, actor domain.Actor, meetingID int64, q string) ([]domain.DeskPerson, error) {
	if err := mayWorkDesk(actor, meetingID); err != nil {
		return nil, err
	}
	return s.reads.SearchDesk(ctx, meetingID, q)
}

// Badge returns the badge token with id of meeting meetingID, and whether it was revoked since,
// to one who works the meeting's desk (BadgeCode decides whether it is still printed).
func (s *Desk) Badge(ctx context.Context, actor domain.Actor, meetingID, id int64) (domain.Token, bool, error) {
	if err := mayWorkDesk(actor, meetingID); err != nil {
		return domain.Token{}, false, err
	}
	tok, revokedAt, err := s.reads.Token(ctx, id)
	return tok, revokedAt != nil, err
}

// CheckCode checks a code scanned or typed at the desk of meeting meetingID at time at, its
// revocation read from the store (CheckToken).
func (s *Desk) CheckCode(ctx context.Context, meetingID int64, code string, at time.Time) (domain.Token, error) {
	return s.CheckToken(ctx, meetingID, code, at, s.reads.TokenRevoked)
}
