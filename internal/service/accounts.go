package service

import (
	"context"
	"encoding/hex"
	"strings"
	"time"

	"plenary/internal/domain"
)

// The kinds of mail the account use cases send. Their bodies carry a personal link, so they are
// written before the transaction that queues them (from the account as read), and the
// secretariat's mail page does not show them.
const (
	MailPasswordReset     = "account.password_reset"     // a link to choose a new password
	MailEmailVerification = "account.email_verification" // a link showing the address is the owner's
)

// AccountTx is what the account use cases do inside their transaction.
type AccountTx interface {
	// CreateAccountToken stores a token's hash (never the token) for an account.
	CreateAccountToken(ctx context.Context, t domain.AccountToken, hash []byte) (int64, error)
	// AccountTokenForUpdate reads and locks the token with hash; NotFound when there is none.
	AccountTokenForUpdate(ctx context.Context, hash []byte) (domain.AccountToken, error)
	// UseAccountTokens marks the account's unused tokens of purpose as used at now (the one
	// being used among them), so that each works once and a newer one replaces the older.
	UseAccountTokens(ctx context.Context, accountID int64, purpose domain.TokenPurpose, now time.Time) error
	// SetPasswordHash replaces the account's password hash.
	SetPasswordHash(ctx context.Context, accountID int64, hash string) error
	// EndSessions deletes every session signed in as the account; it returns how many.
	EndSessions(ctx context.Context, accountID int64) (int, error)
	// SetVerifiedEmail makes email the account's address, verified at now (a Conflict beside
	// "email" when another account has it).
	SetVerifiedEmail(ctx context.Context, accountID int64, email string, now time.Time) error
	// UpdateProfile writes the account's names, name order, language and gender.
	UpdateProfile(ctx context.Context, acc domain.Account) error
	// SetAccountLanguage writes the account's preferred language (of its pages and its mail).
	SetAccountLanguage(ctx context.Context, accountID int64, lang string) error
	// Audit writes one audit event of action per record id, with details[i] for ids[i].
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
	// QueueWrittenMail queues a mail written beforehand (a key already queued is skipped).
	QueueWrittenMail(ctx context.Context, m WrittenMail) error
	SignUpTx
}

// AccountReads are what the account use cases read outside a transaction.
type AccountReads interface {
	Account(ctx context.Context, id int64) (domain.Account, error)
	AccountByEmail(ctx context.Context, email string) (domain.Account, error)
	// PasswordHashOf reads an account's password hash, to check the current password.
	PasswordHashOf(ctx context.Context, accountID int64) (string, error)
	// AccountTokenByHash reads a token without locking it; NotFound when there is none.
	AccountTokenByHash(ctx context.Context, hash []byte) (domain.AccountToken, error)
	// PendingEmail is the address of the account's newest usable email verification when it
	// differs from the account's address (an email change waiting for its link), else "".
	PendingEmail(ctx context.Context, accountID int64, now time.Time) (string, error)
	SignInReads
}

// WrittenMail is a mail whose subject and body are already written, to a given address.
type WrittenMail struct {
	Key, Kind string
	AccountID int64
	To        string
	Subject   string
	Body      string
}

// AccountMail is what an account mail says: written in the language of the account, to its
// owner by name (as they write it), with the personal link.
type AccountMail struct {
	Kind     string
	Language string
	Name     string
	Link     string
	// Expires is when the link stops working.
	Expires time.Time
}

// AccountMailWriter writes an account mail's subject and body (internal/mail provides it).
type AccountMailWriter func(AccountMail) (subject, body string, err error)

// Accounts are the account use cases: password reset by mail, email verification, the owner's
// changes to their account.
type Accounts struct {
	tx      RunTx[AccountTx]
	reads   AccountReads
	write   AccountMailWriter
	hash    func(string) (string, error)
	verify  func(password, hash string) (bool, error)
	baseURL string
	now     Clock
	// dummy is the hash an email without an account is checked against (SignIn).
	dummy func() string
}

// AccountsDeps is what the account use cases are built from.
type AccountsDeps struct {
	Tx    RunTx[AccountTx]
	Reads AccountReads
	Write AccountMailWriter
	// Hash and Verify are the password hashing (argon2id) of the portal.
	Hash   func(string) (string, error)
	Verify func(password, hash string) (bool, error)
	// BaseURL is where the links in mail point.
	BaseURL string
	Now     Clock
}

// NewAccounts builds the account use cases.
func NewAccounts(d AccountsDeps) *Accounts {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Accounts{tx: d.Tx, reads: d.Reads, write: d.Write, hash: d.Hash, verify: d.Verify,
		baseURL: strings.TrimRight(d.BaseURL, "/"), now: d.Now, dummy: dummyHasher(d.Hash)}
}

// tokenMail makes a token for the account and writes the mail carrying its link, outside any
// transaction; the caller stores both in one.
func (s *Accounts) tokenMail(acc domain.Account, purpose domain.TokenPurpose, kind, path, to string) (domain.AccountToken, []byte, WrittenMail, error) {
	token, hash := domain.NewAccountToken()
	now := s.now()
	t := domain.AccountToken{AccountID: acc.ID, Purpose: purpose, Email: to, ExpiresAt: now.Add(purpose.TTL())}
	subject, body, err := s.write(AccountMail{Kind: kind, Language: acc.Language, Name: acc.Name(),
		Link: s.baseURL + path + token, Expires: t.ExpiresAt})
	if err != nil {
		return t, nil, WrittenMail{}, err
	}
	m := WrittenMail{Key: kind + ":" + hex.EncodeToString(hash[:12]), Kind: kind, AccountID: acc.ID, To: to, Subject: subject, Body: body}
	return t, hash, m, nil
}

// RequestPasswordReset mails a link to choose a new password to the account with email, if
// there is one. It answers the same whether or not there is (nil), so that the answer tells
// nobody which addresses have an account; a newer request replaces the link of an older one.
func (s *Accounts) RequestPasswordReset(ctx context.Context, a Audit, email string) error {
	acc, err := s.reads.AccountByEmail(ctx, strings.TrimSpace(email))
	if domain.ErrorCode(err) == domain.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	t, hash, m, err := s.tokenMail(acc, domain.PasswordReset, MailPasswordReset, "/reset/", acc.Email)
	if err != nil {
		return err
	}
	if a.ActorID == 0 {
		a.ActorID = acc.ID
	}
	return s.tx(ctx, func(tx AccountTx) error {
		if err := tx.UseAccountTokens(ctx, acc.ID, domain.PasswordReset, s.now()); err != nil {
			return err
		}
		return sendToken(ctx, tx, a, t, hash, m, "account.password_reset_requested", map[string]any{})
	})
}

// sendToken stores a token mailed to its account (t, by its hash), audits it as action with
// detail and the token's id, and queues its mail (written beforehand), inside tx.
func sendToken(ctx context.Context, tx AccountTx, a Audit, t domain.AccountToken, hash []byte, m WrittenMail, action string, detail map[string]any) error {
	id, err := tx.CreateAccountToken(ctx, t, hash)
	if err != nil {
		return err
	}
	detail["token"] = id
	if err := tx.Audit(ctx, a, action, "account", []int64{t.AccountID}, []map[string]any{detail}); err != nil {
		return err
	}
	return tx.QueueWrittenMail(ctx, m)
}

// CheckToken says whether a token sent by mail can still be used for purpose (to show its form
// or say at once that the link is no longer valid).
func (s *Accounts) CheckToken(ctx context.Context, purpose domain.TokenPurpose, token string) error {
	t, err := s.reads.AccountTokenByHash(ctx, domain.HashAccountToken(token))
	if domain.ErrorCode(err) == domain.NotFound {
		return domain.Errorf(domain.Invalid, "error.token_invalid")
	}
	if err != nil {
		return err
	}
	return t.Usable(purpose, s.now())
}

// ResetPassword sets a new password with a reset token: the token works once, within the hour;
// every session of the account is ended (the caller signs this browser in anew), and, since the
// link was read at the account's address, that address counts as verified. It returns the
// account's id.
func (s *Accounts) ResetPassword(ctx context.Context, a Audit, token, password string) (int64, error) {
	if n := len([]rune(password)); n < 10 || n > 200 {
		return 0, domain.FieldErrors(map[string]string{"password": "error.password_length"})
	}
	hash, err := s.hash(password)
	if err != nil {
		return 0, err
	}
	var accountID int64
	err = s.tx(ctx, func(tx AccountTx) error {
		now := s.now()
		t, err := tx.AccountTokenForUpdate(ctx, domain.HashAccountToken(token))
		if domain.ErrorCode(err) == domain.NotFound {
			return domain.Errorf(domain.Invalid, "error.token_invalid")
		}
		if err != nil {
			return err
		}
		if err := t.Usable(domain.PasswordReset, now); err != nil {
			return err
		}
		accountID = t.AccountID
		if err := tx.UseAccountTokens(ctx, t.AccountID, domain.PasswordReset, now); err != nil {
			return err
		}
		if err := tx.SetPasswordHash(ctx, t.AccountID, hash); err != nil {
			return err
		}
		if err := tx.SetVerifiedEmail(ctx, t.AccountID, t.Email, now); err != nil && domain.ErrorCode(err) != domain.Conflict {
			return err
		}
		ended, err := tx.EndSessions(ctx, t.AccountID)
		if err != nil {
			return err
		}
		a := a
		if a.ActorID == 0 {
			a.ActorID = t.AccountID
		}
		return tx.Audit(ctx, a, "account.password_reset", "account", []int64{t.AccountID}, []map[string]any{{"sessions_ended": ended}})
	})
	return accountID, err
}

// SendVerification mails a link verifying email (the account's address, or the new address of
// an email change) to that address; a newer link replaces an older one.
func (s *Accounts) SendVerification(ctx context.Context, a Audit, accountID int64, email string) error {
	acc, err := s.reads.Account(ctx, accountID)
	if err != nil {
		return err
	}
	t, hash, m, err := s.tokenMail(acc, domain.EmailVerification, MailEmailVerification, "/verify/", strings.TrimSpace(email))
	if err != nil {
		return err
	}
	if a.ActorID == 0 {
		a.ActorID = acc.ID
	}
	return s.tx(ctx, func(tx AccountTx) error {
		if err := tx.UseAccountTokens(ctx, acc.ID, domain.EmailVerification, s.now()); err != nil {
			return err
		}
		return sendToken(ctx, tx, a, t, hash, m, "account.verification_sent", map[string]any{"email": t.Email})
	})
}

// VerifyEmail uses a verification token: the address it was sent to becomes the account's,
// verified. It returns the account's id.
func (s *Accounts) VerifyEmail(ctx context.Context, a Audit, token string) (int64, error) {
	var accountID int64
	err := s.tx(ctx, func(tx AccountTx) error {
		now := s.now()
		t, err := tx.AccountTokenForUpdate(ctx, domain.HashAccountToken(token))
		if domain.ErrorCode(err) == domain.NotFound {
			return domain.Errorf(domain.Invalid, "error.token_invalid")
		}
		if err != nil {
			return err
		}
		if err := t.Usable(domain.EmailVerification, now); err != nil {
			return err
		}
		accountID = t.AccountID
		if err := tx.UseAccountTokens(ctx, t.AccountID, domain.EmailVerification, now); err != nil {
			return err
		}
		if err := tx.SetVerifiedEmail(ctx, t.AccountID, t.Email, now); err != nil {
			if domain.ErrorCode(err) == domain.Conflict {
				return domain.Errorf(domain.Conflict, "error.email_taken")
			}
			return err
		}
		a := a
		if a.ActorID == 0 {
			a.ActorID = t.AccountID
		}
		return tx.Audit(ctx, a, "account.email_verified", "account", []int64{t.AccountID}, []map[string]any{{"email": t.Email}})
	})
	return accountID, err
}

// Profile is what the owner changes of their account on /me besides email and password.
type Profile struct {
	GivenName, FamilyName string
	NameOrder             domain.NameOrder
	Language              string
	Gender                domain.Gender
}

// UpdateProfile writes the owner's names, name order, preferred language and gender.
func (s *Accounts) UpdateProfile(ctx context.Context, a Audit, accountID int64, p Profile) error {
	fields := map[string]string{}
	p.GivenName, p.FamilyName = strings.TrimSpace(p.GivenName), strings.TrimSpace(p.FamilyName)
	if p.GivenName == "" {
		fields["given_name"] = "validation.required"
	}
	if p.FamilyName == "" {
		fields["family_name"] = "validation.required"
	}
	if len([]rune(p.GivenName)) > 100 {
		fields["given_name"] = "error.name_too_long"
	}
	if len([]rune(p.FamilyName)) > 100 {
		fields["family_name"] = "error.name_too_long"
	}
	if !p.NameOrder.Valid() {
		fields["name_order"] = "validation.oneof"
	}
	if !p.Gender.Valid() {
		fields["gender"] = "validation.oneof"
	}
	if len(fields) > 0 {
		return domain.FieldErrors(fields)
	}
	return s.tx(ctx, func(tx AccountTx) error {
		acc := domain.Account{ID: accountID, GivenName: p.GivenName, FamilyName: p.FamilyName, NameOrder: p.NameOrder,
			Language: p.Language, Gender: p.Gender}
		if err := tx.UpdateProfile(ctx, acc); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "account.profile_update", "account", []int64{accountID}, []map[string]any{{
			"name_order": string(p.NameOrder), "language": p.Language}})
	})
}

// SetLanguage makes lang the account's preferred language, the language of its mail (the
// language switch of every page); lang is one the portal offers, checked by the caller against
// its catalogues. Audited (account.language) in the same transaction.
func (s *Accounts) SetLanguage(ctx context.Context, a Audit, accountID int64, lang string) error {
	if lang == "" {
		return domain.Errorf(domain.Invalid, "error.unknown_language")
	}
	return s.tx(ctx, func(tx AccountTx) error {
		if err := tx.SetAccountLanguage(ctx, accountID, lang); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "account.language", "account", []int64{accountID}, []map[string]any{{"language": lang}})
	})
}

// checkPassword checks the owner's current password, refused beside field when wrong.
func (s *Accounts) checkPassword(ctx context.Context, accountID int64, password, field string) error {
	h, err := s.reads.PasswordHashOf(ctx, accountID)
	if err != nil {
		return err
	}
	ok, err := s.verify(password, h)
	if err != nil {
		return err
	}
	if !ok {
		return domain.FieldErrors(map[string]string{field: "error.current_password_wrong"})
	}
	return nil
}

// ChangePassword sets a new password when the current one is given; every session of the
// account is ended (the caller signs this browser in anew).
func (s *Accounts) ChangePassword(ctx context.Context, a Audit, accountID int64, current, password string) error {
	if n := len([]rune(password)); n < 10 || n > 200 {
		return domain.FieldErrors(map[string]string{"new_password": "error.password_length"})
	}
	if err := s.checkPassword(ctx, accountID, current, "current_password"); err != nil {
		return err
	}
	hash, err := s.hash(password)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx AccountTx) error {
		if err := tx.SetPasswordHash(ctx, accountID, hash); err != nil {
			return err
		}
		ended, err := tx.EndSessions(ctx, accountID)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, a, "account.password_change", "account", []int64{accountID}, []map[string]any{{"sessions_ended": ended}})
	})
}

// ChangeEmail starts a change of the account's email when the current password is given: a link
// goes to the new address, and the address changes when it is followed (VerifyEmail).
func (s *Accounts) ChangeEmail(ctx context.Context, a Audit, accountID int64, current, email string) error {
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") || len(email) > 254 {
		return domain.FieldErrors(map[string]string{"email": "validation.email"})
	}
	if err := s.checkPassword(ctx, accountID, current, "email_password"); err != nil {
		return err
	}
	if other, err := s.reads.AccountByEmail(ctx, email); err == nil && other.ID != accountID {
		return domain.FieldConflicts(map[string]string{"email": "error.email_taken"})
	} else if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return err
	}
	return s.SendVerification(ctx, a, accountID, email)
}

// PendingEmail is the new address of an email change waiting for its link, or "".
func (s *Accounts) PendingEmail(ctx context.Context, accountID int64) (string, error) {
	return s.reads.PendingEmail(ctx, accountID, s.now())
}
