package postgres_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"plenary/internal/blob/pgblob"
	"plenary/internal/pgtest"
)

// Migration 00020 keeps the files stored before it: a document's file written in the old tables
// (document_contents, document_chunks) is read through the PostgreSQL blob store afterwards, with
// its size and hashes, and going back down puts it where it was.
func TestBlobMigrationKeepsExistingFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.MigrateDownTo(ctx, 19); err != nil {
		t.Fatal(err)
	}
	body := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("stored before the blob store "), 80_000)...) // 2.3 MB: three chunks
	sum := sha256.Sum256(body)
	sha := hex.EncodeToString(sum[:])
	var docID, contentID int64
	err := db.Pool.QueryRow(ctx, `
		WITH m AS (SELECT id, study_group_id FROM meetings WHERE slug = $1)
		INSERT INTO documents (meeting_id, study_group_id, study_period, doc_type, number, title, state, submitted_at)
		SELECT m.id, m.study_group_id, '2025-2028', 'C', 1, 'Old file', 'posted', now() FROM m RETURNING id`, letterSlug).Scan(&docID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `INSERT INTO document_contents (size, sha256, crc32, chunk_size) VALUES ($1, $2, 12345, $3) RETURNING id`,
		len(body), sha, 1<<20).Scan(&contentID); err != nil {
		t.Fatal(err)
	}
	for n := 0; n*(1<<20) < len(body); n++ {
		chunk := body[n*(1<<20) : min(len(body), (n+1)*(1<<20))]
		if _, err := db.Pool.Exec(ctx, `INSERT INTO document_chunks (content_id, n, data) VALUES ($1, $2, $3)`, contentID, n, chunk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO document_files (document_id, revision, content_id, file_name, content_type, uploaded_at)
		VALUES ($1, 0, $2, 'old.pdf', 'application/pdf', now())`, docID, contentID); err != nil {
		t.Fatal(err)
	}

	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var key, backend, gotSHA string
	var size, crc int64
	err = db.Pool.QueryRow(ctx, `SELECT b.key, b.backend, b.size, b.sha256, b.crc32 FROM document_files f JOIN blobs b ON b.key = f.blob_key
		WHERE f.document_id = $1`, docID).Scan(&key, &backend, &size, &gotSHA, &crc)
	if err != nil {
		t.Fatal(err)
	}
	if backend != "postgres" || size != int64(len(body)) || gotSHA != sha || crc != 12345 {
		t.Errorf("blob %s on %s: %d bytes, sha %s, crc %d", key, backend, size, gotSHA, crc)
	}
	rc, err := pgblob.New(db.Pool).Open(ctx, key, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read back %d bytes (%v), want the %d stored before", len(got), err, len(body))
	}

	if _, err := db.MigrateDownTo(ctx, 19); err != nil {
		t.Fatal(err)
	}
	var n int
	var back []byte
	err = db.Pool.QueryRow(ctx, `SELECT count(*), string_agg(ch.data, ''::bytea ORDER BY ch.n) FROM document_files f
		JOIN document_contents c ON c.id = f.content_id JOIN document_chunks ch ON ch.content_id = c.id
		WHERE f.document_id = $1 AND c.sha256 = $2`, docID, sha).Scan(&n, &back)
	if err != nil || n != 3 || !bytes.Equal(back, body) {
		t.Errorf("after going down: %d chunks, %d bytes (%v)", n, len(back), err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
}
