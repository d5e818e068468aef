package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SessionStore keeps the web sessions in the sessions table (an scs.CtxStore). The tokens it is
// given are already hashed by the session manager. Look-ups that arrive together are served by
// one query.
type SessionStore struct{ db *DB }

// Sessions returns the session store.
func (db *DB) Sessions() *SessionStore { return &SessionStore{db: db} }

type sessionData struct {
	data  []byte
	found bool
}

// findSessions reads the live sessions of the given tokens, in one query.
func (db *DB) findSessions(ctx context.Context, tokens []string) ([]sessionData, []error) {
	out, errs := make([]sessionData, len(tokens)), make([]error, len(tokens))
	rows, err := db.Pool.Query(ctx, `SELECT token, data FROM sessions WHERE token = ANY($1) AND current_timestamp < expiry`, tokens)
	found := map[string][]byte{}
	if err == nil {
		var token string
		var data []byte
		_, err = pgx.ForEachRow(rows, []any{&token, &data}, func() error {
			found[token] = data
			return nil
		})
	}
	for i, t := range tokens {
		if err != nil {
			errs[i] = fmt.Errorf("postgres: find session: %w", err)
			continue
		}
		out[i].data, out[i].found = found[t]
	}
	return out, errs
}

// FindCtx returns the data of a live session.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	d, err := s.db.sessionFinder.do(ctx, token)
	return d.data, d.found, err
}

// CommitCtx stores a session's data until expiry.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, token, b, expiry)
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
