package site

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"plenary/internal/domain"
	"plenary/web"
	"plenary/web/view"
)

// page returns the common part of every page for this request.
func (s *Server) page(r *http.Request, title string) view.Page {
	t := s.translator(r)
	p := view.Page{
		T:            t,
		Langs:        s.cat.Langs(),
		Title:        title,
		Path:         r.URL.RequestURI(),
		Now:          s.opts.Now(),
		AssetVersion: web.AssetVersion,
	}
	if acc := accountOf(r); acc != nil {
		a := actorOf(r)
		p.User = &view.User{ID: acc.ID, Name: acc.Name(), Secretariat: a.HasRole(domain.RoleSecretariat), FocalPoint: a.IsFocalPoint()}
		p.Flash = s.sessions.PopString(r.Context(), "flash")
	}
	return p
}

// flash leaves a message for the next page the user sees.
func (s *Server) flash(r *http.Request, key string, kv ...any) {
	s.sessions.Put(r.Context(), "flash", s.translator(r).T(key, kv...))
}

// render writes a component with the status; it renders into a buffer first so that a failure
// half-way becomes a clean 500 page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	writeHTML(w, status, buf.Bytes())
}

func writeHTML(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// statusOf maps an error code to its HTTP status: the one place that does.
func statusOf(code domain.Code) int {
	switch code {
	case domain.Invalid:
		return http.StatusUnprocessableEntity
	case domain.NotFound:
		return http.StatusNotFound
	case domain.Forbidden:
		return http.StatusForbidden
	case domain.Conflict:
		return http.StatusConflict
	case domain.Unauthorized:
		return http.StatusUnauthorized
	default:
		return http.StatusInternalServerError
	}
}

var titleOf = map[int]string{
	http.StatusUnprocessableEntity: "error.invalid_title",
	http.StatusNotFound:            "error.not_found_title",
	http.StatusForbidden:           "error.forbidden_title",
	http.StatusUnauthorized:        "error.forbidden_title",
	http.StatusConflict:            "error.conflict_title",
	http.StatusInternalServerError: "error.internal_title",
}

// fail shows an error page. Only internal errors are logged with detail, and their detail never
// reaches the user.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := domain.AsError(err)
	if !ok && s.svc.Health.BadText(err) {
		// Bytes no browser sends reached the database (cleanInput cleans paths, queries and
		// forms): the request is wrong, the portal is not.
		s.log.Warn("text the database cannot hold", "id", requestIDOf(r), "path", r.URL.Path, "err", err)
		e, ok = domain.Errorf(domain.Invalid, "error.bad_form"), true
	}
	if !ok && s.svc.Health.Unavailable(err) {
		// Not a fault of the request nor of the portal: say so, and when to try again.
		s.log.Warn("database unavailable", "id", requestIDOf(r), "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		s.renderError(w, r, http.StatusServiceUnavailable, "error.unavailable_title", "error.unavailable")
		return
	}
	if !ok || e.Code == domain.Internal {
		s.log.Error("internal error", "id", requestIDOf(r), "path", r.URL.Path, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal_title", "error.internal")
		return
	}
	status := statusOf(e.Code)
	t := s.translator(r)
	msg := message(t, e)
	p := s.page(r, t.T(titleOf[status]))
	s.render(w, r, status, view.ErrorPage(p, status, msg))
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, titleKey, msgKey string) {
	t := s.translator(r)
	p := s.page(r, t.T(titleKey))
	var buf bytes.Buffer
	if err := view.ErrorPage(p, status, t.T(msgKey)).Render(r.Context(), &buf); err != nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	writeHTML(w, status, buf.Bytes())
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "error.not_found_title", "error.not_found")
}
