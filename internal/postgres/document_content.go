package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"plenary/internal/domain"
)

// ChunkSize is the size of the rows a file is stored in: large enough that reading a file is a
// few dozen rows per 50 MB, small enough that an upload or download holds one or two in memory.
const ChunkSize = 1 << 20

// FileUpload is a file arriving in a request: the name the browser gave and its bytes, read once
// as they arrive.
type FileUpload struct {
	Name string
	Body io.Reader
	// Max is the largest size accepted, in bytes.
	Max int64
}

// storedContent is what storeContent learnt while writing a file.
type storedContent struct {
	ID     int64
	Size   int64
	SHA256 string
	CRC32  uint32
	// Head is the file's first bytes, for checking its type.
	Head []byte
}

// storeContent writes r into chunk rows inside tx, hashing as it goes, and stops reading once it
// has seen more than max bytes (the caller refuses the file and rolls back). One chunk is in
// memory at a time.
func storeContent(ctx context.Context, tx pgx.Tx, r io.Reader, max int64) (storedContent, error) {
	var c storedContent
	if err := tx.QueryRow(ctx, `INSERT INTO document_contents (size, chunk_size) VALUES (0, $1) RETURNING id`, ChunkSize).Scan(&c.ID); err != nil {
		return c, fmt.Errorf("postgres: store file: %w", err)
	}
	sha, crc := sha256.New(), crc32.NewIEEE()
	buf := make([]byte, ChunkSize)
	lr := io.LimitReader(r, max+1)
	for n := 0; ; n++ {
		k, err := io.ReadFull(lr, buf)
		if k > 0 {
			chunk := buf[:k]
			sha.Write(chunk)
			crc.Write(chunk)
			if c.Head == nil {
				c.Head = append([]byte(nil), chunk[:min(k, domain.SniffBytes)]...)
			}
			c.Size += int64(k)
			if c.Size > max {
				return c, nil
			}
			if _, err := tx.Exec(ctx, `INSERT INTO document_chunks (content_id, n, data) VALUES ($1, $2, $3)`, c.ID, n, chunk); err != nil {
				return c, fmt.Errorf("postgres: store file: %w", err)
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return c, &ReadError{Err: err}
		}
	}
	c.SHA256 = hex.EncodeToString(sha.Sum(nil))
	c.CRC32 = crc.Sum32()
	_, err := tx.Exec(ctx, `UPDATE document_contents SET size = $2, sha256 = $3, crc32 = $4 WHERE id = $1`, c.ID, c.Size, c.SHA256, int64(c.CRC32))
	if err != nil {
		return c, fmt.Errorf("postgres: store file: %w", err)
	}
	return c, nil
}

// ReadError is a failure to read an uploaded file from the request (the client went away, or the
// request was larger than allowed): nothing was stored.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "postgres: read the uploaded file: " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// drainFile reads a file that will not be stored, to learn its size and first bytes, so that a
// refused form can say what is wrong with the file too; it stops after max+1 bytes.
func drainFile(r io.Reader, max int64) (size int64, head []byte, err error) {
	head = make([]byte, domain.SniffBytes)
	k, err := io.ReadFull(r, head)
	head = head[:k]
	size = int64(k)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return size, head, nil
	}
	if err != nil {
		return size, head, &ReadError{Err: err}
	}
	n, err := io.Copy(io.Discard, io.LimitReader(r, max+1-size))
	size += n
	if err != nil {
		return size, head, &ReadError{Err: err}
	}
	return size, head, nil
}

// ContentReader reads a stored file from PostgreSQL: an io.ReadSeeker for http.ServeContent and
// an io.WriterTo for archives. It queries nothing until read, then streams the chunks from the
// one holding the position, so seeking to the end to learn the size costs nothing and a range
// request reads only the chunks it needs. A long read takes the chunks alternately from two
// connections when the pool has one to spare, so that two database processes detoast them at
// once. Close it.
type ContentReader struct {
	db        *DB
	ctx       context.Context
	contentID int64
	size      int64
	chunkSize int64
	pos       int64
	// streams deliver the chunks in turn: stream i has chunks first+i, first+i+len(streams) …
	streams []contentStream
	turn    int
	open    bool
	// cur is the unread rest of the current chunk, which starts at file offset curPos.
	cur    []byte
	curPos int64
}

type contentStream struct {
	rows pgx.Rows
	// conn is the connection taken for a second stream, released with it.
	conn *pgxpool.Conn
}

// parallelFrom is how many chunks a read must still need before a second stream is worth it.
const parallelFrom = 4

// spareConnWait bounds the wait for a second connection: without a spare one at once, one stream
// does (a download must never wait for another download's connection).
const spareConnWait = 5 * time.Millisecond

// OpenContent returns a reader of a stored file.
func (db *DB) OpenContent(ctx context.Context, f domain.DocumentFile) *ContentReader {
	return &ContentReader{db: db, ctx: ctx, contentID: f.ContentID, size: f.FileSize, chunkSize: int64(f.ChunkSize)}
}

// Size is the file's size.
func (r *ContentReader) Size() int64 { return r.size }

// Seek moves the position; the next Read queries from there.
func (r *ContentReader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return r.pos, errors.New("postgres: seek: bad whence")
	}
	if abs < 0 {
		return r.pos, errors.New("postgres: seek: negative position")
	}
	r.pos = abs
	return abs, nil
}

const chunkQuery = `SELECT data FROM document_chunks WHERE content_id = $1 AND n >= $2 AND (n - $2) % $3 = $4 ORDER BY n`

func (r *ContentReader) query() error {
	r.closeStreams()
	first := r.pos / r.chunkSize
	k := int64(1)
	var spare *pgxpool.Conn
	if (r.size-first*r.chunkSize+r.chunkSize-1)/r.chunkSize >= parallelFrom {
		ctx, cancel := context.WithTimeout(r.ctx, spareConnWait)
		conn, err := r.db.Pool.Acquire(ctx)
		cancel()
		if err == nil {
			spare, k = conn, 2
		}
	}
	binary := pgx.QueryResultFormats{pgx.BinaryFormatCode}
	rows, err := r.db.Pool.Query(r.ctx, chunkQuery, binary, r.contentID, first, k, 0)
	if err != nil {
		if spare != nil {
			spare.Release()
		}
		return fmt.Errorf("postgres: read file: %w", err)
	}
	r.streams = append(r.streams, contentStream{rows: rows})
	if spare != nil {
		rows, err := spare.Query(r.ctx, chunkQuery, binary, r.contentID, first, k, 1)
		if err != nil {
			spare.Release()
			r.closeStreams()
			return fmt.Errorf("postgres: read file: %w", err)
		}
		r.streams = append(r.streams, contentStream{rows: rows, conn: spare})
	}
	r.open = true
	r.turn = 0
	r.cur = nil
	r.curPos = first * r.chunkSize
	return nil
}

// fill makes cur hold the bytes at pos, reading the next chunk when the current one is used up.
func (r *ContentReader) fill() error {
	if !r.open || r.pos < r.curPos || r.pos > r.curPos+int64(len(r.cur)) {
		if err := r.query(); err != nil {
			return err
		}
	}
	for r.pos >= r.curPos+int64(len(r.cur)) {
		r.curPos += int64(len(r.cur))
		r.cur = nil
		s := r.streams[r.turn]
		r.turn = (r.turn + 1) % len(r.streams)
		if !s.rows.Next() {
			if err := s.rows.Err(); err != nil {
				return fmt.Errorf("postgres: read file: %w", err)
			}
			return io.ErrUnexpectedEOF
		}
		// The row's bytes stay valid until the next call of Next on its stream, which comes
		// after the other stream's chunk has been used.
		r.cur = s.rows.RawValues()[0]
	}
	r.cur = r.cur[r.pos-r.curPos:]
	r.curPos = r.pos
	return nil
}

// Read reads from the position.
func (r *ContentReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := r.fill(); err != nil {
		return 0, err
	}
	n := copy(p, r.cur)
	if rest := r.size - r.pos; int64(n) > rest {
		n = int(rest)
	}
	r.cur = r.cur[n:]
	r.pos += int64(n)
	r.curPos = r.pos
	return n, nil
}

// WriteTo writes the file from the position to its end, a whole chunk per write.
func (r *ContentReader) WriteTo(w io.Writer) (int64, error) { return r.CopyTo(w, r.size-r.pos) }

// CopyTo writes n bytes from the position (fewer at the end of the file), a whole chunk per
// write, straight from the row just read: no copy, no small writes.
func (r *ContentReader) CopyTo(w io.Writer, n int64) (int64, error) {
	var total int64
	end := min(r.size, r.pos+n)
	for r.pos < end {
		if err := r.fill(); err != nil {
			return total, err
		}
		b := r.cur
		if rest := end - r.pos; int64(len(b)) > rest {
			b = b[:rest]
		}
		k, err := w.Write(b)
		total += int64(k)
		r.pos += int64(k)
		r.cur = r.cur[k:]
		r.curPos = r.pos
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (r *ContentReader) closeStreams() error {
	var errs []error
	for _, s := range r.streams {
		s.rows.Close()
		if err := s.rows.Err(); err != nil && !errors.Is(err, context.Canceled) {
			errs = append(errs, err)
		}
		if s.conn != nil {
			s.conn.Release()
		}
	}
	r.streams = r.streams[:0]
	r.open = false
	r.cur = nil
	return errors.Join(errs...)
}

// Close releases the connections.
func (r *ContentReader) Close() error {
	if err := r.closeStreams(); err != nil {
		return fmt.Errorf("postgres: read file: %w", err)
	}
	return nil
}
