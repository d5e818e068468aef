package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"time"

	"plenary/internal/blob"
	"plenary/internal/domain"
)

// FileRecords is what the files service needs of the store: the registry of stored files
// (internal/postgres, table blobs).
type FileRecords interface {
	AddPendingBlob(ctx context.Context, r blob.Record, until time.Time) error
	ExtendPendingBlob(ctx context.Context, key string, until time.Time) (bool, error)
	StagedBlob(ctx context.Context, key string, account int64, now time.Time) (blob.Record, error)
	DeleteBlobRecord(ctx context.Context, key string) error
	TakeExpiredBlobs(ctx context.Context, now time.Time, limit int) ([]blob.Record, error)
	BlobsOn(ctx context.Context, backend, after string, limit int) ([]blob.Record, error)
	MoveBlob(ctx context.Context, key, from, to string) (bool, error)
	KnownBlobs(ctx context.Context, backend string, keys []string) (map[string]bool, error)
}

// Files receives, stores, serves, sweeps and moves files, whatever they belong to. A file is
// received in full (to a temporary file, with its size limit and hashes computed on the way)
// before anything is written to the store or the database, so that a slow client holds up no
// connection; it is then stored as pending, and the transaction that records what it belongs to
// claims it. Whatever is never claimed is swept.
type Files struct {
	Stores  *blob.Stores
	Records FileRecords
	Log     *slog.Logger
	Now     func() time.Time
	// Lease is how long a file being stored, or stored and not yet claimed, stays pending without
	// being renewed (DefaultLease when 0): past it, the sweep removes it. A process killed
	// mid-upload leaves nothing after that.
	Lease time.Duration
	// Keep is how long a file attached to a refused form waits for the form to be sent again
	// (DefaultKeep when 0).
	KeepFor time.Duration
	// TempDir holds files being received (the system's when empty).
	TempDir string
	// puts bounds the files written into the store at once, so that a burst of uploads
	// finishing together does not take every database connection.
	puts chan struct{}
}

// DefaultLease and DefaultKeep: see Files.Lease and Files.KeepFor.
const (
	DefaultLease = 2 * time.Minute
	DefaultKeep  = time.Hour
)

// NewFiles returns the service; puts is how many files may be written into the store at once.
func NewFiles(stores *blob.Stores, records FileRecords, log *slog.Logger, puts int) *Files {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Files{Stores: stores, Records: records, Log: log, Now: time.Now, puts: make(chan struct{}, max(puts, 1))}
}

func (f *Files) lease() time.Duration {
	if f.Lease > 0 {
		return f.Lease
	}
	return DefaultLease
}

func (f *Files) keep() time.Duration {
	if f.KeepFor > 0 {
		return f.KeepFor
	}
	return DefaultKeep
}

// Upload is a file received from a client, held in an unlinked temporary file (nothing is left
// on disk if the process dies). Close it.
type Upload struct {
	// Name is the file's name as cleaned (domain.CleanFileName).
	Name   string
	Size   int64
	SHA256 string
	CRC32  uint32
	// Head is the file's first bytes, for checking its type.
	Head []byte
	// Over says the file is larger than the limit: only the limit and one byte were read.
	Over bool
	f    *os.File
}

// Close removes the temporary file.
func (u *Upload) Close() error {
	if u == nil || u.f == nil {
		return nil
	}
	return u.f.Close()
}

// Check checks the received file against the domain's rules (type, size), as a field error.
func (u *Upload) Check(max int64) error { return domain.CheckFile(u.Name, u.Size, max, u.Head) }

// ReadError is a failure to read a file from the client (it went away, or sent a request
// larger than allowed): nothing was stored.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "service: read the uploaded file: " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// Receive reads a client's file to its end, or to one byte past max, into a temporary file,
// computing its size, SHA-256 and CRC-32 on the way. Nothing else is held while it reads.
func (f *Files) Receive(r io.Reader, name string, max int64) (*Upload, error) {
	tmp, err := os.CreateTemp(f.TempDir, "plenary-upload-*")
	if err != nil {
		return nil, fmt.Errorf("service: receive a file: %w", err)
	}
	// Unlinked at once: the file lives while it is open, and goes with the process.
	_ = os.Remove(tmp.Name())
	u := &Upload{Name: domain.CleanFileName(name), f: tmp}
	sha, crc := sha256.New(), crc32.NewIEEE()
	head := &headWriter{max: domain.SniffBytes}
	n, err := io.Copy(io.MultiWriter(tmp, sha, crc, head), io.LimitReader(r, max+1))
	if err != nil {
		tmp.Close()
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("service: receive a file: %w", err)
		}
		return nil, &ReadError{Err: err}
	}
	u.Size, u.Over, u.Head = n, n > max, head.b
	u.SHA256, u.CRC32 = hex.EncodeToString(sha.Sum(nil)), crc.Sum32()
	return u, nil
}

type headWriter struct {
	b   []byte
	max int
}

func (h *headWriter) Write(p []byte) (int, error) {
	if rest := h.max - len(h.b); rest > 0 {
		h.b = append(h.b, p[:min(rest, len(p))]...)
	}
	return len(p), nil
}

// Stage stores a received file in the default backend under a new key beneath prefix, recorded
// as pending for the lease (the caller then claims it in the transaction that records what it
// belongs to, or calls Keep or Discard). by is the account it is staged for, 0 for none. A
// failure leaves nothing behind.
func (f *Files) Stage(ctx context.Context, u *Upload, prefix string, by int64) (blob.Record, error) {
	if u.Over {
		return blob.Record{}, errors.New("service: stage a file over the limit")
	}
	select {
	case f.puts <- struct{}{}:
		defer func() { <-f.puts }()
	case <-ctx.Done():
		return blob.Record{}, ctx.Err()
	}
	st := f.Stores.Default
	now := f.Now()
	rec := blob.Record{Key: blob.NewKey(prefix, now), Backend: st.Name(), Size: u.Size, SHA256: u.SHA256, CRC32: u.CRC32,
		Created: now, StagedBy: by, FileName: u.Name}
	if err := f.Records.AddPendingBlob(ctx, rec, now.Add(f.lease())); err != nil {
		return rec, err
	}
	// The lease is renewed while the file is written, however long that takes.
	stop := f.renew(ctx, rec.Key)
	err := st.Put(ctx, rec.Key, io.NewSectionReader(u.f, 0, u.Size), u.Size)
	stop()
	if err != nil {
		f.Discard(context.WithoutCancel(ctx), rec)
		return rec, fmt.Errorf("service: store %s: %w", u.Name, err)
	}
	return rec, nil
}

// renew extends a pending file's lease every third of it until stop is called.
func (f *Files) renew(ctx context.Context, key string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(f.lease() / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := f.Records.ExtendPendingBlob(ctx, key, f.Now().Add(f.lease())); err != nil {
					f.Log.Warn("renew a file's lease", "key", key, "err", err)
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// Keep keeps a staged file for its form to be sent again.
func (f *Files) Keep(ctx context.Context, key string) error {
	ok, err := f.Records.ExtendPendingBlob(ctx, key, f.Now().Add(f.keep()))
	if err == nil && !ok {
		err = fmt.Errorf("service: keep %s: no longer pending", key)
	}
	return err
}

// Staged returns a file kept for a form of account's, with a field error when it is gone.
func (f *Files) Staged(ctx context.Context, key string, account int64) (blob.Record, error) {
	if !blob.ValidKey(key) {
		return blob.Record{}, domain.FieldErrors(map[string]string{"file": "error.doc_attached_gone"})
	}
	r, err := f.Records.StagedBlob(ctx, key, account, f.Now())
	if domain.ErrorCode(err) == domain.NotFound {
		return r, domain.FieldErrors(map[string]string{"file": "error.doc_attached_gone"})
	}
	return r, err
}

// Discard removes a pending file: its object, then its record (so that a failure on the way
// leaves a record for the sweep, never an object nothing names).
func (f *Files) Discard(ctx context.Context, r blob.Record) {
	st, err := f.Stores.Get(r.Backend)
	if err == nil {
		err = st.Delete(ctx, r.Key)
	}
	if err == nil {
		err = f.Records.DeleteBlobRecord(ctx, r.Key)
	}
	if err != nil {
		f.Log.Warn("discard a file", "key", r.Key, "err", err)
	}
}

// Open returns a reader of a stored file, for http.ServeContent and archives.
func (f *Files) Open(ctx context.Context, backend, key string, size int64) (*blob.Reader, error) {
	st, err := f.Stores.Get(backend)
	if err != nil {
		return nil, err
	}
	return blob.NewReader(ctx, st, key, size), nil
}

// Presigner returns the backend of a file if it can hand out presigned addresses.
func (f *Files) Presigner(backend string) (blob.Presigner, bool) {
	st, err := f.Stores.Get(backend)
	if err != nil {
		return nil, false
	}
	p, ok := st.(blob.Presigner)
	return p, ok
}

// Sweep removes the pending files whose time has passed (abandoned uploads, files kept for forms
// never sent again) and returns how many.
func (f *Files) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		recs, err := f.Records.TakeExpiredBlobs(ctx, f.Now(), 100)
		if err != nil {
			return total, err
		}
		for _, r := range recs {
			st, err := f.Stores.Get(r.Backend)
			if err == nil {
				err = st.Delete(ctx, r.Key)
			}
			if err != nil {
				// Put back, to be tried again at the next sweep.
				f.Log.Warn("sweep a file", "key", r.Key, "err", err)
				if err := f.Records.AddPendingBlob(ctx, r, f.Now().Add(f.lease())); err != nil {
					f.Log.Error("sweep a file: record it again", "key", r.Key, "err", err)
				}
				continue
			}
			total++
		}
		if len(recs) < 100 {
			return total, nil
		}
	}
}

// Reconcile removes the objects of every backend that the registry does not name and that are
// older than grace: what a process killed between storing an object and recording it, or a move
// interrupted and never resumed, may leave. It returns how many.
func (f *Files) Reconcile(ctx context.Context, grace time.Duration) (int, error) {
	total := 0
	before := f.Now().Add(-grace)
	for _, st := range f.Stores.All() {
		var batch []string
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			known, err := f.Records.KnownBlobs(ctx, st.Name(), batch)
			if err != nil {
				return err
			}
			for _, k := range batch {
				if !known[k] {
					if err := st.Delete(ctx, k); err != nil {
						return err
					}
					f.Log.Info("removed an object nothing names", "backend", st.Name(), "key", k)
					total++
				}
			}
			batch = batch[:0]
			return nil
		}
		err := st.List(ctx, "", func(i blob.Info) error {
			if i.Modified.After(before) {
				return nil
			}
			batch = append(batch, i.Key)
			if len(batch) == 500 {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		if err != nil {
			return total, fmt.Errorf("service: reconcile %s: %w", st.Name(), err)
		}
	}
	return total, nil
}

// MoveReport counts what Move did.
type MoveReport struct {
	Moved  int
	Bytes  int64
	Failed int
}

// Move copies every file held by another backend to backend to, checks the copy's SHA-256
// against the one recorded at upload, records the file's new place and deletes the old copy,
// one file at a time: interrupted, it goes on where it stopped when run again. A file whose
// source does not match its recorded hash is left where it is and counted as failed. progress
// (if not nil) is told of each file.
func (f *Files) Move(ctx context.Context, to string, progress func(r blob.Record, err error)) (MoveReport, error) {
	var rep MoveReport
	dst, err := f.Stores.Get(to)
	if err != nil {
		return rep, err
	}
	for _, src := range f.Stores.All() {
		if src.Name() == to {
			continue
		}
		after := ""
		for {
			recs, err := f.Records.BlobsOn(ctx, src.Name(), after, 100)
			if err != nil {
				return rep, err
			}
			for _, r := range recs {
				after = r.Key
				err := f.moveOne(ctx, src, dst, r)
				if progress != nil {
					progress(r, err)
				}
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
				if err != nil {
					rep.Failed++
					f.Log.Warn("move a file", "key", r.Key, "from", src.Name(), "to", to, "err", err)
					continue
				}
				rep.Moved++
				rep.Bytes += r.Size
			}
			if len(recs) < 100 {
				break
			}
		}
	}
	return rep, nil
}

// ErrHashMismatch is a file whose bytes are not the ones recorded at upload.
var ErrHashMismatch = errors.New("service: the file's SHA-256 is not the one recorded")

func (f *Files) moveOne(ctx context.Context, src, dst blob.Store, r blob.Record) error {
	rc, err := src.Open(ctx, r.Key, 0, -1)
	if err != nil {
		return err
	}
	sha := sha256.New()
	err = dst.Put(ctx, r.Key, io.TeeReader(rc, sha), r.Size)
	rc.Close()
	if err != nil {
		_ = dst.Delete(context.WithoutCancel(ctx), r.Key)
		return err
	}
	if hex.EncodeToString(sha.Sum(nil)) != r.SHA256 {
		_ = dst.Delete(context.WithoutCancel(ctx), r.Key)
		return fmt.Errorf("%w (%s in %s)", ErrHashMismatch, r.Key, src.Name())
	}
	// The copy is read back: only a copy with the same SHA-256 replaces the original.
	if err := checkHash(ctx, dst, r); err != nil {
		_ = dst.Delete(context.WithoutCancel(ctx), r.Key)
		return err
	}
	ok, err := f.Records.MoveBlob(ctx, r.Key, src.Name(), dst.Name())
	if err != nil {
		return err
	}
	if !ok {
		_ = dst.Delete(context.WithoutCancel(ctx), r.Key)
		return fmt.Errorf("service: move %s: it changed meanwhile", r.Key)
	}
	return src.Delete(ctx, r.Key)
}

// checkHash reads a stored file back and compares its SHA-256 with the recorded one.
func checkHash(ctx context.Context, st blob.Store, r blob.Record) error {
	rc, err := st.Open(ctx, r.Key, 0, -1)
	if err != nil {
		return err
	}
	defer rc.Close()
	sha := sha256.New()
	n, err := io.Copy(sha, rc)
	if err != nil {
		return err
	}
	if n != r.Size || !bytes.Equal([]byte(hex.EncodeToString(sha.Sum(nil))), []byte(r.SHA256)) {
		return fmt.Errorf("%w (%s read back from %s: %d bytes)", ErrHashMismatch, r.Key, st.Name(), n)
	}
	return nil
}
