package site

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/web/view"
)

type signupInput struct {
	Email          string `form:"email" validate:"required,email,max=254"`
	Password       string `form:"password" validate:"required,min=10,max=200"`
	GivenName      string `form:"given_name" validate:"required,max=100"`
	FamilyName     string `form:"family_name" validate:"required,max=100"`
	OrganisationID int64  `form:"organisation_id" validate:"required"`
	Gender         string `form:"gender" validate:"omitempty,oneof=female male not_stated"`
}

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) {
	s.showSignup(w, r, http.StatusOK, view.NewForm())
}

func (s *Server) showSignup(w http.ResponseWriter, r *http.Request, status int, f view.Form) {
	orgs, err := s.db.Organisations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, s.translator(r).T("signup.title"))
	s.render(w, r, status, view.SignupPage(p, f, orgs))
}

func (s *Server) signupSubmit(w http.ResponseWriter, r *http.Request) {
	var in signupInput
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Values["password"] = "" // never echoed back
	t := s.translator(r)
	if !s.check(t, &in, &f) {
		s.showSignup(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if in.OrganisationID != 0 {
		if _, err := s.db.Organisation(r.Context(), in.OrganisationID); err != nil {
			if domain.ErrorCode(err) != domain.NotFound {
				s.fail(w, r, err)
				return
			}
			f.Errors["organisation_id"] = t.T("error.organisation_not_found")
			s.showSignup(w, r, http.StatusUnprocessableEntity, f)
			return
		}
	}
	hash, err := s.opts.Hash(in.Password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	gender := domain.Gender(in.Gender)
	if !gender.Valid() {
		gender = domain.NotStated
	}
	org := in.OrganisationID
	id, err := s.db.CreateAccount(r.Context(), auditOf(r), domain.Account{
		Email: in.Email, PasswordHash: hash, GivenName: in.GivenName, FamilyName: in.FamilyName,
		Gender: gender, OrganisationID: &org, Language: t.Lang.Tag,
	})
	if err != nil {
		if applyDomainError(t, err, &f) {
			s.showSignup(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.fail(w, r, err)
		return
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "account_id", id)
	s.flash(r, "signup.welcome", "Name", in.GivenName)
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}

type loginInput struct {
	Email    string `form:"email" validate:"required,max=254"`
	Password string `form:"password" validate:"required,max=200"`
}

// Sign-in limits: per account and per client address, over a sliding window.
const (
	loginWindow     = 15 * time.Minute
	loginPerAccount = 5
	loginPerAddress = 20
)

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	f := view.NewForm()
	s.render(w, r, http.StatusOK, view.LoginPage(s.page(r, s.translator(r).T("login.title")), f, r.URL.Query().Get("next")))
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	var in loginInput
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Values["password"] = ""
	next := r.URL.Query().Get("next")
	t := s.translator(r)
	show := func(status int) {
		s.render(w, r, status, view.LoginPage(s.page(r, t.T("login.title")), f, next))
	}
	if !s.check(t, &in, &f) {
		show(http.StatusUnprocessableEntity)
		return
	}
	now := s.opts.Now()
	accountKey := "account:" + strings.ToLower(in.Email)
	addrKey := "addr:" + clientAddr(r)
	attempt, err := s.db.BeginLogin(r.Context(), now,
		postgres.LoginLimit{Key: accountKey, Max: loginPerAccount, Window: loginWindow},
		postgres.LoginLimit{Key: addrKey, Max: loginPerAddress, Window: loginWindow})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if attempt.Blocked {
		wait := attempt.Until.Sub(now)
		mins := int((wait + time.Minute - 1) / time.Minute)
		w.Header().Set("Retry-After", fmt.Sprint(int((wait+time.Second-1)/time.Second)))
		f.Summary = t.N("login.too_many", mins)
		show(http.StatusTooManyRequests)
		return
	}
	acc, err := s.db.AccountByEmail(r.Context(), in.Email)
	ok := false
	switch domain.ErrorCode(err) {
	case domain.NotFound:
		// Spend the same time as a real check so that timing does not tell which emails exist.
		_, _ = s.opts.Verify(in.Password, dummyHash)
	case domain.Internal:
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ok, err = s.opts.Verify(in.Password, acc.PasswordHash)
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if !ok {
		// The attempt was counted as a failure before the check; it stays counted.
		f.Summary = t.T("login.failed")
		show(http.StatusUnauthorized)
		return
	}
	if err := s.db.LoginSucceeded(r.Context(), attempt, accountKey); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "account_id", acc.ID)
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
}

// dummyHash is checked against when the email is unknown.
var dummyHash = "$argon2id$v=19$m=65536,t=1,p=2$c29tZXNhbHRzb21lc2FsdA$0nGXuL5GnNRm6mXyJGzmnq0TLYg8Xp8bA3SZ5dmYNvw"

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
