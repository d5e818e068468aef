package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestReadResponse(t *testing.T) {
	cases := []struct {
		name, raw    string
		status, size int
		closeConn    bool
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, 5, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n", 200, 5, false},
		{"close", "HTTP/1.1 500 Internal\r\nconnection: Close\r\ncontent-length: 2\r\n\r\nno", 500, 2, true},
		{"to EOF", "HTTP/1.0 200 OK\r\n\r\nabcdef", 200, 6, true},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\n", 204, 0, false},
	}
	for _, c := range cases {
		next := "HTTP/1.1 ..." // the next response on the connection must be left unread
		if c.name == "to EOF" {
			next = ""
		}
		br := bufio.NewReader(strings.NewReader(c.raw + next))
		status, size, _, closeConn, err := readResponse(br, false, false)
		if err != nil || status != c.status || size != c.size || closeConn != c.closeConn {
			t.Errorf("%s: got %d %d %t %v, want %d %d %t", c.name, status, size, closeConn, err, c.status, c.size, c.closeConn)
		}
		if c.closeConn {
			continue
		}
		if rest, _ := io.ReadAll(br); string(rest) != "HTTP/1.1 ..." {
			t.Errorf("%s: left %q", c.name, rest)
		}
	}
}

func TestRunLoad(t *testing.T) {
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big": // larger than the server's buffer: chunked
			_, _ = w.Write([]byte(strings.Repeat("x", 10000)))
		case "/post":
			b, _ := io.ReadAll(r.Body)
			if r.Method != http.MethodPost || string(b) != "n=x" || r.Header.Get("Cookie") != "s=1" {
				http.Error(w, "bad", http.StatusBadRequest)
				return
			}
			posts.Add(1)
			w.WriteHeader(http.StatusSeeOther)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	res, err := RunLoad(context.Background(), &Load{Addr: addr, Request: same(Request{Path: "/big"})}, 4, 50*time.Millisecond, 200*time.Millisecond)
	if err != nil || res.Responses == 0 || res.Errors != 0 || res.BodyBytes != 10000 || len(res.Latencies) != res.Responses {
		t.Fatalf("GET: %+v %v", res, err)
	}

	post := Request{Method: http.MethodPost, Path: "/post", Header: http.Header{"Cookie": {"s=1"}, "Content-Type": {"application/x-www-form-urlencoded"}},
		Body: func(int) []byte { return []byte("n=x") }}
	res, err = RunLoad(context.Background(), &Load{Addr: addr, Expect: http.StatusSeeOther, Request: same(post)}, 2, 0, 100*time.Millisecond)
	if err != nil || res.Responses == 0 || res.Errors != 0 || posts.Load() == 0 {
		t.Fatalf("POST: %+v %v", res, err)
	}

	res, err = RunLoad(context.Background(), &Load{Addr: addr, Request: same(Request{Path: "/missing"})}, 1, 0, 50*time.Millisecond)
	if err != nil || res.Errors != res.Responses || res.Errors == 0 {
		t.Fatalf("404s: %+v %v", res, err)
	}
}

func TestEachAndLocation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Cookie") != "c="+strings.TrimPrefix(r.URL.Path, "/p/") || string(b) != "x" || r.Header.Get("X-Fixed") != "1" {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		if r.URL.Path == "/p/3" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/me#"+r.URL.Path, http.StatusSeeOther)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	req := Request{Method: http.MethodPost, Header: http.Header{"X-Fixed": {"1"}, "Cookie": {"ignored"}},
		Body: func(int) []byte { return []byte("x") },
		Each: func(n int) (string, string) { return "/p/" + strconv.Itoa(n), "c=" + strconv.Itoa(n) }}
	res, err := RunSequential(context.Background(), &Load{Addr: addr, Expect: http.StatusSeeOther, Location: "/me#", Request: same(req)}, 1, 5)
	if err != nil || res.Responses != 5 || res.Errors != 1 || !strings.Contains(res.FirstErr, "/login") {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestRunPaced(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every tenth request is slow: the requests scheduled behind it on its connection wait.
		if n.Add(1)%10 == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	res, err := RunPaced(context.Background(), &Load{Addr: addr, Request: same(Request{Path: "/"})}, 2, 100, 100*time.Millisecond, 500*time.Millisecond)
	if err != nil || res.Errors != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	// 100 per second for 0.5 s.
	if res.Responses < 45 || res.Responses > 55 {
		t.Fatalf("%d responses, want about 50", res.Responses)
	}
	// At 50 per second per connection (20 ms apart), a 100 ms response delays the next four or
	// five requests, whose latency counts from their scheduled time.
	if res.Percentile(0.90) < 20*time.Millisecond {
		t.Fatalf("p90 %s: the wait behind a slow response is not counted", res.Percentile(0.90))
	}
}
