package service

import (
	"context"
	"time"

	"plenary/internal/domain"
)

// FigureReads are what the day's figures read outside a transaction.
type FigureReads interface {
	// MeetingDetailByID returns a meeting; a missing one is NotFound.
	MeetingDetailByID(ctx context.Context, id int64) (*domain.MeetingDetail, error)
	// FigureLines are a meeting's registrations approved in person and those checked in at its
	// entry, each with its check-in there (domain.CountCheckIns counts them).
	FigureLines(ctx context.Context, meetingID int64) ([]domain.FigureLine, error)
	// EachParticipant streams the list of participants of a meeting made on basis (the rule
	// of domain.Listed), by organisation and name; the actor must be allowed to list them.
	EachParticipant(ctx context.Context, actor domain.Actor, meetingID int64, basis domain.ParticipantBasis, fn func(domain.RegistrationLine) error) error
}

// Figures holds the use cases of the day's figures and of the list of participants.
type Figures struct {
	reads FigureReads
	now   Clock
}

// NewFigures builds the day's figures over reads.
func NewFigures(reads FigureReads, now Clock) *Figures {
	if now == nil {
		now = time.Now
	}
	return &Figures{reads: reads, now: now}
}

// ParticipantList returns meeting id and the basis its list of participants is made on: the one
// asked for ("registered" or "checked-in"), else the default at this moment
// (domain.DefaultParticipantBasis). Only who may list the participants may ask, and is asked
// first, so that nobody else learns from the answer whether a meeting exists.
func (s *Figures) ParticipantList(ctx context.Context, actor domain.Actor, id int64, asked string) (*domain.MeetingDetail, domain.ParticipantBasis, error) {
	if !domain.CanListParticipants(actor) {
		return nil, "", domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	m, err := s.reads.MeetingDetailByID(ctx, id)
	if err != nil {
		return nil, "", err
	}
	b, ok := domain.ParseParticipantBasis(asked)
	if !ok {
		b = domain.DefaultParticipantBasis(m.Meeting, s.now())
	}
	return m, b, nil
}

// EachParticipant streams the list of participants of a meeting made on basis to fn.
func (s *Figures) EachParticipant(ctx context.Context, actor domain.Actor, meetingID int64, basis domain.ParticipantBasis, fn func(domain.RegistrationLine) error) error {
	return s.reads.EachParticipant(ctx, actor, meetingID, basis, fn)
}

// DayFigures returns meeting id and its figures, to the secretariat and the meeting's desk staff
// (domain.CanSeeDayFigures). The actor is asked first, so that nobody else learns from the
// answer whether a meeting exists.
func (s *Figures) DayFigures(ctx context.Context, actor domain.Actor, id int64) (*domain.MeetingDetail, domain.DayFigures, error) {
	if !domain.CanSeeDayFigures(actor, id) {
		return nil, domain.DayFigures{}, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	m, err := s.reads.MeetingDetailByID(ctx, id)
	if err != nil {
		return nil, domain.DayFigures{}, err
	}
	lines, err := s.reads.FigureLines(ctx, m.ID)
	if err != nil {
		return nil, domain.DayFigures{}, err
	}
	return m, domain.CountCheckIns(m.FirstDay, m.LastDay, m.Location(), lines), nil
}
