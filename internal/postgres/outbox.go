package postgres

import (
	"context"
	"fmt"
	"slices"

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

// MailWriter writes a mail in its recipient's language: its address, subject and body.
type MailWriter func(MailJob) (MailContent, error)

// WriteMailWith has the store write each mail when it is queued, in the transaction of the event
// it tells about, so that the mail says what the event did (not what the data became by the time
// it is sent), and, with keep (no SMTP server), store it as kept in the portal at once. It is set
// once, before the store is used. Without it, mail is queued unwritten and the worker writes it
// when it sends it.
func (db *DB) WriteMailWith(write MailWriter, keep bool) {
	db.writeMail, db.keepMail = write, keep
}

// enqueueMail queues mail inside tx; a key already queued is skipped, so an event is never mailed
// twice. Each mail is written first (see WriteMailWith), in one query for all of them. Workers are
// woken once the transaction has committed (see inTx and RunMailNotifier).
func enqueueMail(ctx context.Context, tx pgx.Tx, events []mailEvent) error {
	if len(events) == 0 {
		return nil
	}
	n := len(events)
	keys, kinds, accounts, regs := make([]string, n), make([]string, n), make([]int64, n), make([]int64, n)
	for i, e := range events {
		keys[i], kinds[i], accounts[i], regs[i] = e.Key, e.Kind, e.AccountID, e.Registration
	}
	states := make([]string, n)
	for i := range states {
		states[i] = MailQueued
	}
	recipients, subjects, bodies := make([]string, n), make([]string, n), make([]string, n)
	t, tracked := tx.(*Tx)
	if tracked && t.db.writeMail != nil {
		rows, _ := tx.Query(ctx, mailJobs(`SELECT u.i AS id, u.k AS event_key, u.kind, 0 AS attempts, now() AS created_at,
				'' AS recipient, '' AS subject, '' AS body, u.a AS account_id, NULLIF(u.r, 0) AS registration_id
			FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS u(k, kind, a, r, i)`),
			keys, kinds, accounts, regs)
		jobs, err := pgx.CollectRows(rows, pgx.RowToStructByName[MailJob])
		if err != nil {
			return fmt.Errorf("postgres: write mail: %w", err)
		}
		for _, j := range jobs {
			i := j.ID - 1
			c, err := t.db.writeMail(j)
			if err != nil {
				// Left unwritten: the worker tries, and records why it cannot.
				continue
			}
			recipients[i], subjects[i], bodies[i] = c.Recipient, c.Subject, c.Body
			if t.db.keepMail {
				states[i] = MailKept
			}
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO mail_outbox (event_key, kind, account_id, registration_id, state, recipient, subject, body)
		SELECT k, kind, a, NULLIF(r, 0), st, rc, sj, bd
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
			AS u(k, kind, a, r, st, rc, sj, bd)
		ON CONFLICT (event_key) DO NOTHING`, keys, kinds, accounts, regs, states, recipients, subjects, bodies)
	if err != nil {
		return fmt.Errorf("postgres: queue mail: %w", err)
	}
	if tracked && slices.Contains(states, MailQueued) {
		t.MailQueued()
	}
	return nil
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
	_, err := tx.Exec(ctx, `INSERT INTO audit_events (actor_id, action, entity, entity_id, detail, remote_addr, request_id)
		SELECT u.actor_id, $1, $2, u.id, u.detail, u.remote_addr, u.request_id
		FROM unnest($3::bigint[], $4::bigint[], $5::jsonb[], $6::text[], $7::text[]) AS u(actor_id, id, detail, remote_addr, request_id)`,
		action, entity, actors, ids, details, addrs, requests)
	if err != nil {
		return fmt.Errorf("postgres: audit %s: %w", action, err)
	}
	return nil
}
