package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/service"
)

var (
	_ service.AccountTx    = (*Tx)(nil)
	_ service.AccountReads = (*DB)(nil)
)

const accountTokenColumns = `id, account_id, purpose, email, expires_at, used_at`

func scanAccountToken(row interface{ Scan(...any) error }) (domain.AccountToken, error) {
	var t domain.AccountToken
	var purpose string
	err := row.Scan(&t.ID, &t.AccountID, &purpose, &t.Email, &t.ExpiresAt, &t.UsedAt)
	t.Purpose = domain.TokenPurpose(purpose)
	return t, err
}

// CreateAccountToken stores a token's hash for an account.
func (t *Tx) CreateAccountToken(ctx context.Context, tok domain.AccountToken, hash []byte) (int64, error) {
	var id int64
	err := t.QueryRow(ctx, `INSERT INTO account_tokens (account_id, purpose, token_hash, email, expires_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, tok.AccountID, string(tok.Purpose), hash, tok.Email, tok.ExpiresAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("postgres: create account token: %w", err)
	}
	return id, nil
}

// AccountTokenForUpdate reads and locks the token with hash.
func (t *Tx) AccountTokenForUpdate(ctx context.Context, hash []byte) (domain.AccountToken, error) {
	tok, err := scanAccountToken(t.QueryRow(ctx, `SELECT `+accountTokenColumns+` FROM account_tokens WHERE token_hash = $1 FOR UPDATE`, hash))
	if err != nil {
		return tok, notFound(err, "error.token_invalid")
	}
	return tok, nil
}

// AccountTokenByHash reads the token with hash, without locking it.
func (db *DB) AccountTokenByHash(ctx context.Context, hash []byte) (domain.AccountToken, error) {
	tok, err := scanAccountToken(db.Pool.QueryRow(ctx, `SELECT `+accountTokenColumns+` FROM account_tokens WHERE token_hash = $1`, hash))
	if err != nil {
		return tok, notFound(err, "error.token_invalid")
	}
	return tok, nil
}

// UseAccountTokens marks the account's unused tokens of purpose as used.
func (t *Tx) UseAccountTokens(ctx context.Context, accountID int64, purpose domain.TokenPurpose, now time.Time) error {
	_, err := t.Exec(ctx, `UPDATE account_tokens SET used_at = $3 WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL`,
		accountID, string(purpose), now)
	if err != nil {
		return fmt.Errorf("postgres: use account tokens: %w", err)
	}
	return nil
}

// SetPasswordHash replaces the account's password hash.
func (t *Tx) SetPasswordHash(ctx context.Context, accountID int64, hash string) error {
	if _, err := t.Exec(ctx, `UPDATE accounts SET password_hash = $2 WHERE id = $1`, accountID, hash); err != nil {
		return fmt.Errorf("postgres: set password: %w", err)
	}
	return nil
}

// EndSessions deletes every session signed in as the account.
func (t *Tx) EndSessions(ctx context.Context, accountID int64) (int, error) {
	tag, err := t.Exec(ctx, `DELETE FROM sessions WHERE account_id = $1`, accountID)
	if err != nil {
		return 0, fmt.Errorf("postgres: end sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// SetVerifiedEmail makes email the account's address, verified at now.
func (t *Tx) SetVerifiedEmail(ctx context.Context, accountID int64, email string, now time.Time) error {
	_, err := t.Exec(ctx, `UPDATE accounts SET email = $2,
			email_verified_at = CASE WHEN lower(email) = lower($2) THEN COALESCE(email_verified_at, $3) ELSE $3 END
		WHERE id = $1`, accountID, strings.TrimSpace(email), now)
	if isUniqueViolation(err, "accounts_email_key") {
		return domain.FieldConflicts(map[string]string{"email": "error.email_taken"})
	}
	if err != nil {
		return fmt.Errorf("postgres: verify email: %w", err)
	}
	return nil
}

// UpdateProfile writes the account's names, name order, language and gender.
func (t *Tx) UpdateProfile(ctx context.Context, acc domain.Account) error {
	_, err := t.Exec(ctx, `UPDATE accounts SET given_name = $2, family_name = $3, name_order = $4, language = $5, gender = $6
		WHERE id = $1`, acc.ID, acc.GivenName, acc.FamilyName, string(acc.NameOrder), acc.Language, string(acc.Gender))
	if err != nil {
		return fmt.Errorf("postgres: update profile: %w", err)
	}
	return nil
}

// SetAccountLanguage writes the account's preferred language.
func (t *Tx) SetAccountLanguage(ctx context.Context, accountID int64, lang string) error {
	if _, err := t.Exec(ctx, `UPDATE accounts SET language = $2 WHERE id = $1`, accountID, lang); err != nil {
		return fmt.Errorf("postgres: set language: %w", err)
	}
	return nil
}

// QueueWrittenMail queues a mail written beforehand, to its own address.
func (t *Tx) QueueWrittenMail(ctx context.Context, m service.WrittenMail) error {
	_, err := t.Exec(ctx, `INSERT INTO mail_outbox (event_key, kind, account_id, state, recipient, subject, body, facts)
		SELECT $1, $2, a.id, $4, $5, $6, $7, jsonb_build_object('to_email', $5::text, 'to_name', a.display_name,
			'to_language', a.language, 'has_registration', false)
		FROM accounts a WHERE a.id = $3
		ON CONFLICT (event_key) DO NOTHING`,
		m.Key, m.Kind, m.AccountID, MailQueued, m.To, m.Subject, m.Body)
	if err != nil {
		return fmt.Errorf("postgres: queue mail: %w", err)
	}
	t.MailQueued()
	return nil
}

// PasswordHashOf reads an account's password hash, to check the current password.
func (db *DB) PasswordHashOf(ctx context.Context, accountID int64) (string, error) {
	var h string
	if err := db.Pool.QueryRow(ctx, `SELECT password_hash FROM accounts WHERE id = $1`, accountID).Scan(&h); err != nil {
		return "", notFound(err, "error.account_not_found")
	}
	return h, nil
}

// PendingEmail is the address of the account's newest usable email verification when it is not
// the account's own address.
func (db *DB) PendingEmail(ctx context.Context, accountID int64, now time.Time) (string, error) {
	var email string
	err := db.Pool.QueryRow(ctx, `SELECT COALESCE((SELECT t.email FROM account_tokens t JOIN accounts a ON a.id = t.account_id
		WHERE t.account_id = $1 AND t.purpose = 'email_verification' AND t.used_at IS NULL AND t.expires_at > $2
			AND lower(t.email) <> lower(a.email)
		ORDER BY t.id DESC LIMIT 1), '')`, accountID, now).Scan(&email)
	if err != nil {
		return "", fmt.Errorf("postgres: pending email: %w", err)
	}
	return email, nil
}
