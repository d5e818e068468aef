package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/blob"
	"plenary/internal/domain"
)

// The registry of stored files (table blobs, migration 00020 says why): each statement here is
// short and on its own, and none runs while a client's bytes are read or written.

const blobColumns = `key, backend, size, sha256, crc32, created_at, pending_until, COALESCE(staged_by, 0), COALESCE(file_name, '')`

func scanBlob(row pgx.Row) (blob.Record, error) {
	var r blob.Record
	var crc int64
	err := row.Scan(&r.Key, &r.Backend, &r.Size, &r.SHA256, &crc, &r.Created, &r.PendingUntil, &r.StagedBy, &r.FileName)
	r.CRC32 = uint32(crc)
	return r, err
}

// AddPendingBlob records a file about to be stored, pending until the given time: if nothing
// claims it by then, the sweep removes it.
func (db *DB) AddPendingBlob(ctx context.Context, r blob.Record, until time.Time) error {
	var by *int64
	if r.StagedBy != 0 {
		by = &r.StagedBy
	}
	var name *string
	if r.FileName != "" {
		name = &r.FileName
	}
	_, err := db.Pool.Exec(ctx, `INSERT INTO blobs (key, backend, size, sha256, crc32, pending_until, staged_by, file_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.Key, r.Backend, r.Size, r.SHA256, int64(r.CRC32), until, by, name)
	if err != nil {
		return fmt.Errorf("postgres: add blob %s: %w", r.Key, err)
	}
	return nil
}

// ExtendPendingBlob moves a pending file's time on (an upload still being stored, or a file kept
// for a refused form). It reports false when the file is no longer pending (swept, or claimed).
func (db *DB) ExtendPendingBlob(ctx context.Context, key string, until time.Time) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE blobs SET pending_until = $2 WHERE key = $1 AND pending_until IS NOT NULL`, key, until)
	if err != nil {
		return false, fmt.Errorf("postgres: extend blob %s: %w", key, err)
	}
	return tag.RowsAffected() == 1, nil
}

// StagedBlob returns a file kept for a form of account's, still pending; NotFound when there is
// none by that key (never uploaded by this account, swept, or already used).
func (db *DB) StagedBlob(ctx context.Context, key string, account int64, now time.Time) (blob.Record, error) {
	r, err := scanBlob(db.Pool.QueryRow(ctx, `SELECT `+blobColumns+` FROM blobs
		WHERE key = $1 AND staged_by = $2 AND pending_until > $3`, key, account, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, domain.Errorf(domain.NotFound, "error.doc_attached_gone")
	}
	if err != nil {
		return r, fmt.Errorf("postgres: staged blob: %w", err)
	}
	return r, nil
}

// DeleteBlobRecord forgets a file whose object has been removed (or was never stored).
func (db *DB) DeleteBlobRecord(ctx context.Context, key string) error {
	if _, err := db.Pool.Exec(ctx, `DELETE FROM blobs WHERE key = $1`, key); err != nil {
		return fmt.Errorf("postgres: delete blob %s: %w", key, err)
	}
	return nil
}

// TakeExpiredBlobs removes from the registry up to limit pending files whose time has passed and
// returns them, for the sweep to delete their objects: a file is taken by one statement, so that
// the transaction claiming it and the sweep cannot both have it.
func (db *DB) TakeExpiredBlobs(ctx context.Context, now time.Time, limit int) ([]blob.Record, error) {
	rows, _ := db.Pool.Query(ctx, `DELETE FROM blobs WHERE key IN (
			SELECT key FROM blobs WHERE pending_until < $1 ORDER BY pending_until LIMIT $2 FOR UPDATE SKIP LOCKED)
		RETURNING `+blobColumns, now, limit)
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (blob.Record, error) { return scanBlob(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: take expired blobs: %w", err)
	}
	return recs, nil
}

// claimBlob makes a pending file part of what tx records: it is no longer swept. A file that is
// no longer pending (swept while the form waited, or used by another request) is refused with a
// message beside the file field.
func claimBlob(ctx context.Context, tx pgx.Tx, key string) (blob.Record, error) {
	r, err := scanBlob(tx.QueryRow(ctx, `UPDATE blobs SET pending_until = NULL, staged_by = NULL, file_name = NULL
		WHERE key = $1 AND pending_until IS NOT NULL RETURNING `+blobColumns, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, domain.FieldErrors(map[string]string{"file": "error.doc_attached_gone"})
	}
	if err != nil {
		return r, fmt.Errorf("postgres: claim blob %s: %w", key, err)
	}
	return r, nil
}

// BlobsOn lists up to limit files held by backend (none pending), after the given key, for the
// move to another backend.
func (db *DB) BlobsOn(ctx context.Context, backend, after string, limit int) ([]blob.Record, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+blobColumns+` FROM blobs
		WHERE backend = $1 AND key > $2 AND pending_until IS NULL ORDER BY key LIMIT $3`, backend, after, limit)
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (blob.Record, error) { return scanBlob(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: blobs on %s: %w", backend, err)
	}
	return recs, nil
}

// CountBlobs counts the files each backend holds (pending ones apart).
func (db *DB) CountBlobs(ctx context.Context) (map[string]int64, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT backend, count(*) FROM blobs WHERE pending_until IS NULL GROUP BY backend`)
	out := map[string]int64{}
	var b string
	var n int64
	_, err := pgx.ForEachRow(rows, []any{&b, &n}, func() error { out[b] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("postgres: count blobs: %w", err)
	}
	return out, nil
}

// MoveBlob records that a file is now held by backend to (it was by from). It reports false when
// the file was not where the move thought (moved meanwhile, or gone).
func (db *DB) MoveBlob(ctx context.Context, key, from, to string) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE blobs SET backend = $3 WHERE key = $1 AND backend = $2`, key, from, to)
	if err != nil {
		return false, fmt.Errorf("postgres: move blob %s: %w", key, err)
	}
	return tag.RowsAffected() == 1, nil
}

// KnownBlobs returns which of keys the registry says backend holds (or is storing), for the
// sweep of objects that belong to nothing.
func (db *DB) KnownBlobs(ctx context.Context, backend string, keys []string) (map[string]bool, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT key FROM blobs WHERE backend = $1 AND key = ANY($2)`, backend, keys)
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: known blobs: %w", err)
	}
	out := make(map[string]bool, len(found))
	for _, k := range found {
		out[k] = true
	}
	return out, nil
}
