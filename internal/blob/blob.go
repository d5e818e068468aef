// Package blob stores files (documents, photos) behind one small interface, in the manner of
// gitea's modules/storage: Put, Open with a range, Stat, Delete. Two backends implement it:
// PostgreSQL (package pgblob, the embedded default) and S3-compatible object storage (package
// s3blob). Neither knows what a file is for: which object belongs to which document, and which
// backend holds it, is recorded by the caller (the blobs table, see internal/postgres).
//
// No backend holds a database connection while the caller reads: PostgreSQL is read one piece
// per query, S3 over its own HTTP connection.
package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// ErrNotFound is returned (wrapped) for a key the store does not hold.
var ErrNotFound = errors.New("blob: not found")

// Info describes a stored object.
type Info struct {
	Key      string
	Size     int64
	Modified time.Time
}

// Store is one backend.
type Store interface {
	// Name is how the backend is named where each file's place is recorded: "postgres", "s3".
	Name() string
	// Put stores size bytes read from r under key, replacing any object of that key. A failed
	// Put leaves no object (or one that Delete removes).
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Open reads length bytes from offset (length < 0: to the end). Close the reader.
	Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
	// Stat describes an object; ErrNotFound when there is none.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes an object; removing one that is not there is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every object whose key starts with prefix, in no set order.
	List(ctx context.Context, prefix string, fn func(Info) error) error
}

// Presigner is a store that can hand out a short-lived address where a client downloads an
// object itself, answered with the given Content-Disposition and Content-Type.
type Presigner interface {
	PresignGet(ctx context.Context, key, disposition, contentType string, ttl time.Duration) (*url.URL, error)
}

// NewKey returns a new, unguessable key under prefix: "documents/2026/12/3f9c…".
func NewKey(prefix string, now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.TrimSuffix(prefix, "/") + "/" + now.UTC().Format("2006/01") + "/" + hex.EncodeToString(b[:])
}

// ValidKey reports whether key is one the stores accept: printable ASCII path segments, no
// empty, "." or ".." segment, at most 512 bytes.
func ValidKey(key string) bool {
	if key == "" || len(key) > 512 {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if c <= 0x20 || c >= 0x7F || c == '\\' {
				return false
			}
		}
	}
	return true
}

// Record is what the portal keeps about a stored file, whatever it belongs to: where it is, and
// what it is (size and hashes computed as it arrived).
type Record struct {
	Key     string
	Backend string
	Size    int64
	SHA256  string
	CRC32   uint32
	Created time.Time
	// PendingUntil is set while the file belongs to nothing yet (an upload being stored, or kept
	// for a form to be sent again): the sweep removes it after that time.
	PendingUntil *time.Time
	// StagedBy and FileName say whose the kept file is and what it was called.
	StagedBy int64
	FileName string
}

// Stores are the backends a portal reads from, and the one new files go to.
type Stores struct {
	// Default receives new files.
	Default Store
	all     map[string]Store
}

// NewStores makes the set: def receives new files; others are read (files moved away from them
// or not yet moved to def).
func NewStores(def Store, others ...Store) *Stores {
	s := &Stores{Default: def, all: map[string]Store{def.Name(): def}}
	for _, o := range others {
		if o != nil {
			s.all[o.Name()] = o
		}
	}
	return s
}

// Get returns the backend of a name.
func (s *Stores) Get(name string) (Store, error) {
	if st, ok := s.all[name]; ok {
		return st, nil
	}
	return nil, fmt.Errorf("blob: no backend %q is configured (a file is recorded there)", name)
}

// All returns every backend.
func (s *Stores) All() []Store {
	out := make([]Store, 0, len(s.all))
	for _, st := range s.all {
		out = append(out, st)
	}
	return out
}
