package service

import (
	"context"

	"plenary/internal/domain"
)

// FigureReads are what the day's figures read outside a transaction.
type FigureReads interface {
	// MeetingDetailByID returns a meeting; a missing one is NotFound.
	MeetingDetailByID(ctx context.Context, id int64) (*domain.MeetingDetail, error)
	// FigureLines are a meeting's registrations approved in person and those checked in at its
	// entry, each with its check-in there (domain.CountCheckIns counts them).
	FigureLines(ctx context.Context, meetingID int64) ([]domain.FigureLine, error)
}

// Figures holds the use cases of the day's figures.
type Figures struct {
	reads FigureReads
}

// NewFigures builds the day's figures over reads.
func NewFigures(reads FigureReads) *Figures { return &Figures{reads: reads} }

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
