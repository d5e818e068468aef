package site

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestForwardedForTakesTheProxysEntry(t *testing.T) {
	var got string
	h := forwardedFor(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = clientAddr(r) }))
	for _, c := range []struct {
		xff  []string
		want string
	}{
		{nil, "192.0.2.9"},
		{[]string{"203.0.113.7"}, "203.0.113.7"},
		{[]string{"10.0.0.1, 198.51.100.4"}, "198.51.100.4"}, // the client's own claim comes first
		{[]string{"spoofed", "2001:db8::1"}, "2001:db8::1"},
		{[]string{"not an address"}, "192.0.2.9"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "192.0.2.9:5555"
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != c.want {
			t.Errorf("X-Forwarded-For %q: client %q, want %q", c.xff, got, c.want)
		}
	}
}

func TestLocalPathKeepsRedirectsOnTheSite(t *testing.T) {
	for in, want := range map[string]string{
		"/me":                     "/me",
		"/meetings/x?lang=zh#reg": "/meetings/x?lang=zh#reg",
		"":                        "/",
		"https://evil.example/":   "/",
		"//evil.example":          "/",
		"/\\evil.example":         "/",
		"/\t/evil.example":        "/", // browsers drop the tab and see //evil.example
		"/\n/evil.example":        "/",
		"/\r\nSet-Cookie: x=1":    "/",
		"/\x7f":                   "/",
		"evil.example":            "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
