package service

import (
	"context"
	"strings"

	"plenary/internal/domain"
)

// RoleTx is what naming and removing an account's role does inside its transaction. A role is
// data (domain.Grant: a role, where it holds), so one interface serves every role.
type RoleTx interface {
	// AccountIDByEmail is the id of the account with email (matched without case); NotFound when
	// there is none.
	AccountIDByEmail(ctx context.Context, email string) (int64, error)
	// GrantRole gives the account the role g, granted by by; false when it held it already.
	GrantRole(ctx context.Context, accountID int64, g domain.Grant, by int64) (bool, error)
	// RevokeRole takes the role g from the account; false when it did not hold it.
	RevokeRole(ctx context.Context, accountID int64, g domain.Grant) (bool, error)
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
}

// DeskStaffReads are what the page of a meeting's desk staff reads.
type DeskStaffReads interface {
	// DeskStaffOf lists the accounts named desk staff of a meeting, by name.
	DeskStaffOf(ctx context.Context, meetingID int64) ([]domain.DeskStaffMember, error)
	// MeetingDetailByID returns a meeting (NotFound when missing).
	MeetingDetailByID(ctx context.Context, id int64) (*domain.MeetingDetail, error)
}

// DeskStaff are the secretariat's use cases on who works a meeting's registration desk: the
// role desk staff, held at that meeting.
type DeskStaff struct {
	tx    RunTx[RoleTx]
	reads DeskStaffReads
}

// NewDeskStaff builds the desk staff's use cases.
func NewDeskStaff(tx RunTx[RoleTx], reads DeskStaffReads) *DeskStaff {
	return &DeskStaff{tx: tx, reads: reads}
}

// List returns meeting id and its desk staff, for one who may manage the desk (else Forbidden).
func (s *DeskStaff) List(ctx context.Context, actor domain.Actor, id int64) (*domain.MeetingDetail, []domain.DeskStaffMember, error) {
	if !actor.Can(domain.ManageDesk) {
		return nil, nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	m, err := s.reads.MeetingDetailByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	staff, err := s.reads.DeskStaffOf(ctx, id)
	return m, staff, err
}

// Grant names the account with email desk staff of meeting meetingID (the secretariat alone,
// else Forbidden): an email of no account is refused beside the field; naming one already named
// changes nothing. Audited (role.grant) in the same transaction.
func (s *DeskStaff) Grant(ctx context.Context, a Audit, actor domain.Actor, meetingID int64, email string) error {
	if !actor.Can(domain.ManageDesk) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	g := domain.DeskStaffGrant(meetingID)
	return s.tx(ctx, func(tx RoleTx) error {
		id, err := tx.AccountIDByEmail(ctx, strings.TrimSpace(email))
		if domain.ErrorCode(err) == domain.NotFound {
			return domain.FieldErrors(map[string]string{"email": "desk.staff_unknown"})
		}
		if err != nil {
			return err
		}
		added, err := tx.GrantRole(ctx, id, g, a.ActorID)
		if err != nil || !added {
			return err
		}
		return tx.Audit(ctx, a, "role.grant", "account", []int64{id}, []map[string]any{{"role": g.Role, "meeting": meetingID}})
	})
}

// Revoke removes account accountID from meeting meetingID's desk staff (the secretariat alone,
// else Forbidden); one not named changes nothing. Audited (role.revoke) in the same transaction.
func (s *DeskStaff) Revoke(ctx context.Context, a Audit, actor domain.Actor, meetingID, accountID int64) error {
	if !actor.Can(domain.ManageDesk) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	g := domain.DeskStaffGrant(meetingID)
	return s.tx(ctx, func(tx RoleTx) error {
		removed, err := tx.RevokeRole(ctx, accountID, g)
		if err != nil || !removed {
			return err
		}
		return tx.Audit(ctx, a, "role.revoke", "account", []int64{accountID}, []map[string]any{{"role": g.Role, "meeting": meetingID}})
	})
}
