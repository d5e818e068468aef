package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Reader reads one object as an io.ReadSeeker, for http.ServeContent and archives. It opens the
// object at its position on the first Read after a Seek, so seeking to the end to learn the size
// costs nothing; Expect says how many bytes the next reads will take, so that a range request
// opens exactly that range. Close it.
type Reader struct {
	ctx   context.Context
	store Store
	key   string
	size  int64
	pos   int64
	// rc reads the object from rcPos to rcEnd.
	rc    io.ReadCloser
	rcPos int64
	rcEnd int64
}

// NewReader returns a reader of the object key of the given size.
func NewReader(ctx context.Context, s Store, key string, size int64) *Reader {
	return &Reader{ctx: ctx, store: s, key: key, size: size}
}

// Size is the object's size.
func (r *Reader) Size() int64 { return r.size }

// Seek moves the position; the next Read opens the object there.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return r.pos, errors.New("blob: seek: bad whence")
	}
	if abs < 0 {
		return r.pos, errors.New("blob: seek: negative position")
	}
	r.pos = abs
	return abs, nil
}

// Expect opens the object for the n bytes from the position, unless it is open there already
// for at least that much.
func (r *Reader) Expect(n int64) error {
	end := min(r.size, r.pos+n)
	if r.rc != nil && r.rcPos == r.pos && r.rcEnd >= end {
		return nil
	}
	return r.open(end)
}

func (r *Reader) open(end int64) error {
	r.closeStream()
	length := end - r.pos
	if end == r.size {
		// To the end: asked as such, so that a read of the whole object is a plain GET (an S3
		// server may serve a ranged one more slowly).
		length = -1
	}
	rc, err := r.store.Open(r.ctx, r.key, r.pos, length)
	if err != nil {
		return fmt.Errorf("blob: open %s: %w", r.key, err)
	}
	r.rc, r.rcPos, r.rcEnd = rc, r.pos, end
	return nil
}

// Read reads from the position.
func (r *Reader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.rc == nil || r.rcPos != r.pos || r.pos >= r.rcEnd {
		if err := r.open(r.size); err != nil {
			return 0, err
		}
	}
	if rest := r.rcEnd - r.pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := r.rc.Read(p)
	r.pos += int64(n)
	r.rcPos = r.pos
	if err == io.EOF {
		if r.pos < r.rcEnd {
			return n, io.ErrUnexpectedEOF
		}
		err = nil
	}
	return n, err
}

func (r *Reader) closeStream() error {
	if r.rc == nil {
		return nil
	}
	err := r.rc.Close()
	r.rc = nil
	return err
}

// Close releases what the open range holds.
func (r *Reader) Close() error { return r.closeStream() }
