// Package pgblob is the PostgreSQL backend of blob.Store, the embedded default: an object is a
// row of blob_objects and its bytes rows of blob_chunks (ChunkSize each, the last shorter,
// stored uncompressed so that a piece of a chunk is read without reading the whole chunk).
//
// A reader fetches one piece per query, the connection going back to the pool between pieces,
// so nothing is held while the caller writes to a slow client. Put writes an object in one
// transaction (it reads a local file or another store, never a client), so an object is there
// whole or not at all.
package pgblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"plenary/internal/blob"
)

// ChunkSize is the size of the rows an object is stored in: large enough that a 50 MB file is
// fifty rows, small enough that a writer holds one in memory.
const ChunkSize = 1 << 20

// Pieces read by one query: a reader starts small (a slow client holds little memory) and
// doubles up to a whole chunk while its client keeps up, fetching the next piece while the
// current one is written.
const (
	minPiece = 64 << 10
	maxPiece = ChunkSize
	// quick is how soon a piece must be used up for the reader to count its client as fast.
	quick = 20 * time.Millisecond
)

// Store is the PostgreSQL backend.
type Store struct {
	pool *pgxpool.Pool
	// reads bounds the pieces read at once, so that many downloads starting together (the
	// meeting's first morning) leave most of the pool to the pages.
	reads chan struct{}
}

// New returns the backend over pool (migration 00020 made its tables). At most a quarter of the
// pool's connections (two at least) read pieces of objects at once.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, reads: make(chan struct{}, max(2, int(pool.Config().MaxConns)/4))}
}

// Name is "postgres".
func (s *Store) Name() string { return "postgres" }

// Put stores size bytes of r under key in one transaction (the chunks go in with COPY): a
// failed Put leaves nothing. r must be local (a received file, another store), never a client:
// the transaction holds a connection while r is read.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if !blob.ValidKey(key) {
		return fmt.Errorf("pgblob: put: invalid key %q", key)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM blob_objects WHERE key = $1`, key); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO blob_objects (key, size, chunk_size) VALUES ($1, $2, $3) RETURNING id`,
			key, size, ChunkSize).Scan(&id); err != nil {
			return err
		}
		src := &chunkSource{id: id, r: r, size: size, buf: make([]byte, min(ChunkSize, max(size, 1)))}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"blob_chunks"}, []string{"object_id", "n", "data"}, src); err != nil {
			return err
		}
		if src.total != size {
			return fmt.Errorf("%d bytes read, not %d", src.total, size)
		}
		// The object must be exactly size bytes: a reader that has more is a caller's mistake.
		var extra [1]byte
		if k, _ := r.Read(extra[:]); k > 0 {
			return fmt.Errorf("more than %d bytes", size)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pgblob: put %s: %w", key, err)
	}
	return nil
}

// chunkSource feeds COPY one chunk of r per row.
type chunkSource struct {
	id    int64
	r     io.Reader
	size  int64
	total int64
	n     int
	buf   []byte
	chunk []byte
	err   error
}

func (c *chunkSource) Next() bool {
	if c.total >= c.size || c.err != nil {
		return false
	}
	want := min(int64(len(c.buf)), c.size-c.total)
	k, err := io.ReadFull(c.r, c.buf[:want])
	if err != nil {
		c.err = fmt.Errorf("read: %w", err)
		return false
	}
	c.chunk = c.buf[:k]
	c.total += int64(k)
	c.n++
	return true
}

func (c *chunkSource) Values() ([]any, error) { return []any{c.id, c.n - 1, c.chunk}, nil }

func (c *chunkSource) Err() error { return c.err }

// Stat describes an object.
func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	info := blob.Info{Key: key}
	err := s.pool.QueryRow(ctx, `SELECT size, created_at FROM blob_objects WHERE key = $1`, key).Scan(&info.Size, &info.Modified)
	if errors.Is(err, pgx.ErrNoRows) {
		return info, fmt.Errorf("pgblob: %s: %w", key, blob.ErrNotFound)
	}
	if err != nil {
		return info, fmt.Errorf("pgblob: stat %s: %w", key, err)
	}
	return info, nil
}

// Delete removes an object with its chunks.
func (s *Store) Delete(ctx context.Context, key string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM blob_objects WHERE key = $1`, key); err != nil {
		return fmt.Errorf("pgblob: delete %s: %w", key, err)
	}
	return nil
}

// List calls fn for every object under prefix.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	// Keys are read in pages by key, so that fn may take its time without holding a query open.
	after := ""
	for {
		rows, _ := s.pool.Query(ctx, `SELECT key, size, created_at FROM blob_objects
			WHERE key > $1 AND starts_with(key, $2) ORDER BY key LIMIT 500`, after, prefix)
		page, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (blob.Info, error) {
			var i blob.Info
			err := row.Scan(&i.Key, &i.Size, &i.Modified)
			return i, err
		})
		if err != nil {
			return fmt.Errorf("pgblob: list %s: %w", prefix, err)
		}
		for _, i := range page {
			if err := fn(i); err != nil {
				return err
			}
		}
		if len(page) < 500 {
			return nil
		}
		after = page[len(page)-1].Key
	}
}

// Open reads length bytes from offset (length < 0: to the end).
func (s *Store) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	var id, size int64
	var chunk int
	err := s.pool.QueryRow(ctx, `SELECT id, size, chunk_size FROM blob_objects WHERE key = $1`, key).Scan(&id, &size, &chunk)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("pgblob: %s: %w", key, blob.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("pgblob: open %s: %w", key, err)
	}
	if offset < 0 || offset > size {
		return nil, fmt.Errorf("pgblob: open %s: offset %d outside 0…%d", key, offset, size)
	}
	end := size
	if length >= 0 {
		end = min(size, offset+length)
	}
	ctx, cancel := context.WithCancel(ctx)
	return &reader{s: s, ctx: ctx, cancel: cancel, key: key, id: id, chunk: int64(chunk), pos: offset, end: end, piece: minPiece * 2}, nil
}

// reader reads an object's range one piece per query.
type reader struct {
	s      *Store
	ctx    context.Context
	cancel context.CancelFunc
	key    string
	id     int64
	chunk  int64
	// pos is the position of the next byte to fetch; end is where the range ends.
	pos, end int64
	piece    int64
	// cur is the unread rest of the current piece (held in buf), received at got.
	cur, buf []byte
	got      time.Time
	// next is the piece being fetched ahead, if any.
	next *fetch
	// spare is a buffer to fetch into: the last piece's, once used up.
	spare []byte
}

type fetch struct {
	done chan struct{}
	data []byte
	err  error
}

// get fetches the piece [at, at+n) of the object into buf.
func (r *reader) get(at, n int64, buf []byte) ([]byte, error) {
	c, off := at/r.chunk, at%r.chunk
	n = min(n, r.chunk-off)
	select {
	case r.s.reads <- struct{}{}:
		defer func() { <-r.s.reads }()
	case <-r.ctx.Done():
		return nil, r.ctx.Err()
	}
	var rows pgx.Rows
	if off == 0 && n == r.chunk {
		rows, _ = r.s.pool.Query(r.ctx, `SELECT data FROM blob_chunks WHERE object_id = $1 AND n = $2`, r.id, c)
	} else {
		// Chunks are stored uncompressed (STORAGE EXTERNAL): PostgreSQL reads only the part asked for.
		rows, _ = r.s.pool.Query(r.ctx, `SELECT substring(data FROM $3::int FOR $4::int) FROM blob_chunks WHERE object_id = $1 AND n = $2`,
			r.id, c, off+1, n)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("pgblob: read %s: %w", r.key, err)
		}
		return nil, fmt.Errorf("pgblob: read %s: chunk %d is missing: %w", r.key, c, io.ErrUnexpectedEOF)
	}
	raw := rows.RawValues()[0]
	if int64(len(raw)) != n {
		return nil, fmt.Errorf("pgblob: read %s: chunk %d is short: %w", r.key, c, io.ErrUnexpectedEOF)
	}
	buf = append(buf[:0], raw...)
	rows.Close()
	return buf, rows.Err()
}

// startFetch fetches the piece at pos in the background.
func (r *reader) startFetch() {
	f := &fetch{done: make(chan struct{})}
	at, n, buf := r.pos, min(r.piece, r.end-r.pos), r.spare
	r.spare = nil
	r.pos += min(n, r.chunk-at%r.chunk)
	r.next = f
	go func() {
		defer close(f.done)
		f.data, f.err = r.get(at, n, buf)
	}()
}

func (r *reader) Read(p []byte) (int, error) {
	if len(r.cur) == 0 {
		if err := r.advance(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// advance makes cur the next piece, fetching it now or taking the one fetched ahead, and
// decides how large the next piece is and whether to fetch it ahead.
func (r *reader) advance() error {
	if r.next == nil && r.pos >= r.end {
		return io.EOF
	}
	if !r.got.IsZero() {
		if time.Since(r.got) < quick {
			r.piece = min(r.piece*2, maxPiece)
		} else {
			r.piece = max(r.piece/2, minPiece)
		}
	}
	fast := r.piece == maxPiece
	if r.next == nil {
		r.startFetch()
	}
	f := r.next
	r.next = nil
	<-f.done
	if f.err != nil {
		return f.err
	}
	r.spare = r.buf
	r.buf, r.cur = f.data, f.data
	r.got = time.Now()
	if fast && r.pos < r.end {
		r.startFetch()
	}
	return nil
}

// Close stops a fetch ahead and waits for it, so that nothing runs on after the request.
func (r *reader) Close() error {
	r.cancel()
	if r.next != nil {
		<-r.next.done
		r.next = nil
	}
	return nil
}
