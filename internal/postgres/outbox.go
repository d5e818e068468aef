package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"plenary/internal/service"
)

// Mail kinds queued by the registration use cases (the service's).
const (
	MailRegistrationAck       = service.MailRegistrationAck
	MailRegistrationPending   = service.MailRegistrationPending
	MailRegistrationApproved  = service.MailRegistrationApproved
	MailRegistrationRejected  = service.MailRegistrationRejected
	MailRegistrationCancelled = service.MailRegistrationCancelled
)

// mailEvent is one mail to queue: Key is unique per event and recipient.
type mailEvent = service.Mail

// enqueueMail queues mail inside tx (a write sent with the transaction's next statement, see
// Tx.Later), with the facts each tells (MailFacts) read in the same
// statement, as the transaction sees them; a key already queued is skipped, so an event is never
// mailed twice. Nothing is rendered here: the mail worker writes each body from its facts after
// the transaction has committed, and workers are woken once it has (see InTx and
// RunMailNotifier).
func enqueueMail(ctx context.Context, tx pgx.Tx, events []mailEvent) error {
	if len(events) == 0 {
		return nil
	}
	n := len(events)
	keys, kinds, accounts, regs := make([]string, n), make([]string, n), make([]int64, n), make([]int64, n)
	for i, e := range events {
		keys[i], kinds[i], accounts[i], regs[i] = e.Key, e.Kind, e.AccountID, e.Registration
	}
	err := write(ctx, tx, `INSERT INTO mail_outbox (event_key, kind, account_id, registration_id, facts)
		SELECT u.k, u.kind, u.a, NULLIF(u.r, 0), `+mailFactsSQL+`
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS u(k, kind, a, r, i)`+mailFactsJoins+`
		ORDER BY u.i
		ON CONFLICT (event_key) DO NOTHING`, keys, kinds, accounts, regs)
	if err != nil {
		return fmt.Errorf("postgres: queue mail: %w", err)
	}
	if t, ok := tx.(*Tx); ok {
		t.MailQueued()
	}
	return nil
}

// write runs a statement whose result is not read: in a transaction of the store it goes with
// the next statement or the COMMIT (Tx.Later).
func write(ctx context.Context, tx pgx.Tx, sql string, args ...any) error {
	if t, ok := tx.(*Tx); ok {
		return t.Later(sql, args...)
	}
	_, err := tx.Exec(ctx, sql, args...)
	return err
}

// auditMany writes one audit event per entity id inside tx, in one statement.
func auditMany(ctx context.Context, tx pgx.Tx, a Audit, action, entity string, ids []int64, details []map[string]any) error {
	events := make([]auditRow, len(ids))
	for i, id := range ids {
		events[i] = auditRow{Audit: a, EntityID: id, Detail: details[i]}
	}
	return auditRows(ctx, tx, action, entity, events)
}

// auditRow is one audit event of auditRows: who acted, from where, on which record.
type auditRow struct {
	Audit
	EntityID int64
	Detail   map[string]any
}

// auditRows writes audit events of one action inside tx, in one statement, each with its own
// actor and origin.
func auditRows(ctx context.Context, tx pgx.Tx, action, entity string, events []auditRow) error {
	if len(events) == 0 {
		return nil
	}
	n := len(events)
	actors, ids, details := make([]*int64, n), make([]int64, n), make([]map[string]any, n)
	addrs, requests := make([]string, n), make([]string, n)
	for i, e := range events {
		if e.ActorID != 0 {
			actors[i] = &events[i].ActorID
		}
		ids[i], addrs[i], requests[i] = e.EntityID, e.RemoteAddr, e.RequestID
		details[i] = e.Detail
		if details[i] == nil {
			details[i] = map[string]any{}
		}
	}
	err := write(ctx, tx, `INSERT INTO audit_events (actor_id, action, entity, entity_id, detail, remote_addr, request_id)
		SELECT u.actor_id, $1, $2, u.id, u.detail, u.remote_addr, u.request_id
		FROM unnest($3::bigint[], $4::bigint[], $5::jsonb[], $6::text[], $7::text[]) AS u(actor_id, id, detail, remote_addr, request_id)`,
		action, entity, actors, ids, details, addrs, requests)
	if err != nil {
		return fmt.Errorf("postgres: audit %s: %w", action, err)
	}
	return nil
}
