package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Mail kinds queued by the registration use cases.
const (
	MailRegistrationAck       = "registration.ack"       // to the delegate: received, not yet a confirmation
	MailRegistrationPending   = "registration.pending"   // to each focal point: a request to decide
	MailRegistrationApproved  = "registration.approved"  // to the delegate
	MailRegistrationRejected  = "registration.rejected"  // to the delegate, with the reason
	MailRegistrationCancelled = "registration.cancelled" // to the focal points
)

// mailEvent is one mail to queue: Key is unique per event and recipient.
type mailEvent struct {
	Key          string
	Kind         string
	AccountID    int64
	Registration int64
}

// enqueueMail queues mail inside tx; a key already queued is skipped, so an event is never mailed
// twice. Workers are woken once the transaction has committed (see inTx and RunMailNotifier).
func enqueueMail(ctx context.Context, tx pgx.Tx, events []mailEvent) error {
	if len(events) == 0 {
		return nil
	}
	keys := make([]string, len(events))
	kinds := make([]string, len(events))
	accounts := make([]int64, len(events))
	regs := make([]int64, len(events))
	for i, e := range events {
		keys[i], kinds[i], accounts[i], regs[i] = e.Key, e.Kind, e.AccountID, e.Registration
	}
	_, err := tx.Exec(ctx, `INSERT INTO mail_outbox (event_key, kind, account_id, registration_id)
		SELECT k, kind, a, NULLIF(r, 0) FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS u(k, kind, a, r)
		ON CONFLICT (event_key) DO NOTHING`, keys, kinds, accounts, regs)
	if err != nil {
		return fmt.Errorf("postgres: queue mail: %w", err)
	}
	if t, ok := tx.(*trackedTx); ok {
		t.mailQueued = true
	}
	return nil
}

// auditMany writes one audit event per entity id inside tx, in one statement.
func auditMany(ctx context.Context, tx pgx.Tx, a Audit, action, entity string, ids []int64, details []map[string]any) error {
	if len(ids) == 0 {
		return nil
	}
	var actor *int64
	if a.ActorID != 0 {
		actor = &a.ActorID
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_events (actor_id, action, entity, entity_id, detail, remote_addr, request_id)
		SELECT $1, $2, $3, u.id, u.detail, $6, $7 FROM unnest($4::bigint[], $5::jsonb[]) AS u(id, detail)`,
		actor, action, entity, ids, details, a.RemoteAddr, a.RequestID)
	if err != nil {
		return fmt.Errorf("postgres: audit %s: %w", action, err)
	}
	return nil
}
