package site

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/service"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyActor
	keyAccount
	keyLang
	keyLogInfo
	keyNoSession
)

// logInfo is filled in by later middleware so the request's log line can name the user.
type logInfo struct{ userID int64 }

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaderValues are the headers of every answer, keys in canonical form (a test checks).
// They are set by assigning these values, shared by every answer: each is a slice of length and
// capacity one, so a handler's Header().Add appends to a new array, never to the shared one.
var (
	securityHeaderValues = map[string][]string{
		"Content-Security-Policy":    {contentSecurityPolicy},
		"X-Content-Type-Options":     {"nosniff"},
		"X-Frame-Options":            {"DENY"},
		"Referrer-Policy":            {"same-origin"},
		"Cross-Origin-Opener-Policy": {"same-origin"},
		"Permissions-Policy":         {"camera=(), microphone=(), geolocation=()"},
	}
	hstsValue = []string{"max-age=31536000"}
)

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range securityHeaderValues {
			h[k] = v
		}
		if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
			h["Strict-Transport-Security"] = hstsValue
		}
		next.ServeHTTP(w, r)
	})
}

// requestID names each request, for the log and the audit trail. A client's X-Request-Id is
// taken only behind the trusted reverse proxy (TRUST_PROXY), which sets it; from anyone else it
// could forge the trail.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := ""
		if s.opts.TrustProxy {
			id = r.Header.Get("X-Request-Id")
		}
		if !validRequestID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), keyRequestID, id)
		ctx = context.WithValue(ctx, keyLogInfo, &logInfo{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// validRequestID accepts the ids proxies make (UUIDs, hex, base64url and the like): 1 to 64
// letters, digits and . _ - : + / =.
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("._-:+/=", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		var user int64
		if li, ok := r.Context().Value(keyLogInfo).(*logInfo); ok {
			user = li.userID
		}
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("id", requestIDOf(r)), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int64("user", user), slog.Duration("duration", time.Since(start)))
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "id", requestIDOf(r), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.renderError(w, r, http.StatusInternalServerError, "error.internal_title", "error.internal")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests that a browser sends from another site.
func crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("403 Forbidden: cross-origin request refused\n"))
	}))
	return cop.Handler(next)
}

// loadSession loads the session from PostgreSQL, with the account it is signed in as, and saves
// it after the handler. A GET or HEAD without a session cookie cannot have or change a session
// (visitors' pages never write one), so it skips the session store and the response buffering:
// the public pages stay cheap.
func (s *Server) loadSession(next http.Handler) http.Handler {
	withSession := s.sessions.LoadAndSave(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			if _, err := r.Cookie(s.sessions.Cookie.Name); err != nil {
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyNoSession, true)))
				return
			}
		}
		ctx, _ := service.WithSessionAccount(r.Context())
		withSession.ServeHTTP(w, r.WithContext(ctx))
	})
}

// hasSession reports whether the request carries a loaded session.
func hasSession(r *http.Request) bool { return r.Context().Value(keyNoSession) == nil }

// authenticate loads the signed-in account and its roles: read with the session, or else (a
// session written before accounts were kept beside sessions) on its own.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hasSession(r) {
			next.ServeHTTP(w, r)
			return
		}
		id := s.sessions.GetInt64(r.Context(), "account_id")
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		var actor domain.Actor
		var acc domain.Account
		var err error
		if sa := service.SessionAccountOf(r.Context()); sa != nil && sa.Found && sa.Actor.ID == id {
			actor, acc = sa.Actor, sa.Account
		} else {
			actor, acc, err = s.svc.Accounts.Session(r.Context(), id)
		}
		if domain.ErrorCode(err) == domain.NotFound {
			_ = s.sessions.Destroy(r.Context())
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if li, ok := r.Context().Value(keyLogInfo).(*logInfo); ok {
			li.userID = id
		}
		ctx := context.WithValue(r.Context(), keyActor, actor)
		ctx = context.WithValue(ctx, keyAccount, &acc)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// locale picks the language: the visitor's choice (cookie), then the account's, then
// Accept-Language.
func (s *Server) locale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chosen := ""
		if c, err := r.Cookie("lang"); err == nil {
			chosen = c.Value
		}
		if !s.cat.Has(chosen) {
			if acc := accountOf(r); acc != nil {
				chosen = acc.Language
			}
		}
		lang := s.cat.Match(chosen, r.Header.Get("Accept-Language"))
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyLang, lang)))
	})
}

func (s *Server) requireSignIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !actorOf(r).SignedIn() {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) requireSecretariat(next http.Handler) http.Handler {
	return s.requireSignIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The area's pages are the secretariat's; each checks its own permission in the domain.
		if !actorOf(r).HasRole(domain.RoleSecretariat) {
			s.fail(w, r, domain.Errorf(domain.Forbidden, "error.forbidden"))
			return
		}
		next.ServeHTTP(w, r)
	}))
}

func (s *Server) requireFocalPoint(next http.Handler) http.Handler {
	return s.requireSignIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !actorOf(r).IsFocalPoint() {
			s.fail(w, r, domain.Errorf(domain.Forbidden, "error.forbidden"))
			return
		}
		next.ServeHTTP(w, r)
	}))
}

func requestIDOf(r *http.Request) string {
	id, _ := r.Context().Value(keyRequestID).(string)
	return id
}

func actorOf(r *http.Request) domain.Actor {
	a, ok := r.Context().Value(keyActor).(domain.Actor)
	if !ok {
		return domain.Visitor
	}
	return a
}

func accountOf(r *http.Request) *domain.Account {
	a, _ := r.Context().Value(keyAccount).(*domain.Account)
	return a
}

func (s *Server) translator(r *http.Request) *i18n.Translator {
	lang, _ := r.Context().Value(keyLang).(string)
	return s.cat.For(lang)
}

// auditOf says who acts and from where, for the audit event.
func auditOf(r *http.Request) service.Audit {
	return service.Audit{ActorID: actorOf(r).ID, RemoteAddr: clientAddr(r), RequestID: requestIDOf(r)}
}

// forwardedFor takes the client's address from the entry the reverse proxy appended to
// X-Forwarded-For (the last one: the ones before it are whatever the client sent).
func forwardedFor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				r.RemoteAddr = net.JoinHostPort(ip.String(), "0")
			}
		}
		next.ServeHTTP(w, r)
	})
}

// clientAddr is the client's address without the port.
func clientAddr(r *http.Request) string {
	addr := r.RemoteAddr
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		addr = addr[:i]
	}
	return strings.Trim(addr, "[]")
}
