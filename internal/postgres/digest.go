package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// MailDigest is the kind of the daily digest of new requests, to a focal point.
const MailDigest = "registration.digest"

// DigestPref returns the time of day of an account's daily digest; nil: one mail per request.
func (db *DB) DigestPref(ctx context.Context, accountID int64) (*domain.DigestAt, error) {
	var at *int
	err := db.Pool.QueryRow(ctx, `SELECT digest_at FROM focal_mail_prefs WHERE account_id = $1`, accountID).Scan(&at)
	if err != nil && err != pgx.ErrNoRows {
		return nil, fmt.Errorf("postgres: digest preference: %w", err)
	}
	if at == nil {
		return nil, nil
	}
	d := domain.DigestAt(*at)
	return &d, nil
}

var _ service.FocalMailTx = (*Tx)(nil)

// SetDigestPref records how a focal point is told of new requests: a daily digest at *at, or
// one mail per request (nil).
func (t *Tx) SetDigestPref(ctx context.Context, accountID int64, at *domain.DigestAt) error {
	var minutes *int
	if at != nil {
		m := int(*at)
		minutes = &m
	}
	if _, err := t.Exec(ctx, `INSERT INTO focal_mail_prefs (account_id, digest_at) VALUES ($1, $2)
		ON CONFLICT (account_id) DO UPDATE SET digest_at = EXCLUDED.digest_at, updated_at = now()`, accountID, minutes); err != nil {
		return fmt.Errorf("postgres: set digest: %w", err)
	}
	return nil
}

// ReleaseDigestMail queues at once the account's mail waiting for a digest; the mail workers
// are woken after the commit when there was any.
func (t *Tx) ReleaseDigestMail(ctx context.Context, accountID int64) (int, error) {
	tag, err := t.Exec(ctx, `UPDATE mail_outbox SET state = 'queued', next_attempt_at = now() WHERE account_id = $1 AND state = 'digest'`, accountID)
	if err != nil {
		return 0, fmt.Errorf("postgres: release digest: %w", err)
	}
	if tag.RowsAffected() > 0 {
		t.MailQueued()
	}
	return int(tag.RowsAffected()), nil
}

// DigestBatch is what one digest tells: a focal point's requests of one meeting still waiting.
type DigestBatch struct {
	AccountID    int64
	Email        string
	Name         string
	Language     string
	DigestAt     domain.DigestAt
	MeetingID    int64
	MeetingTitle domain.Text
	TimeZone     string
	FirstDay     time.Time
	LastDay      time.Time
	// MailIDs are the waiting mails folded into the digest, and Names their delegates (in
	// the same order).
	MailIDs []int64
	Names   []string
}

// WaitingDigests returns, per focal point and meeting, the requests waiting for a digest, read
// without locks (the digest is written from them before MakeDigest claims it).
func (db *DB) WaitingDigests(ctx context.Context) ([]DigestBatch, error) {
	rows, err := db.Pool.Query(ctx, `SELECT o.account_id, fa.email, fa.given_name || ' ' || fa.family_name, fa.language, p.digest_at, m.id, m.title, m.time_zone, m.first_day, m.last_day,
			array_agg(o.id ORDER BY d.family_name, d.given_name, o.id),
			array_agg(d.given_name || ' ' || d.family_name ORDER BY d.family_name, d.given_name, o.id)
		FROM mail_outbox o
		JOIN focal_mail_prefs p ON p.account_id = o.account_id AND p.digest_at IS NOT NULL
		JOIN accounts fa ON fa.id = o.account_id
		JOIN registrations r ON r.id = o.registration_id
		JOIN accounts d ON d.id = r.account_id
		JOIN meetings m ON m.id = r.meeting_id
		WHERE o.state = 'digest'
		GROUP BY o.account_id, fa.email, fa.given_name, fa.family_name, fa.language, p.digest_at, m.id
		ORDER BY o.account_id, m.id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: waiting digests: %w", err)
	}
	var out []DigestBatch
	var b DigestBatch
	var at int
	_, err = pgx.ForEachRow(rows, []any{&b.AccountID, &b.Email, &b.Name, &b.Language, &at, &b.MeetingID, &b.MeetingTitle, &b.TimeZone, &b.FirstDay, &b.LastDay, &b.MailIDs, &b.Names}, func() error {
		b.DigestAt = domain.DigestAt(at)
		out = append(out, b)
		b = DigestBatch{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: waiting digests: %w", err)
	}
	return out, nil
}

// MakeDigest queues the digest of b for its local day, written beforehand (subject, body), and
// marks the mails it folds in as digested, in one transaction. The day's row in focal_digests is
// the claim: when another instance made this day's digest already, nothing is done and made is
// false. A mail no longer waiting (released meanwhile) makes the digest wait for the next look.
func (db *DB) MakeDigest(ctx context.Context, b DigestBatch, day time.Time, subject, body string) (made bool, err error) {
	err = db.InTx(ctx, func(t *Tx) error {
		made = false
		tag, err := t.Exec(ctx, `INSERT INTO focal_digests (account_id, meeting_id, day, mails) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, b.AccountID, b.MeetingID, day, len(b.MailIDs))
		if err != nil {
			return fmt.Errorf("postgres: claim digest: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		tag, err = t.Exec(ctx, `UPDATE mail_outbox SET state = 'digested' WHERE id = ANY($1) AND state = 'digest'`, b.MailIDs)
		if err != nil {
			return fmt.Errorf("postgres: fold digest: %w", err)
		}
		if int(tag.RowsAffected()) != len(b.MailIDs) {
			return errDigestChanged
		}
		key := fmt.Sprintf("digest:%d:%d:%s", b.AccountID, b.MeetingID, day.Format(time.DateOnly))
		if _, err := t.Exec(ctx, `INSERT INTO mail_outbox (event_key, kind, account_id, state, recipient, subject, body)
			VALUES ($1, $2, $3, 'queued', $4, $5, $6) ON CONFLICT (event_key) DO NOTHING`, key, MailDigest, b.AccountID, b.Email, subject, body); err != nil {
			return fmt.Errorf("postgres: queue digest: %w", err)
		}
		if err := auditMany(ctx, t, Audit{}, "focal_digest.made", "account", []int64{b.AccountID}, []map[string]any{{"meeting": b.MeetingID, "day": day.Format(time.DateOnly), "mails": len(b.MailIDs)}}); err != nil {
			return err
		}
		made = true
		return nil
	})
	if errors.Is(err, errDigestChanged) {
		return false, nil
	}
	if made {
		db.wakeMail()
	}
	return made, err
}

var errDigestChanged = errors.New("postgres: the digest's mails changed meanwhile")
