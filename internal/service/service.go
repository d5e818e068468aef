package service

import (
	"context"
	"time"
)

// RunTx runs fn in one transaction of the store, committing when fn returns nil. S is the set of
// operations a service needs inside its transactions, declared by the service as an interface
// (RegistrationTx); the store's transaction implements it. A transaction that fails on a
// serialization failure or a deadlock is run again from the start, so fn must start from nothing
// each time: set what it learns, never append to what a previous attempt left.
type RunTx[S any] func(ctx context.Context, fn func(S) error) error

// Audit says who acts and from where, for the audit event every change writes in its own
// transaction.
type Audit struct {
	ActorID    int64
	RemoteAddr string
	RequestID  string
}

// Clock returns the current time; tests move it.
type Clock func() time.Time

// Services are the use cases the web layer calls, built once by the app (internal/app).
type Services struct {
	Registrations *Registrations
	Documents     *Documents
	Desk          *Desk
	Devices       *Devices
	Accounts      *Accounts
	Meetings      *Meetings
	FocalMail     *FocalMail
	Focal         *Focal
	Figures       *Figures
	DeskStaff     *DeskStaff
	Members       *Members
	// Representations is the list of Swiss representations visa requests name.
	Representations *Representations
	Outbox          *Outbox
	StudyGroups     *StudyGroups
	Organisations   *Organisations
	Visas           *Visas
	Throttle        *Throttle
	// Health is the readiness check (/readyz).
	Health *Health
	// Letters are the visa letters' settings (letterhead, signatory, language).
	Letters *LetterSettings
}
