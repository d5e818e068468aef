package service

import (
	"context"

	"plenary/internal/domain"
)

// checkInListTx is what the check-in lists' use cases do inside their transaction (part of
// DeskTx).
type checkInListTx interface {
	// CheckInLists returns a meeting's lists, its entry first (made on first use), then in the
	// order they were made.
	CheckInLists(ctx context.Context, meetingID int64) ([]domain.CheckInList, error)
	// LockCheckInList reads a list for update.
	LockCheckInList(ctx context.Context, id int64) (domain.CheckInList, error)
	// SaveCheckInList stores a new list (before nil) or a list's new settings, audited in the
	// meeting's history with what changed.
	SaveCheckInList(ctx context.Context, a Audit, before *domain.CheckInList, l domain.CheckInList) (domain.CheckInList, error)
	// CheckInFigures returns the counts of a meeting's lists, by list id.
	CheckInFigures(ctx context.Context, meetingID int64) (map[int64]domain.ListFigures, error)
	// MeetingColocated returns a meeting's co-located events.
	MeetingColocated(ctx context.Context, meetingID int64) ([]domain.ColocatedEvent, error)
}

// CheckInListCount is a list with its counts.
type CheckInListCount struct {
	domain.CheckInList
	Figures domain.ListFigures
}

// CheckInLists returns a meeting's check-in lists with who is inside now, its co-located events
// (what event lists are named by), for the secretariat and the meeting's desk staff.
func (s *Desk) CheckInLists(ctx context.Context, actor domain.Actor, meetingID int64) ([]CheckInListCount, []domain.ColocatedEvent, error) {
	if !actor.CanAt(domain.WorkDesk, meetingID) {
		return nil, nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	var out []CheckInListCount
	var events []domain.ColocatedEvent
	err := s.tx(ctx, func(tx DeskTx) error {
		out = nil
		if _, err := tx.MeetingByID(ctx, meetingID); err != nil {
			return err
		}
		lists, err := tx.CheckInLists(ctx, meetingID)
		if err != nil {
			return err
		}
		figures, err := tx.CheckInFigures(ctx, meetingID)
		if err != nil {
			return err
		}
		for _, l := range lists {
			out = append(out, CheckInListCount{CheckInList: l, Figures: figures[l.ID]})
		}
		events, err = tx.MeetingColocated(ctx, meetingID)
		return err
	})
	return out, events, err
}

// SaveCheckInList creates a list of a meeting (l.ID 0: a room or a co-located event) or changes
// a list's name, its entries (one or many) and whether exits are scanned: the secretariat alone,
// checked by the domain (CheckCheckInList), audited in the meeting's history.
func (s *Desk) SaveCheckInList(ctx context.Context, a Audit, actor domain.Actor, l domain.CheckInList) (domain.CheckInList, error) {
	if !actor.Can(domain.ManageDesk) {
		return domain.CheckInList{}, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	var out domain.CheckInList
	err := s.tx(ctx, func(tx DeskTx) error {
		if _, err := tx.MeetingByID(ctx, l.MeetingID); err != nil {
			return err
		}
		var before *domain.CheckInList
		if l.ID != 0 {
			b, err := tx.LockCheckInList(ctx, l.ID)
			if err != nil {
				return err
			}
			if b.MeetingID != l.MeetingID {
				return domain.Errorf(domain.NotFound, "error.not_found")
			}
			before = &b
		}
		lists, err := tx.CheckInLists(ctx, l.MeetingID)
		if err != nil {
			return err
		}
		events, err := tx.MeetingColocated(ctx, l.MeetingID)
		if err != nil {
			return err
		}
		checked, err := domain.CheckCheckInList(before, l, events, lists)
		if err != nil {
			return err
		}
		out, err = tx.SaveCheckInList(ctx, a, before, checked)
		return err
	})
	return out, err
}

// ListStanding is where a registration stands on a check-in list: its counted scans, in time
// order, and why a scan in the desk's direction would not count now (nil: it would).
type ListStanding struct {
	Counted []domain.CheckIn
	Refusal error
}

// Standing says where registration r stands on list, and whether a scan in dir would count now
// (domain.MayScan), for the meeting's desk staff and the secretariat: what the desk page offers.
func (s *Desk) Standing(ctx context.Context, actor domain.Actor, list domain.CheckInList, r domain.Registration, dir domain.Direction) (ListStanding, error) {
	if !actor.CanAt(domain.WorkDesk, list.MeetingID) {
		return ListStanding{}, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	var out ListStanding
	err := s.tx(ctx, func(tx DeskTx) error {
		counted, err := tx.AcceptedScans(ctx, list.ID, r.ID)
		if err != nil {
			return err
		}
		var events []int64
		if list.Kind == domain.EventList {
			if events, err = tx.RegistrationEvents(ctx, r.ID); err != nil {
				return err
			}
		}
		out = ListStanding{Counted: counted, Refusal: domain.MayScan(domain.ScanCheck{List: list, Registration: r, Events: events,
			Direction: dir, At: s.now(), Counted: counted})}
		return nil
	})
	return out, err
}
