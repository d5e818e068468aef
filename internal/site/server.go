// Package site is Plenary's web layer: routes, middleware and one handler per page or action.
// Handlers parse the form, validate, call a use case (internal/service, where the domain's rules
// decide) and render a templ component from a view model, or redirect with a flash message.
package site

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-playground/validator/v10"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"plenary/internal/i18n"
	"plenary/internal/service"
)

// orDefault is n, or def when n is 0.
func orDefault[T comparable](n, def T) T {
	var zero T
	if n == zero {
		return def
	}
	return n
}

// Options configures the web layer.
type Options struct {
	// SecureCookies marks cookies Secure (the site is served over HTTPS).
	SecureCookies bool
	// BaseURL is the site's public address, used in mail and calendar files.
	BaseURL string
	// Now returns the current time; tests move it.
	Now func() time.Time
	// Registry receives the HTTP metrics; nil means a new registry.
	Registry *prometheus.Registry
	// DocumentMaxBytes caps the size of an uploaded document file; 0 means 50 MB.
	DocumentMaxBytes int64
	// TrustProxy takes the client's address from the last X-Forwarded-For entry (one reverse
	// proxy in front).
	TrustProxy bool
	// MaxDownloads and MaxUploads bound the file downloads (and archives) and uploads served at
	// once; past them a request is answered 503 with Retry-After. 0 means the defaults.
	MaxDownloads, MaxUploads int
	// StallTimeout is how long a client may send or take nothing before it is dropped; 0 means
	// 60 s.
	StallTimeout time.Duration
	// PresignTTL, when not 0 and the file's backend can, answers a member's download (after the
	// access check) with a redirect to a presigned address valid that long.
	PresignTTL time.Duration
}

// Defaults of Options.MaxDownloads and MaxUploads.
const (
	DefaultMaxDownloads = 2000
	DefaultMaxUploads   = 200
)

// Server holds the web layer's dependencies.
type Server struct {
	svc      service.Services
	log      *slog.Logger
	sessions *scs.SessionManager
	cat      *i18n.Catalogue
	validate *validator.Validate
	opts     Options
	pages    *pageCache
	loads    singleflight.Group // meetings being loaded into pages
	metrics  *metrics
	// awaySince is when /readyz first found the database away (Unix ns; 0 while it answers).
	awaySince atomic.Int64
	// downloads and uploads count the transfers in progress.
	downloads, uploads *limiter
}

// SessionStore keeps the web sessions for the session manager and, where the request's context
// asks for it (service.WithSessionAccount), fills in the account a session is signed in as when
// it reads the session. The store learns which account session data is signed in as from the
// web layer, whose codec the data is in (SetAccountOf); internal/postgres has one.
type SessionStore interface {
	scs.CtxStore
	SetAccountOf(func(data []byte) int64)
}

// New builds the web layer over the use cases svc, with the sessions kept in store.
func New(store SessionStore, svc service.Services, log *slog.Logger, cat *i18n.Catalogue, opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	sm := scs.New()
	// Sessions live in PostgreSQL, beside the account each is signed in as; expired ones are
	// removed by the app's clean-up loop.
	store.SetAccountOf(sessionAccount)
	sm.Store = store
	sm.Codec = sessionCodec{}
	// An absolute lifetime only: an idle timeout would rewrite the session row on every request.
	sm.Lifetime = 7 * 24 * time.Hour
	sm.Cookie.Name = "plenary_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = opts.SecureCookies
	sm.Cookie.Path = "/"
	// A session token is looked up by its hash, so a leaked sessions table does not leak sessions.
	sm.HashTokenInStore = true
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	s := &Server{
		svc:      svc,
		log:      log,
		sessions: sm,
		cat:      cat,
		validate: newValidator(),
		opts:     opts,
		pages:    newPageCache(),
		metrics:  newMetrics(opts.Registry),
	}
	// The hash an unknown email is checked against is made now, in the background, so that no
	// sign-in waits for it and the first sign-in with an unknown email takes no longer than the
	// next.
	go svc.Accounts.PrepareSignIn()
	if svc.Documents == nil || svc.Documents.Files() == nil {
		panic("site: the services have no documents or no files for them")
	}
	s.downloads = newLimiter(orDefault(opts.MaxDownloads, DefaultMaxDownloads))
	s.uploads = newLimiter(orDefault(opts.MaxUploads, DefaultMaxUploads))
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { s.fail(w, r, err) }
	return s
}

// MeetingChanged drops every cached page of a meeting; the app calls it when PostgreSQL notifies
// a change, on this instance or another.
func (s *Server) MeetingChanged(slug string) { s.pages.invalidate(slug) }

// Caching reports whether the page cache is on (it is once the app has read the meetings'
// versions).
func (s *Server) Caching() bool { return s.pages.enabled.Load() }

// MeetingVersions takes a reading of every meeting's version (postgres.DB.MeetingVersions) and
// drops the cached pages of the meetings changed since the last reading. The first reading turns
// the cache on. The app takes readings every second while it hears no notifications, and now and
// then besides, for any notification missed while the listener reconnected.
func (s *Server) MeetingVersions(v map[string]int64) { s.pages.versions(v) }
