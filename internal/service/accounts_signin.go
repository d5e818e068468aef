package service

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"

	"plenary/internal/domain"
)

// SignInReads are what signing up, signing in and a signed-in request read of the accounts.
type SignInReads interface {
	// Credentials reads the account with email's id and password hash (NotFound when none):
	// only to check a password.
	Credentials(ctx context.Context, email string) (domain.Credentials, error)
	// Actor reads an account (never its password hash) and its roles, in one query.
	Actor(ctx context.Context, id int64) (domain.Actor, domain.Account, error)
	// Organisations lists every organisation by name.
	Organisations(ctx context.Context) ([]domain.Organisation, error)
	// Organisation returns one organisation (NotFound when missing).
	Organisation(ctx context.Context, id int64) (domain.Organisation, error)
}

// SignUpTx is what signing up does inside its transaction.
type SignUpTx interface {
	// CreateAccount stores a new account with its password hash (a taken email is a Conflict
	// beside "email"); it returns the account's id.
	CreateAccount(ctx context.Context, acc domain.Account, passwordHash string) (int64, error)
}

// SignUp is what a person gives to open an account (the form checked their lengths and format).
type SignUp struct {
	Email, Password       string
	GivenName, FamilyName string
	NameOrder             domain.NameOrder
	Gender                domain.Gender
	OrganisationID        int64
	// Language is the page's language, the account's first preferred language.
	Language string
}

// Organisations lists the organisations one signs up for, by name.
func (s *Accounts) Organisations(ctx context.Context) ([]domain.Organisation, error) {
	return s.reads.Organisations(ctx)
}

// SignUp opens an account for the organisation chosen (one not in the list is refused beside
// "organisation_id"; an email taken, in any letter case, is a Conflict beside "email"). The
// account works at once; a link verifying its email is mailed in the same transaction that
// stores it, written beforehand. It returns the account's id.
func (s *Accounts) SignUp(ctx context.Context, a Audit, in SignUp) (int64, error) {
	if _, err := s.reads.Organisation(ctx, in.OrganisationID); err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return 0, domain.FieldErrors(map[string]string{"organisation_id": "error.organisation_not_found"})
		}
		return 0, err
	}
	if !in.Gender.Valid() {
		in.Gender = domain.NotStated
	}
	org := in.OrganisationID
	acc := domain.Account{Email: strings.TrimSpace(in.Email), GivenName: in.GivenName, FamilyName: in.FamilyName, NameOrder: in.NameOrder,
		Gender: in.Gender, OrganisationID: &org, Language: in.Language}
	hash, err := s.hash(in.Password)
	if err != nil {
		return 0, err
	}
	// The mail is written before the transaction; the account's id is known inside it.
	t, tokenHash, m, err := s.tokenMail(acc, domain.EmailVerification, MailEmailVerification, "/verify/", acc.Email)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.tx(ctx, func(tx AccountTx) error {
		var err error
		if id, err = tx.CreateAccount(ctx, acc, hash); err != nil {
			return err
		}
		a := a
		if a.ActorID == 0 {
			a.ActorID = id
		}
		if err := tx.Audit(ctx, a, "account.create", "account", []int64{id}, []map[string]any{{"secretariat": false}}); err != nil {
			return err
		}
		t, m := t, m
		t.AccountID, m.AccountID = id, id
		return sendToken(ctx, tx, a, t, tokenHash, m, "account.verification_sent", map[string]any{"email": t.Email})
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// signInFailed is the answer to a sign-in whose email has no account or whose password is wrong:
// the same for both (Unauthorized, login.failed), so that it tells nobody which emails have an
// account.
func signInFailed() error { return domain.Errorf(domain.Unauthorized, "login.failed") }

// PrepareSignIn hashes the password checked against when a sign-in names an email without an
// account, so that the first such sign-in takes no longer than the next; the app runs it at
// start, in the background.
func (s *Accounts) PrepareSignIn() { s.dummy() }

// SignIn checks a password: it returns the id of the account with email when password is its
// own, else an Unauthorized error (login.failed). An email without an account is checked against a hash made with the
// real parameters, so that timing does not tell which emails have an account either. The hash is
// read for this check alone. (The limits on attempts are Throttle's, around this call.)
func (s *Accounts) SignIn(ctx context.Context, email, password string) (int64, error) {
	cred, err := s.reads.Credentials(ctx, email)
	if domain.ErrorCode(err) == domain.NotFound {
		_, _ = s.verify(password, s.dummy())
		return 0, signInFailed()
	}
	if err != nil {
		return 0, err
	}
	ok, err := s.verify(password, cred.PasswordHash)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, signInFailed()
	}
	return cred.AccountID, nil
}

// Session is the signed-in account of a session and its roles: the actor every permission is
// checked on (NotFound when the account is gone).
func (s *Accounts) Session(ctx context.Context, accountID int64) (domain.Actor, domain.Account, error) {
	return s.reads.Actor(ctx, accountID)
}

// dummyHasher hashes a random password with hash (the real parameters), once, when first asked.
func dummyHasher(hash func(string) (string, error)) func() string {
	return sync.OnceValue(func() string {
		h, err := hash(rand.Text())
		if err != nil {
			panic("service: hash a password: " + err.Error())
		}
		return h
	})
}
