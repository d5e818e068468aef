package service

import (
	"context"
	"time"

	"plenary/internal/domain"
)

// RegistrationTx is what the registration use cases do inside their transaction; the store's
// transaction implements it with SQL, the service decides what is done and in which order.
type RegistrationTx interface {
	// LockRegistrations reads registrations for update, in id order (so that concurrent bulk
	// actions never deadlock); a missing id is left out.
	LockRegistrations(ctx context.Context, ids []int64) ([]domain.Registration, error)
	// SaveRegistrations writes the changed fields of registrations (mode, state, decision, reason,
	// updated_at), in one statement.
	SaveRegistrations(ctx context.Context, regs []domain.Registration) error
	// SaveRegistrationDetails writes a registration's changeable answers (function/title,
	// interpretation, accessibility, consent to be listed) and updated_at.
	SaveRegistrationDetails(ctx context.Context, r domain.Registration) error
	// Audit writes one audit event of action per record id, with details[i] for ids[i].
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
	// FocalPoints returns the focal points of each organisation, in id order.
	FocalPoints(ctx context.Context, orgs []int64) (map[int64][]int64, error)
	// QueueMail queues mail (a key already queued is skipped) with the facts it tells as the
	// transaction sees them; the workers are woken once the transaction has committed.
	QueueMail(ctx context.Context, mail []Mail) error
	// WithdrawVisas withdraws the open visa requests and issued letters of registrations that
	// were cancelled, rejected or switched to remote.
	WithdrawVisas(ctx context.Context, a Audit, registrationIDs []int64, now time.Time) error
	// ProcessVisas moves the visa requests of newly approved registrations to processing.
	ProcessVisas(ctx context.Context, a Audit, registrationIDs []int64, now time.Time) error
	// ConfirmMembers records that the delegates of newly approved registrations belong to the
	// organisation that approved them.
	ConfirmMembers(ctx context.Context, registrationIDs []int64) error
	// RegistrationContext reads what the rules need about a meeting, a registrant and the
	// registrant's organisation.
	RegistrationContext(ctx context.Context, actor domain.Actor, meetingID, registrantID int64, now time.Time) (domain.RegistrationContext, error)
	// RevokeTokens revokes the live desk tokens (of kind, every kind when 0) of registrations
	// that were cancelled or changed mode: their confirmations' and badges' QR codes.
	RevokeTokens(ctx context.Context, a Audit, registrationIDs []int64, kind domain.TokenKind, reason domain.RevokeReason, now time.Time) error
}

// Registrations are the registration use cases: submit, decide, cancel, change of mode, and the
// lists of registrations.
type Registrations struct {
	tx     RunTx[RegistrationTx]
	submit RegistrationSubmitter
	reads  RegistrationReads
	mine   MyRegistrationReads
	// colocated runs the change of co-located events.
	colocated RunTx[ColocatedTx]
	// onBehalf are the reads of registering someone else.
	onBehalf OnBehalfReads
	now      Clock
}

// RegistrationsDeps is what the registration use cases are built from.
type RegistrationsDeps struct {
	Tx RunTx[RegistrationTx]
	// Submit stores new registrations, batched (see RegistrationSubmitter).
	Submit RegistrationSubmitter
	// Reads are the lists' reads.
	Reads RegistrationReads
	// Mine are the reads of a delegate's own registrations.
	Mine MyRegistrationReads
	// Colocated runs the change of co-located events' transaction.
	Colocated RunTx[ColocatedTx]
	// OnBehalf are the reads of registering someone else.
	OnBehalf OnBehalfReads
	Now      Clock
}

// NewRegistrations builds the registration use cases.
func NewRegistrations(d RegistrationsDeps) *Registrations {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Registrations{tx: d.Tx, submit: d.Submit, reads: d.Reads, mine: d.Mine, colocated: d.Colocated, onBehalf: d.OnBehalf, now: d.Now}
}

// notFound is how a registration the actor may not see is refused: as missing, not described.
func notFound() error { return domain.Errorf(domain.NotFound, "error.registration_not_found") }

// registrationLocker locks registrations: the registration and the desk transactions both do.
type registrationLocker interface {
	LockRegistrations(ctx context.Context, ids []int64) ([]domain.Registration, error)
}

// lockVisible locks registration id for a use case of actor's: one actor may not see is not
// found (whether it exists is not told).
func lockVisible(ctx context.Context, tx registrationLocker, actor domain.Actor, id int64) (domain.Registration, error) {
	return lockSeen(ctx, tx, id, func(r domain.Registration) bool { return domain.CanView(actor, r) })
}

// lockSeen locks registration id; one that sees (the actor's view of it: the registration, its
// photo) refuses is not found.
func lockSeen(ctx context.Context, tx registrationLocker, id int64, sees func(domain.Registration) bool) (domain.Registration, error) {
	regs, err := tx.LockRegistrations(ctx, []int64{id})
	if err != nil {
		return domain.Registration{}, err
	}
	if len(regs) == 0 || !sees(regs[0]) {
		return domain.Registration{}, notFound()
	}
	return regs[0], nil
}
