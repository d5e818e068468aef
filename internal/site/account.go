package site

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/service"
	"plenary/web/view"
)

type signupInput struct {
	Email          string `form:"email" validate:"required,email,max=254"`
	Password       string `form:"password" validate:"required,min=10,max=200"`
	GivenName      string `form:"given_name" validate:"required,max=100"`
	FamilyName     string `form:"family_name" validate:"required,max=100"`
	NameOrder      string `form:"name_order" validate:"omitempty,oneof=given_first family_first"`
	OrganisationID int64  `form:"organisation_id" validate:"required"`
	Gender         string `form:"gender" validate:"omitempty,oneof=female male not_stated"`
}

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) {
	f := view.NewForm()
	f.Values["name_order"] = string(domain.GivenFirst)
	if s.translator(r).Lang.Tag == "zh" {
		f.Values["name_order"] = string(domain.FamilyFirst)
	}
	s.takeDraft(r, &f)
	s.showSignup(w, r, http.StatusOK, f)
}

func (s *Server) showSignup(w http.ResponseWriter, r *http.Request, status int, f view.Form) {
	orgs, err := s.svc.Accounts.Organisations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, s.translator(r).T("signup.title"))
	s.render(w, r, status, view.SignupPage(p, f, orgs, nextOf(r)))
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
	id, err := s.svc.Accounts.SignUp(r.Context(), auditOf(r), service.SignUp{
		Email: in.Email, Password: in.Password, GivenName: in.GivenName, FamilyName: in.FamilyName,
		NameOrder: domain.NameOrder(in.NameOrder), Gender: domain.Gender(in.Gender), OrganisationID: in.OrganisationID, Language: t.Lang.Tag,
	})
	if err != nil {
		if applyDomainError(t, err, &f) {
			// 409 for an email already taken, 422 for what needs correcting.
			s.showSignup(w, r, statusOf(domain.ErrorCode(err)), f)
			return
		}
		s.fail(w, r, err)
		return
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	// The account works at once; the link verifying the email went out with it.
	s.sessions.Put(r.Context(), "account_id", id)
	s.flash(r, "signup.welcome_verify", "Name", domain.PersonName(in.GivenName, in.FamilyName, domain.NameOrder(in.NameOrder)), "Email", in.Email)
	http.Redirect(w, r, localPath(nextOf(r)), http.StatusSeeOther)
}

// nextOf is the page to return to after signing in or up (only a path of this site).
func nextOf(r *http.Request) string {
	if n := r.URL.Query().Get("next"); n != "" && localPath(n) == n {
		return n
	}
	return ""
}

type loginInput struct {
	Email    string `form:"email" validate:"required,max=254"`
	Password string `form:"password" validate:"required,max=200"`
}

// Sign-in limits, over a sliding window. Failures are counted per address and account pair, so
// that someone guessing from one address cannot keep the account's owner out from another; per
// address over every account; and per account from every address, a ceiling on guessing spread
// over many addresses. A device the owner has signed in from before (it holds a device cookie)
// is not held by that ceiling, so the owner still gets in while others are refused.
const (
	loginWindow         = 15 * time.Minute
	loginPerPair        = 5
	loginPerAddress     = 20
	loginAccountCeiling = 50

	deviceCookie   = "plenary_device"
	deviceLifetime = 365 * 24 * time.Hour
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
	email := strings.ToLower(in.Email)
	addr := clientAddr(r)
	pairKey := "pair:" + addr + " " + email
	accountKey := "account:" + email
	device := ""
	if c, err := r.Cookie(deviceCookie); err == nil {
		device = c.Value
	}
	trusted, err := s.svc.Throttle.TrustedDevice(r.Context(), now, email, device)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	limits := []service.LoginLimit{
		{Key: pairKey, Max: loginPerPair, Window: loginWindow},
		{Key: "addr:" + addr, Max: loginPerAddress, Window: loginWindow},
	}
	if !trusted {
		limits = append(limits, service.LoginLimit{Key: accountKey, Max: loginAccountCeiling, Window: loginWindow})
	}
	attempt, err := s.svc.Throttle.Begin(r.Context(), now, limits...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if attempt.Blocked {
		wait := attempt.Until.Sub(now)
		mins := int((wait + time.Minute - 1) / time.Minute)
		w.Header().Set("Retry-After", fmt.Sprint(int((wait+time.Second-1)/time.Second)))
		f.Summary = t.N("login.too_many", mins)
		if attempt.Key == accountKey {
			f.Summary = t.N("login.account_busy", mins)
		}
		show(http.StatusTooManyRequests)
		return
	}
	accountID, err := s.svc.Accounts.SignIn(r.Context(), in.Email, in.Password)
	if domain.ErrorCode(err) == domain.Unauthorized {
		// The attempt was counted as a failure before the check; it stays counted.
		f.Summary = t.T("login.failed")
		show(http.StatusUnauthorized)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.Throttle.Succeeded(r.Context(), attempt, pairKey); err != nil {
		s.fail(w, r, err)
		return
	}
	if !trusted {
		device = rand.Text()
	}
	if err := s.svc.Throttle.RememberDevice(r.Context(), now, accountID, device, now.Add(deviceLifetime)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: deviceCookie, Value: device, Path: "/login", MaxAge: int(deviceLifetime / time.Second),
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "account_id", accountID)
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
