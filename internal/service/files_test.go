package service_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"plenary/internal/blob"
	"plenary/internal/blob/blobtest"
	"plenary/internal/blob/pgblob"
	"plenary/internal/blob/s3blob"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/s3test"
	"plenary/internal/service"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// clock is a time the test moves.
type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time                        { return time.Unix(0, c.t.Load()) }
func (c *clock) add(d time.Duration)                   { c.t.Add(int64(d)) }
func newClock() *clock                                 { c := &clock{}; c.t.Store(time.Now().UnixNano()); return c }
func (c *clock) files(f *service.Files) *service.Files { f.Now = c.now; return f }

func stage(t *testing.T, f *service.Files, name string, body []byte, by int64) blob.Record {
	t.Helper()
	u, err := f.Receive(bytes.NewReader(body), name, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	rec, err := f.Stage(context.Background(), u, "documents", by)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// claim does what a document's transaction does to a pending file.
func claim(t *testing.T, db *postgres.DB, key string) {
	t.Helper()
	if _, err := db.Pool.Exec(context.Background(), `UPDATE blobs SET pending_until = NULL, staged_by = NULL, file_name = NULL WHERE key = $1`, key); err != nil {
		t.Fatal(err)
	}
}

func account(t *testing.T, db *postgres.DB, email string) int64 {
	t.Helper()
	acc, err := db.AccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return acc.ID
}

func count(t *testing.T, db *postgres.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Receiving computes the size and hashes on the way, and stops one byte past the limit.
func TestReceiveStopsPastTheLimit(t *testing.T) {
	f := service.NewFiles(nil, nil, nil, 1)
	u, err := f.Receive(strings.NewReader("%PDF-1.7 exactly"), `C:\fakepath\c‮fdp.exe`, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	sum := sha256.Sum256([]byte("%PDF-1.7 exactly"))
	if u.Size != 16 || u.Over || u.SHA256 != hex.EncodeToString(sum[:]) || u.CRC32 != crc32.ChecksumIEEE([]byte("%PDF-1.7 exactly")) || string(u.Head) != "%PDF-1.7 exactly" {
		t.Errorf("received %+v", u)
	}
	if u.Name != "cfdp.exe" {
		t.Errorf("name %q: the path and the right-to-left override are not removed", u.Name)
	}
	big, err := f.Receive(io.LimitReader(neverEnding{}, 1<<20), "c.pdf", 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	if !big.Over || big.Size != 1001 {
		t.Errorf("a file over the limit: size %d, over %t; want 1001, true", big.Size, big.Over)
	}
}

type neverEnding struct{}

func (neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// A staged file is pending until claimed: kept for its owner's form, swept once its time has
// passed (object and record), and never found by another account.
func TestStagedFilesAreKeptThenSwept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	c := newClock()
	f := c.files(service.NewFiles(blob.NewStores(pgblob.New(db.Pool)), db, nil, 2))
	owner := account(t, db, "delegate.ms@plenary.test")
	other := account(t, db, "delegate.sm@plenary.test")

	kept := stage(t, f, "kept.pdf", []byte("%PDF kept for the form"), owner)
	abandoned := stage(t, f, "abandoned.pdf", []byte("%PDF never claimed"), owner)
	claimed := stage(t, f, "claimed.pdf", []byte("%PDF claimed by a document"), owner)
	claim(t, db, claimed.Key)
	if err := f.Keep(ctx, kept.Key); err != nil {
		t.Fatal(err)
	}
	if r, err := f.Staged(ctx, kept.Key, owner); err != nil || r.FileName != "kept.pdf" || r.Size != 22 {
		t.Errorf("the owner's kept file: %+v, %v", r, err)
	}
	if _, err := f.Staged(ctx, kept.Key, other); err == nil {
		t.Error("another account uses the owner's kept file")
	}
	if _, err := f.Staged(ctx, "../../etc/passwd", owner); err == nil {
		t.Error("a key that is not one is accepted")
	}

	// Past the lease, the abandoned upload goes; the kept one stays for the hour.
	c.add(service.DefaultLease + time.Second)
	if n, err := f.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("first sweep: %d, %v; want 1", n, err)
	}
	if _, err := pgblob.New(db.Pool).Stat(ctx, abandoned.Key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("the abandoned upload's object is still there: %v", err)
	}
	if _, err := f.Staged(ctx, kept.Key, owner); err != nil {
		t.Errorf("the kept file is gone before its hour: %v", err)
	}
	c.add(service.DefaultKeep)
	if n, err := f.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("second sweep: %d, %v; want 1", n, err)
	}
	if _, err := f.Staged(ctx, kept.Key, owner); err == nil {
		t.Error("the kept file outlives its hour")
	}
	// The claimed file is never swept.
	if n := count(t, db, `SELECT count(*) FROM blobs`); n != 1 {
		t.Errorf("%d records left, want the claimed one", n)
	}
	if n := count(t, db, `SELECT count(*) FROM blob_objects WHERE key = $1`, claimed.Key); n != 1 {
		t.Errorf("the claimed file's object is gone")
	}
}

// Objects nothing names (a process killed between storing and recording) are removed once old
// enough; what the registry names, pending or not, stays.
func TestReconcileRemovesWhatNothingNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	pg := pgblob.New(db.Pool)
	f := service.NewFiles(blob.NewStores(pg), db, nil, 2)
	named := stage(t, f, "named.pdf", []byte("%PDF named"), 0)
	claim(t, db, named.Key)
	pending := stage(t, f, "pending.pdf", []byte("%PDF pending"), 0)
	if err := pg.Put(ctx, "documents/2026/01/orphan", strings.NewReader("left behind"), 11); err != nil {
		t.Fatal(err)
	}
	if n, err := f.Reconcile(ctx, time.Hour); err != nil || n != 0 {
		t.Errorf("with an hour's grace: removed %d, %v; want 0 (the orphan is new)", n, err)
	}
	if n, err := f.Reconcile(ctx, -time.Second); err != nil || n != 1 {
		t.Errorf("removed %d, %v; want the orphan", n, err)
	}
	for _, k := range []string{named.Key, pending.Key} {
		if _, err := pg.Stat(ctx, k); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
}

// Files move from PostgreSQL to a real S3 server and back, each checked by SHA-256: a move
// stopped half-way goes on where it stopped; a file whose bytes are not the recorded ones stays
// where it is; pending files are not moved.
func TestMoveThereAndBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	srv := s3test.Start(t)
	pg := pgblob.New(db.Pool)
	s3, err := s3blob.New(srv.Config("move-test"))
	if err != nil {
		t.Fatal(err)
	}
	onPG := service.NewFiles(blob.NewStores(pg, s3), db, nil, 2)
	bodies := map[string][]byte{}
	for i, size := range []int{0 + 10, 3<<20 + 17, 1 << 10, 20 << 20, 5} {
		body := append([]byte("%PDF "), blobtest.Bytes(size, uint64(i))...)
		rec := stage(t, onPG, "f.pdf", body, 0)
		claim(t, db, rec.Key)
		bodies[rec.Key] = body
	}
	pending := stage(t, onPG, "pending.pdf", []byte("%PDF pending"), 0)
	// One file is damaged in PostgreSQL: it must not be moved, nor its damage copied.
	var damaged string
	for k, b := range bodies {
		if len(b) < 100 {
			damaged = k
			break
		}
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE blob_chunks SET data = 'damaged' FROM blob_objects o WHERE o.id = object_id AND o.key = $1`, damaged); err != nil {
		t.Fatal(err)
	}

	// Stopped after the second file.
	stopCtx, stop := context.WithCancel(ctx)
	seen := 0
	rep, err := onPG.Move(stopCtx, "s3", func(blob.Record, error) {
		if seen++; seen == 2 {
			stop()
		}
	})
	if !errors.Is(err, context.Canceled) || rep.Moved+rep.Failed > 2 {
		t.Fatalf("stopped move: %+v, %v", rep, err)
	}
	// Run again: it goes on.
	rep, err = onPG.Move(ctx, "s3", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, `SELECT count(*) FROM blobs WHERE backend = 's3'`); got != len(bodies)-1 {
		t.Errorf("%d files in S3 after the move, want %d (all but the damaged one); report %+v", got, len(bodies)-1, rep)
	}
	if got := count(t, db, `SELECT count(*) FROM blobs WHERE backend = 'postgres'`); got != 2 {
		t.Errorf("%d files left in PostgreSQL, want the damaged one and the pending one", got)
	}
	for k, b := range bodies {
		if k == damaged {
			if _, err := s3.Stat(ctx, k); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("the damaged file was copied to S3: %v", err)
			}
			continue
		}
		if got := readAll(t, s3, k); !bytes.Equal(got, b) {
			t.Errorf("%s in S3: %d bytes, not the %d moved", k, len(got), len(b))
		}
		if _, err := pg.Stat(ctx, k); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%s is still in PostgreSQL after the move: %v", k, err)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM blob_objects WHERE key = $1`, pending.Key); n != 1 {
		t.Error("the pending file was moved")
	}

	// And back: the same bytes in PostgreSQL, nothing left in S3.
	if _, err := db.Pool.Exec(ctx, `DELETE FROM blobs WHERE key = $1`, damaged); err != nil {
		t.Fatal(err)
	}
	rep, err = onPG.Move(ctx, "postgres", nil)
	if err != nil || rep.Moved != len(bodies)-1 || rep.Failed != 0 {
		t.Fatalf("move back: %+v, %v", rep, err)
	}
	for k, b := range bodies {
		if k == damaged {
			continue
		}
		if got := readAll(t, pg, k); !bytes.Equal(got, b) {
			t.Errorf("%s back in PostgreSQL: %d bytes, not the %d moved", k, len(got), len(b))
		}
	}
	left := 0
	if err := s3.List(ctx, "", func(blob.Info) error { left++; return nil }); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d objects left in S3 after moving back", left)
	}
}

func readAll(t *testing.T, st blob.Store, key string) []byte {
	t.Helper()
	rc, err := st.Open(context.Background(), key, 0, -1)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b
}
