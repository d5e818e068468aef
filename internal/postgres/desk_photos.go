package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/blob"
	"plenary/internal/domain"
	"plenary/internal/service"
)

// The photos of registrations (migration 00220): each a file of the blob store.

var _ service.PhotoTx = (*Tx)(nil)

const photoSelect = `SELECT p.registration_id, p.blob_key, b.backend, b.size, p.width, p.height, p.source, COALESCE(p.taken_by, 0), p.taken_at
	FROM registration_photos p JOIN blobs b ON b.key = p.blob_key`

func scanPhoto(row pgx.Row) (domain.Photo, error) {
	var p domain.Photo
	var src string
	err := row.Scan(&p.RegistrationID, &p.Key, &p.Backend, &p.Size, &p.Width, &p.Height, &src, &p.TakenBy, &p.TakenAt)
	p.Source = domain.PhotoSource(src)
	return p, err
}

// Photo returns a registration's photo; NotFound when it has none.
func (db *DB) Photo(ctx context.Context, registrationID int64) (domain.Photo, error) {
	p, err := scanPhoto(db.Pool.QueryRow(ctx, photoSelect+` WHERE p.registration_id = $1`, registrationID))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, domain.Errorf(domain.NotFound, "error.not_found")
	}
	if err != nil {
		return p, fmt.Errorf("postgres: photo: %w", err)
	}
	return p, nil
}

// PhotosTaken returns, of the registrations of ids, those with a photo and when it was taken.
func (db *DB) PhotosTaken(ctx context.Context, ids []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.Pool.Query(ctx, `SELECT registration_id, taken_at FROM registration_photos WHERE registration_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: photos taken: %w", err)
	}
	var id int64
	var at time.Time
	if _, err := pgx.ForEachRow(rows, []any{&id, &at}, func() error {
		out[id] = at
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: photos taken: %w", err)
	}
	return out, nil
}

// SetPhoto makes the staged file p.Key the registration's photo, audited. The photo it replaces
// is returned: its file's record is made due for the sweep here, and the caller removes it after
// commit.
func (t *Tx) SetPhoto(ctx context.Context, a Audit, p domain.Photo) (*blob.Record, error) {
	if _, err := claimBlob(ctx, t, p.Key); err != nil {
		return nil, err
	}
	var old *blob.Record
	r, err := scanBlob(t.QueryRow(ctx, `UPDATE blobs b SET pending_until = $2 FROM registration_photos p
		WHERE p.registration_id = $1 AND b.key = p.blob_key RETURNING `+blobColumns, p.RegistrationID, p.TakenAt))
	switch {
	case err == nil:
		old = &r
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("postgres: set photo: %w", err)
	}
	var by *int64
	if p.TakenBy != 0 {
		by = &p.TakenBy
	}
	if _, err := t.Exec(ctx, `INSERT INTO registration_photos (registration_id, blob_key, width, height, source, taken_by, taken_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (registration_id) DO UPDATE SET blob_key = EXCLUDED.blob_key, width = EXCLUDED.width, height = EXCLUDED.height,
			source = EXCLUDED.source, taken_by = EXCLUDED.taken_by, taken_at = EXCLUDED.taken_at`,
		p.RegistrationID, p.Key, p.Width, p.Height, string(p.Source), by, p.TakenAt); err != nil {
		return nil, fmt.Errorf("postgres: set photo: %w", err)
	}
	detail := map[string]any{"source": p.Source, "width": p.Width, "height": p.Height, "size": p.Size, "replaced": old != nil}
	if p.Source == domain.PhotoAtDesk {
		detail["desk"], detail["staff"] = p.Desk, p.TakenBy
	}
	return old, audit(ctx, t, a, "photo.set", "registration", p.RegistrationID, detail)
}

// RemovePhoto removes a registration's photo, audited, and returns its file's record (made due
// for the sweep; the caller removes the file after commit). Nil when there was none.
func (t *Tx) RemovePhoto(ctx context.Context, a Audit, registrationID int64, now time.Time) (*blob.Record, error) {
	r, err := scanBlob(t.QueryRow(ctx, `WITH gone AS (DELETE FROM registration_photos WHERE registration_id = $1 RETURNING blob_key)
		UPDATE blobs b SET pending_until = $2 FROM gone WHERE b.key = gone.blob_key RETURNING `+blobColumns, registrationID, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: remove photo: %w", err)
	}
	return &r, audit(ctx, t, a, "photo.remove", "registration", registrationID, nil)
}

// ErasePhotos erases the photos of every meeting whose last day ended retentionDays or more ago
// in its time zone (the passport data's retention, domain.VisaErasureDue): their rows go, with
// an audit event each, and their files' records are made due for the sweep. It returns those
// records, for the caller to remove the files at once.
func (db *DB) ErasePhotos(ctx context.Context, retentionDays int, now time.Time) ([]blob.Record, error) {
	var out []blob.Record
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		out = nil
		due, err := erasureDueMeetings(ctx, tx, `SELECT r.meeting_id FROM registration_photos p JOIN registrations r ON r.id = p.registration_id`, retentionDays, now)
		if err != nil {
			return fmt.Errorf("postgres: photo erasure meetings: %w", err)
		}
		if len(due) == 0 {
			return nil
		}
		// The rows deleted name the photos erased, so a run that meets another finds them gone and
		// audits nothing twice.
		rows, err := tx.Query(ctx, `DELETE FROM registration_photos p USING registrations r
			WHERE r.id = p.registration_id AND r.meeting_id = ANY($1) RETURNING p.registration_id, p.blob_key`, due)
		if err != nil {
			return fmt.Errorf("postgres: erase photos: %w", err)
		}
		var ids []int64
		var keys []string
		var id int64
		var key string
		if _, err := pgx.ForEachRow(rows, []any{&id, &key}, func() error {
			ids, keys = append(ids, id), append(keys, key)
			return nil
		}); err != nil {
			return fmt.Errorf("postgres: erase photos: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		rows, err = tx.Query(ctx, `UPDATE blobs b SET pending_until = $2 WHERE b.key = ANY($1) RETURNING `+blobColumns, keys, now)
		if err != nil {
			return fmt.Errorf("postgres: erase photos: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (blob.Record, error) { return scanBlob(row) })
		if err != nil {
			return fmt.Errorf("postgres: erase photos: %w", err)
		}
		details := make([]map[string]any, len(ids))
		for i := range ids {
			details[i] = map[string]any{"retention_days": retentionDays}
		}
		return auditMany(ctx, tx, Audit{}, "photo.erase", "registration", ids, details)
	})
	return out, err
}

// RegistrationByID reads a registration; NotFound when there is none.
func (db *DB) RegistrationByID(ctx context.Context, id int64) (domain.Registration, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+registrationColumns+` FROM registrations r WHERE r.id = $1`, id)
	if err != nil {
		return domain.Registration{}, fmt.Errorf("postgres: registration: %w", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Registration])
	if errors.Is(err, pgx.ErrNoRows) {
		return r, domain.Errorf(domain.NotFound, "error.registration_not_found")
	}
	if err != nil {
		return r, fmt.Errorf("postgres: registration: %w", err)
	}
	return r, nil
}
