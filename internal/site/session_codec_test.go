package site

import (
	"reflect"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

func TestSessionCodecRoundTrip(t *testing.T) {
	deadline := time.Date(2026, 12, 9, 10, 30, 0, 123, time.UTC)
	for _, values := range []map[string]any{
		{},
		{"account_id": int64(42)},
		{"account_id": int64(-1), "flash": "Registration received — 已收到", "seen": true, "empty": "", "no": false},
	} {
		b, err := sessionCodec{}.Encode(deadline, values)
		if err != nil {
			t.Fatal(err)
		}
		d, got, err := sessionCodec{}.Decode(b)
		if err != nil {
			t.Fatalf("decode %v: %v", values, err)
		}
		if !d.Equal(deadline) || !reflect.DeepEqual(got, values) {
			t.Errorf("round trip of %v gave %v, %v", values, d, got)
		}
	}
}

// Sessions written with scs's gob codec before are still read.
func TestSessionCodecReadsGob(t *testing.T) {
	deadline := time.Now().Add(time.Hour).Round(0)
	values := map[string]any{"account_id": int64(7), "flash": "Signed in"}
	b, err := scs.GobCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	d, got, err := sessionCodec{}.Decode(b)
	if err != nil || !d.Equal(deadline) || !reflect.DeepEqual(got, values) {
		t.Fatalf("gob session read as %v %v %v", d, got, err)
	}
}

func TestSessionCodecRefusesWhatItCannotStoreOrRead(t *testing.T) {
	if _, err := (sessionCodec{}).Encode(time.Now(), map[string]any{"n": 3}); err == nil {
		t.Error("an int (not int64) was encoded")
	}
	good, err := sessionCodec{}.Encode(time.Now(), map[string]any{"account_id": int64(42), "flash": "hello"})
	if err != nil {
		t.Fatal(err)
	}
	// Every truncation, and trailing bytes, are refused, never misread or a panic.
	for i := 1; i < len(good); i++ {
		if _, _, err := (sessionCodec{}).Decode(good[:i]); err == nil {
			t.Errorf("truncated to %d bytes: decoded", i)
		}
	}
	if _, _, err := (sessionCodec{}).Decode(append(append([]byte(nil), good...), 0)); err == nil {
		t.Error("trailing byte: decoded")
	}
	// A length beyond the data.
	if _, _, err := (sessionCodec{}).Decode([]byte{sessionFormat, 2, 1, 0xff, 0x7f}); err == nil {
		t.Error("huge key length: decoded")
	}
}

func FuzzSessionCodecDecode(f *testing.F) {
	good, _ := sessionCodec{}.Encode(time.Unix(0, 0), map[string]any{"account_id": int64(1), "flash": "x", "b": true})
	f.Add(good)
	f.Add([]byte{sessionFormat})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != sessionFormat {
			return // gob's own
		}
		d, values, err := sessionCodec{}.Decode(b)
		if err != nil {
			return
		}
		// What decodes encodes back to something that decodes the same.
		again, err := sessionCodec{}.Encode(d, values)
		if err != nil {
			t.Fatal(err)
		}
		d2, v2, err := sessionCodec{}.Decode(again)
		if err != nil || !d2.Equal(d) || !reflect.DeepEqual(v2, values) {
			t.Fatalf("re-encoding changed %v %v into %v %v (%v)", d, values, d2, v2, err)
		}
	})
}
