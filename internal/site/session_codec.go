package site

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sessionCodec encodes the session's values (the account's id, a flash message) in a small
// binary form. scs's default, gob, builds its type information again for every session read,
// which cost more than the rest of a signed-in request's handling. Data written by gob before
// (it never starts with sessionFormat) is still read.
//
// The form: sessionFormat, the deadline in Unix nanoseconds (varint), the number of values
// (uvarint), then each value as its key (uvarint length, bytes), a type byte and the value.
type sessionCodec struct{}

const sessionFormat = 0xB1

// The value types a session may hold.
const (
	sessionString byte = 's'
	sessionInt64  byte = 'i'
	sessionBool   byte = 'b'
)

// Encode implements scs.Codec.
func (sessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	b := make([]byte, 0, 32)
	b = append(b, sessionFormat)
	b = binary.AppendVarint(b, deadline.UnixNano())
	b = binary.AppendUvarint(b, uint64(len(values)))
	for k, v := range values {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		switch v := v.(type) {
		case string:
			b = append(b, sessionString)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case int64:
			b = append(b, sessionInt64)
			b = binary.AppendVarint(b, v)
		case bool:
			b = append(b, sessionBool)
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		default:
			return nil, fmt.Errorf("session: value %q of type %T cannot be stored", k, v)
		}
	}
	return b, nil
}

var errSessionData = errors.New("session: malformed session data")

// Decode implements scs.Codec.
func (sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	if len(b) == 0 || b[0] != sessionFormat {
		return scs.GobCodec{}.Decode(b)
	}
	r := sessionReader{b: b[1:]}
	deadline := time.Unix(0, r.varint())
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		return time.Time{}, nil, errSessionData
	}
	values := make(map[string]any, n)
	for range n {
		k := string(r.bytes())
		switch r.byte() {
		case sessionString:
			values[k] = string(r.bytes())
		case sessionInt64:
			values[k] = r.varint()
		case sessionBool:
			values[k] = r.byte() == 1
		default:
			r.err = errSessionData
		}
		if r.err != nil {
			return time.Time{}, nil, r.err
		}
	}
	if len(r.b) != 0 {
		return time.Time{}, nil, errSessionData
	}
	return deadline, values, nil
}

// sessionReader reads the parts of encoded session data; the first malformed part sets err and
// every later read returns zero.
type sessionReader struct {
	b   []byte
	err error
}

func (r *sessionReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errSessionData
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *sessionReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errSessionData
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *sessionReader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errSessionData
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *sessionReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) || n > math.MaxInt32 {
		r.err = errSessionData
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// sessionAccount returns the account encoded session data is signed in as, 0 for none.
func sessionAccount(b []byte) int64 {
	_, values, err := sessionCodec{}.Decode(b)
	if err != nil {
		return 0
	}
	id, _ := values["account_id"].(int64)
	return id
}
