package site

import (
	"net/http"

	"plenary/internal/domain"
	"plenary/internal/service"
	"plenary/web/view"
)

// The owner's account page (/me/account): names and their order, preferred language, gender;
// the email (changed once the new address is verified); the password (the current one asked).

func (s *Server) accountData(r *http.Request) (view.AccountData, error) {
	acc := accountOf(r)
	d := view.AccountData{Account: *acc, Profile: view.NewForm(), Email: view.NewForm(), Password: view.NewForm()}
	d.Profile.Values["given_name"] = acc.GivenName
	d.Profile.Values["family_name"] = acc.FamilyName
	d.Profile.Values["name_order"] = string(acc.NameOrder)
	d.Profile.Values["language"] = acc.Language
	d.Profile.Values["gender"] = string(acc.Gender)
	pending, err := s.svc.Accounts.PendingEmail(r.Context(), acc.ID)
	d.PendingEmail = pending
	return d, err
}

func (s *Server) accountShow(w http.ResponseWriter, r *http.Request) {
	d, err := s.accountData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderAccount(w, r, http.StatusOK, d)
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, d view.AccountData) {
	d.Languages = s.cat.Langs()
	s.render(w, r, status, view.AccountPage(s.page(r, s.translator(r).T("myaccount.title")), d))
}

type profileInput struct {
	GivenName  string `form:"given_name" validate:"required,max=100"`
	FamilyName string `form:"family_name" validate:"required,max=100"`
	NameOrder  string `form:"name_order" validate:"required,oneof=given_first family_first"`
	Language   string `form:"language" validate:"required"`
	Gender     string `form:"gender" validate:"omitempty,oneof=female male not_stated"`
}

func (s *Server) accountProfileSubmit(w http.ResponseWriter, r *http.Request) {
	var in profileInput
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	if in.Language != "" && !s.cat.Has(in.Language) {
		f.Errors["language"] = "validation.oneof"
	}
	d, err := s.accountData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.check(t, &in, &f) {
		d.Profile = f
		s.renderAccount(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	gender := domain.Gender(in.Gender)
	if gender == "" {
		gender = domain.NotStated
	}
	err = s.svc.Accounts.UpdateProfile(r.Context(), auditOf(r), accountOf(r).ID, service.Profile{
		GivenName: in.GivenName, FamilyName: in.FamilyName, NameOrder: domain.NameOrder(in.NameOrder),
		Language: in.Language, Gender: gender})
	if err != nil {
		if applyDomainError(t, err, &f) {
			d.Profile = f
			s.renderAccount(w, r, statusOf(domain.ErrorCode(err)), d)
			return
		}
		s.fail(w, r, err)
		return
	}
	// The preferred language is also the page's.
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: in.Language, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies})
	s.sessions.Put(r.Context(), "flash", s.cat.For(in.Language).T("myaccount.saved"))
	http.Redirect(w, r, "/me/account", http.StatusSeeOther)
}

type emailChangeInput struct {
	Email    string `form:"email" validate:"required,email,max=254"`
	Password string `form:"email_password" validate:"required,max=200"`
}

func (s *Server) accountEmailSubmit(w http.ResponseWriter, r *http.Request) {
	var in emailChangeInput
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Values["email_password"] = ""
	t := s.translator(r)
	d, err := s.accountData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.check(t, &in, &f) {
		d.Email = f
		s.renderAccount(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if err := s.svc.Accounts.ChangeEmail(r.Context(), auditOf(r), accountOf(r).ID, in.Password, in.Email); err != nil {
		if applyDomainError(t, err, &f) {
			d.Email = f
			s.renderAccount(w, r, statusOf(domain.ErrorCode(err)), d)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(r, "myaccount.email_sent", "Email", in.Email)
	http.Redirect(w, r, "/me/account", http.StatusSeeOther)
}

type passwordChangeInput struct {
	Current string `form:"current_password" validate:"required,max=200"`
	New     string `form:"new_password" validate:"required,min=10,max=200"`
}

func (s *Server) accountPasswordSubmit(w http.ResponseWriter, r *http.Request) {
	var in passwordChangeInput
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Values["current_password"], f.Values["new_password"] = "", ""
	t := s.translator(r)
	d, err := s.accountData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.check(t, &in, &f) {
		d.Password = f
		s.renderAccount(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	id := accountOf(r).ID
	if err := s.svc.Accounts.ChangePassword(r.Context(), auditOf(r), id, in.Current, in.New); err != nil {
		if applyDomainError(t, err, &f) {
			d.Password = f
			s.renderAccount(w, r, statusOf(domain.ErrorCode(err)), d)
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
	s.flash(r, "myaccount.password_changed")
	http.Redirect(w, r, "/me/account", http.StatusSeeOther)
}
