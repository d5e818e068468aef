package site

import (
	"net/http"
	"strings"
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
		if err := s.db.SetAccountLanguage(r.Context(), a.ID, lang); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
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
