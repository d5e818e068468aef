package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/service"
)

// SessionStore keeps the web sessions in the sessions table (an scs.CtxStore). The tokens it is
// given are already hashed by the session manager. Beside a session's data it keeps the account
// the session is signed in as, so that a request reads both in one round trip (see
// service.WithSessionAccount); look-ups that arrive together are served by one round trip.
type SessionStore struct {
	db *DB
	// accountOf says which account session data is signed in as (0: none); the session
	// manager's codec is the web layer's (SetAccountOf).
	accountOf func(data []byte) int64
}

// SetAccountOf says how to read which account session data is signed in as (0: none).
func (s *SessionStore) SetAccountOf(f func(data []byte) int64) { s.accountOf = f }

// Sessions returns the session store.
func (db *DB) Sessions() *SessionStore {
	return &SessionStore{db: db, accountOf: func([]byte) int64 { return 0 }}
}

type sessionData struct {
	data    []byte
	found   bool
	account *actorRow
}

// findSessions reads the live sessions of the given tokens, with the accounts they are signed in
// as, in one round trip.
func (db *DB) findSessions(ctx context.Context, tokens []string) ([]sessionData, []error) {
	out, errs := make([]sessionData, len(tokens)), make([]error, len(tokens))
	type session struct {
		data    []byte
		account *int64
	}
	found := map[string]session{}
	accounts := map[int64]actorRow{}
	b := &pgx.Batch{}
	b.Queue(`SELECT token, data, account_id FROM sessions WHERE token = ANY($1) AND current_timestamp < expiry`, tokens).
		Query(func(rows pgx.Rows) error {
			var token string
			var s session
			_, err := pgx.ForEachRow(rows, []any{&token, &s.data, &s.account}, func() error {
				found[token] = s
				s = session{}
				return nil
			})
			return err
		})
	queueActors(b, `id IN (SELECT account_id FROM sessions WHERE token = ANY($1) AND current_timestamp < expiry)`, tokens, accounts)
	err := db.Pool.SendBatch(ctx, b).Close()
	for i, t := range tokens {
		if err != nil {
			errs[i] = fmt.Errorf("postgres: find session: %w", err)
			continue
		}
		s, ok := found[t]
		out[i].data, out[i].found = s.data, ok
		if s.account != nil {
			if a, ok := accounts[*s.account]; ok {
				out[i].account = &a
			}
		}
	}
	return out, errs
}

// FindCtx returns the data of a live session, and fills in the account it is signed in as where
// ctx asks for it (service.WithSessionAccount).
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	d, err := s.db.sessionFinder.Do(ctx, token)
	if sa := service.SessionAccountOf(ctx); sa != nil && d.account != nil {
		*sa = service.SessionAccount{Found: true, Actor: d.account.actor, Account: d.account.account}
	}
	return d.data, d.found, err
}

// CommitCtx stores a session's data until expiry, with the account it is signed in as.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	var account *int64
	if id := s.accountOf(b); id != 0 {
		account = &id
	}
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, account_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, account_id = EXCLUDED.account_id`,
		token, b, expiry, account)
	if err != nil {
		return fmt.Errorf("postgres: commit session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session; removing one that does not exist is not an error.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.Pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}

// The session manager calls these only when the store is not a CtxStore; they are here to
// satisfy scs.Store.

// Find is FindCtx without a request.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(s.db.life, token)
}

// Commit is CommitCtx without a request.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(s.db.life, token, b, expiry)
}

// Delete is DeleteCtx without a request.
func (s *SessionStore) Delete(token string) error { return s.DeleteCtx(s.db.life, token) }

// DeleteExpiredSessions removes the sessions past their expiry and says how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < current_timestamp`)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}
