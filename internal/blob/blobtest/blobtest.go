// Package blobtest checks that a blob.Store keeps the interface's promises, against a real
// backend (a test PostgreSQL database, a real S3 server): the same checks for every backend.
package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"plenary/internal/blob"
)

// Bytes returns n reproducible pseudo-random bytes.
func Bytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// Run checks st; chunk is the backend's internal piece size (ranges are tried across it), 0
// when it has none.
func Run(t *testing.T, st blob.Store, chunk int) {
	ctx := context.Background()
	prefix := fmt.Sprintf("blobtest-%d/", rand.IntN(1e9))
	if chunk <= 0 {
		chunk = 1 << 20
	}
	big := Bytes(3*chunk+12345, 1)
	key := prefix + "a/big"

	t.Run("put and read whole", func(t *testing.T) {
		if err := st.Put(ctx, key, bytes.NewReader(big), int64(len(big))); err != nil {
			t.Fatal(err)
		}
		got := read(t, st, key, 0, -1)
		if !bytes.Equal(got, big) {
			t.Fatalf("read %d bytes, not the %d written", len(got), len(big))
		}
		info, err := st.Stat(ctx, key)
		if err != nil || info.Size != int64(len(big)) || info.Key != key || time.Since(info.Modified) > time.Hour {
			t.Fatalf("stat: %+v, %v", info, err)
		}
	})

	t.Run("ranges", func(t *testing.T) {
		for _, c := range []struct{ off, n int }{
			{0, 1}, {0, 10}, {chunk - 3, 7}, {chunk, chunk}, {2*chunk + 5, 100}, {17, 2 * chunk},
			{len(big) - 4, 4}, {len(big) - 4, -1}, {chunk + 1, -1}, {5, 0},
		} {
			want := big[c.off:]
			if c.n >= 0 {
				want = want[:c.n]
			}
			got := read(t, st, key, int64(c.off), int64(c.n))
			if !bytes.Equal(got, want) {
				t.Errorf("range %d+%d: %d bytes, not the %d expected", c.off, c.n, len(got), len(want))
			}
		}
	})

	t.Run("reader for http.ServeContent", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rd := blob.NewReader(r.Context(), st, key, int64(len(big)))
			defer rd.Close()
			http.ServeContent(w, r, "", time.Time{}, rd)
		}))
		defer srv.Close()
		for _, rg := range []string{"", "bytes=0-0", fmt.Sprintf("bytes=%d-%d", chunk-2, chunk+2), "bytes=-5", "bytes=10-20,30-40"} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			if rg != "" {
				req.Header.Set("Range", rg)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var want []byte
			switch rg {
			case "":
				want = big
			case "bytes=0-0":
				want = big[:1]
			case "bytes=-5":
				want = big[len(big)-5:]
			case "bytes=10-20,30-40":
				if resp.StatusCode != http.StatusPartialContent || !bytes.Contains(body, big[10:21]) || !bytes.Contains(body, big[30:41]) {
					t.Errorf("%s: status %d, the parts are not in the body", rg, resp.StatusCode)
				}
				continue
			default:
				want = big[chunk-2 : chunk+3]
			}
			if !bytes.Equal(body, want) {
				t.Errorf("%q: status %d, %d bytes, not the %d expected", rg, resp.StatusCode, len(body), len(want))
			}
		}
	})

	t.Run("replace", func(t *testing.T) {
		k := prefix + "a/replaced"
		if err := st.Put(ctx, k, strings.NewReader("first version"), 13); err != nil {
			t.Fatal(err)
		}
		if err := st.Put(ctx, k, strings.NewReader("second"), 6); err != nil {
			t.Fatal(err)
		}
		if got := read(t, st, k, 0, -1); string(got) != "second" {
			t.Fatalf("read %q after replacing", got)
		}
	})

	t.Run("empty object", func(t *testing.T) {
		k := prefix + "a/empty"
		if err := st.Put(ctx, k, bytes.NewReader(nil), 0); err != nil {
			t.Fatal(err)
		}
		if got := read(t, st, k, 0, -1); len(got) != 0 {
			t.Fatalf("read %d bytes of an empty object", len(got))
		}
	})

	t.Run("a short reader stores nothing", func(t *testing.T) {
		k := prefix + "a/short"
		err := st.Put(ctx, k, io.LimitReader(bytes.NewReader(big), 1000), 5000)
		if err == nil {
			t.Fatal("a Put of 1000 bytes said to be 5000 succeeded")
		}
		// What a failed Put may leave, Delete removes; a reader never sees it.
		if _, err := st.Stat(ctx, k); err == nil {
			if err := st.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.Stat(ctx, k); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("stat after a failed put: %v, want ErrNotFound", err)
		}
	})

	t.Run("missing", func(t *testing.T) {
		k := prefix + "nothing/here"
		if _, err := st.Stat(ctx, k); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("stat: %v, want ErrNotFound", err)
		}
		rc, err := st.Open(ctx, k, 0, -1)
		if err == nil {
			// S3 answers on the first read.
			_, err = io.ReadAll(rc)
			rc.Close()
		}
		if !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("open: %v, want ErrNotFound", err)
		}
		if err := st.Delete(ctx, k); err != nil {
			t.Errorf("delete of a missing object: %v", err)
		}
	})

	t.Run("list", func(t *testing.T) {
		if err := st.Put(ctx, prefix+"b/one", strings.NewReader("1"), 1); err != nil {
			t.Fatal(err)
		}
		var keys []string
		err := st.List(ctx, prefix+"b/", func(i blob.Info) error { keys = append(keys, i.Key); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || keys[0] != prefix+"b/one" {
			t.Errorf("list %sb/: %v", prefix, keys)
		}
		keys = nil
		err = st.List(ctx, prefix+"a/", func(i blob.Info) error { keys = append(keys, i.Key); return nil })
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(keys)
		if want := []string{prefix + "a/big", prefix + "a/empty", prefix + "a/replaced"}; strings.Join(keys, " ") != strings.Join(want, " ") {
			t.Errorf("list %sa/: %v, want %v", prefix, keys, want)
		}
		stop := errors.New("stop")
		if err := st.List(ctx, prefix, func(blob.Info) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("list: fn's error %v is not returned", err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := st.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Stat(ctx, key); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("stat after delete: %v", err)
		}
	})

	t.Run("invalid keys", func(t *testing.T) {
		for _, k := range []string{"", "../x", "a//b", "a/./b", "a b", "a\\b"} {
			if err := st.Put(ctx, k, strings.NewReader("x"), 1); err == nil {
				t.Errorf("key %q accepted", k)
			}
		}
	})
}

func read(t *testing.T, st blob.Store, key string, off, n int64) []byte {
	t.Helper()
	rc, err := st.Open(context.Background(), key, off, n)
	if err != nil {
		t.Fatalf("open %s at %d+%d: %v", key, off, n, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s at %d+%d: %v", key, off, n, err)
	}
	return b
}
