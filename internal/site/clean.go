package site

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"plenary/internal/domain"
)

// cleanInput gives every request's path, query and urlencoded form the treatment forms' fields
// get (cleanText): no browser sends a NUL byte or invalid UTF-8 in them, PostgreSQL cannot store
// or compare them, and a handler should never have to think about it. A path that held such
// bytes names no page (a 404); a query or form keeps the rest of what was typed. Multipart
// fields are cleaned as they are read (readMultipart).
func (s *Server) cleanInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !cleanString(r.URL.Path) {
			r.URL.Path = cleanText(r.URL.Path)
			r.URL.RawPath = ""
		}
		if r.URL.RawQuery != "" {
			if q, _ := url.ParseQuery(r.URL.RawQuery); !cleanValues(q) {
				cleanAll(q)
				r.URL.RawQuery = q.Encode()
			}
		}
		if isURLEncodedForm(r) {
			// Read here, as handlers would (ParseForm), so that what they read is clean; a form
			// that cannot be read is refused here, with the message handlers give.
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
				return
			}
			cleanAll(r.PostForm)
			cleanAll(r.Form)
		}
		next.ServeHTTP(w, r)
	})
}

func isURLEncodedForm(r *http.Request) bool {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return false
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/x-www-form-urlencoded"
}

// cleanString reports whether s is valid UTF-8 without NUL bytes.
func cleanString(s string) bool { return utf8.ValidString(s) && !strings.Contains(s, "\x00") }

func cleanValues(v url.Values) bool {
	for k, vs := range v {
		if !cleanString(k) {
			return false
		}
		for _, x := range vs {
			if !cleanString(x) {
				return false
			}
		}
	}
	return true
}

// cleanAll cleans every name and value of v in place.
func cleanAll(v url.Values) {
	for k, vs := range v {
		for i, x := range vs {
			vs[i] = cleanText(x)
		}
		if ck := cleanText(k); ck != k {
			delete(v, k)
			v[ck] = append(v[ck], vs...)
		}
	}
}
