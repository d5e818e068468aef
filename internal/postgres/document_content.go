package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/jackc/pgx/v5"

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
// request reads only the chunks it needs. Close it.
type ContentReader struct {
	db        *DB
	ctx       context.Context
	contentID int64
	size      int64
	chunkSize int64
	pos       int64
	rows      pgx.Rows
	// cur is the unread rest of the current chunk, which starts at file offset curPos.
	cur    []byte
	curPos int64
}

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

func (r *ContentReader) query() error {
	if r.rows != nil {
		r.rows.Close()
	}
	first := r.pos / r.chunkSize
	rows, err := r.db.Pool.Query(r.ctx, `SELECT data FROM document_chunks WHERE content_id = $1 AND n >= $2 ORDER BY n`,
		pgx.QueryResultFormats{pgx.BinaryFormatCode}, r.contentID, first)
	if err != nil {
		r.rows = nil
		return fmt.Errorf("postgres: read file: %w", err)
	}
	r.rows = rows
	r.cur = nil
	r.curPos = first * r.chunkSize
	return nil
}

// fill makes cur hold the bytes at pos, reading the next chunk when the current one is used up.
func (r *ContentReader) fill() error {
	if r.rows == nil || r.pos < r.curPos || r.pos > r.curPos+int64(len(r.cur)) {
		if err := r.query(); err != nil {
			return err
		}
	}
	for r.pos >= r.curPos+int64(len(r.cur)) {
		r.curPos += int64(len(r.cur))
		r.cur = nil
		if !r.rows.Next() {
			if err := r.rows.Err(); err != nil {
				return fmt.Errorf("postgres: read file: %w", err)
			}
			return io.ErrUnexpectedEOF
		}
		// The row's bytes stay valid until the next call of Next.
		r.cur = r.rows.RawValues()[0]
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
func (r *ContentReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for r.pos < r.size {
		if err := r.fill(); err != nil {
			return total, err
		}
		b := r.cur
		if rest := r.size - r.pos; int64(len(b)) > rest {
			b = b[:rest]
		}
		n, err := w.Write(b)
		total += int64(n)
		r.pos += int64(n)
		r.cur = r.cur[n:]
		r.curPos = r.pos
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Close releases the connection.
func (r *ContentReader) Close() error {
	if r.rows != nil {
		r.rows.Close()
		err := r.rows.Err()
		r.rows = nil
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("postgres: read file: %w", err)
		}
	}
	return nil
}
