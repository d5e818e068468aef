package postgres

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// The desk's tokens: the signing keys and the tokens issued (migration 00180).

// DeskKeys returns the portal's token keys, generating the first one on first use (two
// instances starting together agree on one: the second insert does nothing).
func (db *DB) DeskKeys(ctx context.Context) (domain.DeskKeys, error) {
	keys, err := db.readDeskKeys(ctx)
	if err != nil || keys.Private != nil {
		return keys, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return keys, fmt.Errorf("postgres: desk key: %w", err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO desk_keys (id, public_key, private_key) VALUES (1, $1, $2)
		ON CONFLICT (id) DO NOTHING`, []byte(pub), []byte(priv)); err != nil {
		return keys, fmt.Errorf("postgres: desk key: %w", err)
	}
	return db.readDeskKeys(ctx)
}

func (db *DB) readDeskKeys(ctx context.Context) (domain.DeskKeys, error) {
	keys := domain.DeskKeys{Public: map[uint16]ed25519.PublicKey{}}
	rows, err := db.Pool.Query(ctx, `SELECT id, public_key, private_key FROM desk_keys ORDER BY id`)
	if err != nil {
		return keys, fmt.Errorf("postgres: desk keys: %w", err)
	}
	var id int32
	var pub, priv []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &pub, &priv}, func() error {
		keys.Public[uint16(id)] = ed25519.PublicKey(append([]byte{}, pub...))
		keys.Current, keys.Private = uint16(id), ed25519.PrivateKey(append([]byte{}, priv...))
		return nil
	})
	if err != nil {
		return keys, fmt.Errorf("postgres: desk keys: %w", err)
	}
	return keys, nil
}

const deskTokenColumns = `t.id, t.kind, t.key_id, t.registration_id, t.meeting_id, t.mode, t.serial, t.valid_from, t.valid_until`

func scanDeskToken(row pgx.CollectableRow) (domain.Token, error) {
	var t domain.Token
	var kind, mode string
	var key int32
	err := row.Scan(&t.ID, &kind, &key, &t.Registration, &t.Meeting, &mode, &t.Serial, &t.ValidFrom, &t.ValidUntil)
	t.Kind, t.Key, t.Mode = domain.TokenKindOf(kind), uint16(key), domain.Mode(mode)
	t.ValidFrom, t.ValidUntil = t.ValidFrom.UTC(), t.ValidUntil.UTC()
	return t, err
}

// LiveTokens returns a registration's unrevoked tokens of kind, locked.
func (t *Tx) LiveTokens(ctx context.Context, registrationID int64, kind domain.TokenKind) ([]domain.Token, error) {
	rows, err := t.Query(ctx, `SELECT `+deskTokenColumns+` FROM desk_tokens t
		WHERE t.registration_id = $1 AND t.kind = $2 AND t.revoked_at IS NULL ORDER BY t.id FOR UPDATE`, registrationID, kind.String())
	if err != nil {
		return nil, fmt.Errorf("postgres: live tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanDeskToken)
	if err != nil {
		return nil, fmt.Errorf("postgres: live tokens: %w", err)
	}
	return out, nil
}

// IssueToken stores a new token (its id and serial are given here: the serial follows the
// registration's last token of that kind) with the digest of its text, which digest computes from
// the token with its id and serial, and audits it. The id is taken first, so that the row is
// written once, digest and all.
func (t *Tx) IssueToken(ctx context.Context, a Audit, tok domain.Token, now time.Time, digest func(domain.Token) []byte) (domain.Token, error) {
	var by *int64
	if a.ActorID != 0 {
		by = &a.ActorID
	}
	if err := t.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('desk_tokens', 'id')), COALESCE(max(serial), 0) + 1
		FROM desk_tokens WHERE registration_id = $1 AND kind = $2`, tok.Registration, tok.Kind.String()).Scan(&tok.ID, &tok.Serial); err != nil {
		return tok, fmt.Errorf("postgres: issue token: %w", err)
	}
	d := digest(tok)
	if len(d) != 32 {
		return tok, fmt.Errorf("postgres: issue token: a digest of %d bytes", len(d))
	}
	if _, err := t.Exec(ctx, `INSERT INTO desk_tokens (id, registration_id, meeting_id, kind, mode, serial, key_id, valid_from, valid_until,
			issued_at, issued_by, digest)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		tok.ID, tok.Registration, tok.Meeting, tok.Kind.String(), string(tok.Mode), tok.Serial, int32(tok.Key), tok.ValidFrom, tok.ValidUntil,
		now, by, d); err != nil {
		return tok, fmt.Errorf("postgres: issue token: %w", err)
	}
	err := audit(ctx, t, a, "token.issue", "registration", tok.Registration,
		map[string]any{"token": tok.ID, "kind": tok.Kind.String(), "serial": tok.Serial, "mode": tok.Mode})
	return tok, err
}

// RevokeTokens revokes the live tokens (of kind, or of every kind when kind is 0) of
// registrations, each with an audit event.
func (t *Tx) RevokeTokens(ctx context.Context, a Audit, registrationIDs []int64, kind domain.TokenKind, reason domain.RevokeReason, now time.Time) error {
	return revokeDeskTokens(ctx, t, a, registrationIDs, kind, reason, now)
}

func revokeDeskTokens(ctx context.Context, tx pgx.Tx, a Audit, registrationIDs []int64, kind domain.TokenKind, reason domain.RevokeReason, now time.Time) error {
	if len(registrationIDs) == 0 {
		return nil
	}
	kinds := []string{"confirmation", "badge"}
	if kind != 0 {
		kinds = []string{kind.String()}
	}
	rows, err := tx.Query(ctx, `UPDATE desk_tokens SET revoked_at = $3, revoked_reason = $4
		WHERE registration_id = ANY($1) AND kind = ANY($2) AND revoked_at IS NULL
		RETURNING registration_id, id, kind, serial`, registrationIDs, kinds, now, string(reason))
	if err != nil {
		return fmt.Errorf("postgres: revoke tokens: %w", err)
	}
	var events []auditRow
	var reg, id int64
	var k string
	var serial int
	_, err = pgx.ForEachRow(rows, []any{&reg, &id, &k, &serial}, func() error {
		events = append(events, auditRow{Audit: a, EntityID: reg, Detail: map[string]any{"token": id, "kind": k, "serial": serial, "reason": reason}})
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: revoke tokens: %w", err)
	}
	return auditRows(ctx, tx, "token.revoke", "registration", events)
}

// RevokedToken is an entry of a meeting's revocation list (the service's).
type RevokedToken = service.RevokedToken

// RevokedTokens lists a meeting's revoked tokens: those revoked, and those whose registration is
// no longer approved in the token's mode (revoked by that, whether or not it was written).
func (db *DB) RevokedTokens(ctx context.Context, meetingID int64) ([]RevokedToken, error) {
	rows, err := db.Pool.Query(ctx, `SELECT t.id, t.kind, t.registration_id, t.serial,
			COALESCE(t.revoked_at, r.updated_at),
			CASE WHEN t.revoked_at IS NOT NULL THEN t.revoked_reason
				WHEN r.state = 'cancelled' THEN 'cancelled' WHEN r.mode <> t.mode THEN 'mode_change' ELSE 'not_approved' END
		FROM desk_tokens t JOIN registrations r ON r.id = t.registration_id
		WHERE t.meeting_id = $1 AND (t.revoked_at IS NOT NULL OR r.state <> 'approved' OR r.mode <> t.mode)
		ORDER BY t.id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("postgres: revoked tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (RevokedToken, error) {
		var r RevokedToken
		err := row.Scan(&r.ID, &r.Kind, &r.Registration, &r.Serial, &r.At, &r.Reason)
		r.At = r.At.UTC()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: revoked tokens: %w", err)
	}
	return out, nil
}

// Token returns the token with id, revoked or not, and whether it is revoked.
func (db *DB) Token(ctx context.Context, id int64) (domain.Token, *time.Time, error) {
	var revoked *time.Time
	rows, _ := db.Pool.Query(ctx, `SELECT `+deskTokenColumns+`, t.revoked_at FROM desk_tokens t WHERE t.id = $1`, id)
	tok, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (domain.Token, error) {
		var t domain.Token
		var kind, mode string
		var key int32
		err := row.Scan(&t.ID, &kind, &key, &t.Registration, &t.Meeting, &mode, &t.Serial, &t.ValidFrom, &t.ValidUntil, &revoked)
		t.Kind, t.Key, t.Mode = domain.TokenKindOf(kind), uint16(key), domain.Mode(mode)
		t.ValidFrom, t.ValidUntil = t.ValidFrom.UTC(), t.ValidUntil.UTC()
		return t, err
	})
	if err != nil {
		return tok, nil, notFound(err, "desk.refuse.unknown")
	}
	return tok, revoked, nil
}

var _ service.DeskTx = (*Tx)(nil)

// MeetingByID reads a meeting in the transaction.
func (t *Tx) MeetingByID(ctx context.Context, id int64) (domain.Meeting, error) {
	rows, _ := t.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.id = $1`, id)
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Meeting])
	if err != nil {
		return m, notFound(err, "error.meeting_not_found")
	}
	return m, nil
}

// AuditBadge writes the event of a badge printed at a desk.
func (t *Tx) AuditBadge(ctx context.Context, a Audit, registrationID int64, detail map[string]any) error {
	return audit(ctx, t, a, "badge.print", "registration", registrationID, detail)
}
