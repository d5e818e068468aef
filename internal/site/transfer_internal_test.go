package site

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// writeCounter records the writes that reach the connection's side of progressWriter.
type writeCounter struct {
	http.ResponseWriter
	sizes *[]int
}

func (w writeCounter) Write(p []byte) (int, error) {
	*w.sizes = append(*w.sizes, len(p))
	return w.ResponseWriter.Write(p)
}

func (w writeCounter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// A response past watchFrom, over a connection the server knows (ConnContext), is written in
// writes as large as the handler's, its client's progress watched; a page, or any response over
// a connection the server does not know, is written in pieces of writePiece bytes.
func TestLargeResponsesAreWrittenWholeWhenTheClientsProgressIsWatched(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("acknowledged bytes are read on Linux only")
	}
	s := &Server{opts: Options{StallTimeout: time.Minute}}
	for _, tc := range []struct {
		name        string
		knownConn   bool
		size        int
		wantWatched bool
		wantWrites  int
	}{
		{"a file, the connection known", true, 1 << 20, true, 1},
		{"a page, the connection known", true, 30 << 10, false, 2},
		{"a file, the connection not known", false, 1 << 20, false, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sizes []int
			var watched bool
			h := s.deadlines(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, err := w.Write(make([]byte, tc.size)); err != nil {
					t.Error(err)
				}
				watched = w.(*progressWriter).watch != nil
			}))
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h.ServeHTTP(writeCounter{w, &sizes}, r)
			}))
			if tc.knownConn {
				srv.Config.ConnContext = ConnContext
			}
			srv.Start()
			defer srv.Close()
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || n != int64(tc.size) {
				t.Fatalf("%d bytes of %d, %v", n, tc.size, err)
			}
			if watched != tc.wantWatched || len(sizes) != tc.wantWrites {
				t.Errorf("watched %v, %d writes; want %v and %d", watched, len(sizes), tc.wantWatched, tc.wantWrites)
			}
		})
	}
}
