package site

import (
	"net/http"
	"net/url"
	"strings"

	"plenary/web/view"
)

// languageSet remembers the chosen language (a cookie, and the account's preference for mail)
// and returns to the page the user was on.
func (s *Server) languageSet(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	lang := r.PostFormValue("lang")
	if !s.cat.Has(lang) {
		s.renderError(w, r, http.StatusBadRequest, "error.invalid_title", "error.unknown_language")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies})
	if a := actorOf(r); a.SignedIn() {
		if err := s.svc.Accounts.SetLanguage(r.Context(), auditOf(r), a.ID, lang); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	next := r.PostFormValue("next")
	if q := r.URL.Query().Get("next"); q != "" {
		// A language button of a form being filled (Page.FormID): it sent the form along, which
		// is kept for the page to show again in the new language.
		next = q
		draft := url.Values{}
		for k, vs := range r.PostForm {
			if k == "lang" || k == "next" || strings.Contains(k, "password") {
				continue
			}
			draft[k] = vs
		}
		s.sessions.Put(r.Context(), "draft_path", localPath(next))
		s.sessions.Put(r.Context(), "draft", draft.Encode())
	}
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
}

// takeDraft fills f with what was typed in the form of this page before the language was
// switched (languageSet), once.
func (s *Server) takeDraft(r *http.Request, f *view.Form) {
	if r.Context().Value(keyNoSession) != nil {
		return // no session: nothing was kept
	}
	if s.sessions.GetString(r.Context(), "draft_path") != r.URL.RequestURI() {
		return
	}
	vals, err := url.ParseQuery(s.sessions.PopString(r.Context(), "draft"))
	s.sessions.Remove(r.Context(), "draft_path")
	if err != nil {
		return
	}
	for k, vs := range vals {
		f.Values[k] = strings.Join(vs, ",")
	}
}

// localPath accepts only a path on this site, so a redirect can never leave it.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	// Browsers drop tabs and newlines from URLs ("/\t/evil.example" becomes "//evil.example"), so
	// no control character may pass, and the path may not start with two slashes either way.
	if strings.IndexFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 || strings.HasPrefix(p, "//") {
		return "/"
	}
	return p
}
