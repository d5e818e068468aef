package site

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
	"plenary/web/view"
)

// Limits on the password reset, counted in PostgreSQL like sign-in failures: requests for a mail
// per address (so that nobody floods an inbox) and per client; uses of a link per client (a token
// cannot be guessed, but trying is held back all the same).
const (
	resetWindow       = 15 * time.Minute
	resetMailPerEmail = 3
	resetMailPerAddr  = 10
	resetUsePerAddr   = 10
)

type resetRequestInput struct {
	Email string `form:"email" validate:"required,email,max=254"`
}

func (s *Server) resetRequestForm(w http.ResponseWriter, r *http.Request) {
	f := view.NewForm()
	f.Values["email"] = r.URL.Query().Get("email")
	s.render(w, r, http.StatusOK, view.ResetRequestPage(s.page(r, s.translator(r).T("reset.title")), f, false))
}

// resetRequestSubmit mails a reset link when the email has an account, and answers the same
// either way (and when a limit holds the mail back), so that the page tells nobody which
// addresses have an account.
func (s *Server) resetRequestSubmit(w http.ResponseWriter, r *http.Request) {
	var in resetRequestInput
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	p := s.page(r, t.T("reset.title"))
	if !s.check(t, &in, &f) {
		s.render(w, r, http.StatusUnprocessableEntity, view.ResetRequestPage(p, f, false))
		return
	}
	now := s.opts.Now()
	attempt, err := s.svc.Throttle.Begin(r.Context(), now,
		service.LoginLimit{Key: "reset-mail:" + strings.ToLower(in.Email), Max: resetMailPerEmail, Window: resetWindow},
		service.LoginLimit{Key: "reset-mail-addr:" + clientAddr(r), Max: resetMailPerAddr, Window: resetWindow})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !attempt.Blocked {
		if err := s.svc.Accounts.RequestPasswordReset(r.Context(), auditOf(r), in.Email); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, view.ResetRequestPage(p, f, true))
}

type resetInput struct {
	Password string `form:"password" validate:"required,min=10,max=200"`
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) {
	t := s.translator(r)
	p := s.page(r, t.T("reset.choose_title"))
	if err := s.svc.Accounts.CheckToken(r.Context(), domain.PasswordReset, chi.URLParam(r, "token")); err != nil {
		if domain.ErrorCode(err) != domain.Invalid {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusNotFound, view.TokenInvalidPage(p, "/reset"))
		return
	}
	s.render(w, r, http.StatusOK, view.ResetPage(p, view.NewForm(), r.URL.Path))
}

func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) {
	var in resetInput
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Values["password"] = ""
	t := s.translator(r)
	p := s.page(r, t.T("reset.choose_title"))
	now := s.opts.Now()
	attempt, err := s.svc.Throttle.Begin(r.Context(), now,
		service.LoginLimit{Key: "reset-use:" + clientAddr(r), Max: resetUsePerAddr, Window: resetWindow})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if attempt.Blocked {
		wait := attempt.Until.Sub(now)
		w.Header().Set("Retry-After", fmt.Sprint(int((wait+time.Second-1)/time.Second)))
		f.Summary = t.N("login.too_many", int((wait+time.Minute-1)/time.Minute))
		s.render(w, r, http.StatusTooManyRequests, view.ResetPage(p, f, r.URL.Path))
		return
	}
	if !s.check(t, &in, &f) {
		s.render(w, r, http.StatusUnprocessableEntity, view.ResetPage(p, f, r.URL.Path))
		return
	}
	id, err := s.svc.Accounts.ResetPassword(r.Context(), auditOf(r), chi.URLParam(r, "token"), in.Password)
	if err != nil {
		if e, ok := domain.AsError(err); ok && e.Key == "error.token_invalid" {
			s.render(w, r, http.StatusNotFound, view.TokenInvalidPage(p, "/reset"))
			return
		}
		if applyDomainError(t, err, &f) {
			s.render(w, r, statusOf(domain.ErrorCode(err)), view.ResetPage(p, f, r.URL.Path))
			return
		}
		s.fail(w, r, err)
		return
	}
	// Every session of the account was ended; this browser gets a new one.
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "account_id", id)
	s.flash(r, "reset.done")
	http.Redirect(w, r, "/me", http.StatusSeeOther)
}

// verifyForm shows the button that verifies an email: following a link only shows it, so that a
// mail scanner opening links verifies nothing.
func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) {
	t := s.translator(r)
	p := s.page(r, t.T("verify.email_title"))
	if err := s.svc.Accounts.CheckToken(r.Context(), domain.EmailVerification, chi.URLParam(r, "token")); err != nil {
		if domain.ErrorCode(err) != domain.Invalid {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusNotFound, view.TokenInvalidPage(p, "/me"))
		return
	}
	s.render(w, r, http.StatusOK, view.EmailVerifyPage(p, r.URL.Path))
}

func (s *Server) verifySubmit(w http.ResponseWriter, r *http.Request) {
	t := s.translator(r)
	p := s.page(r, t.T("verify.email_title"))
	_, err := s.svc.Accounts.VerifyEmail(r.Context(), auditOf(r), chi.URLParam(r, "token"))
	if err != nil {
		if e, ok := domain.AsError(err); ok && (e.Code == domain.Invalid || e.Code == domain.Conflict) {
			msg := t.T(e.Key)
			s.render(w, r, statusOf(e.Code), view.ErrorPage(p, statusOf(e.Code), msg))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(r, "verify.done")
	if actorOf(r).SignedIn() {
		http.Redirect(w, r, "/me", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// verifyResend mails the signed-in person a new verification link.
func (s *Server) verifyResend(w http.ResponseWriter, r *http.Request) {
	acc := accountOf(r)
	if err := s.svc.Accounts.SendVerification(r.Context(), auditOf(r), acc.ID, acc.Email); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "verify.sent", "Email", acc.Email)
	http.Redirect(w, r, "/me", http.StatusSeeOther)
}
