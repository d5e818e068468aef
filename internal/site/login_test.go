package site_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/alexedwards/argon2id"

	"plenary/internal/app"
	"plenary/internal/pgtest"
	"plenary/internal/seed"
	"plenary/internal/site"
)

// An email without an account is checked against a hash made with the parameters of real
// hashes, so that the time a refusal takes does not tell which emails have an account.
func TestUnknownEmailIsCheckedAgainstAHashWithTheRealParameters(t *testing.T) {
	t.Parallel()
	// Parameters no other test uses, so that a built-in dummy hash could not match them.
	params := &argon2id.Params{Memory: 2048, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	var mu sync.Mutex
	var checked []string
	ts := newSiteWithServices(t, pgtest.New(t), afterTheMeeting, nil, func(o *app.ServiceOptions) {
		o.Hash = func(pw string) (string, error) { return argon2id.CreateHash(pw, params) }
		o.Verify = func(pw, hash string) (bool, error) {
			mu.Lock()
			checked = append(checked, hash)
			mu.Unlock()
			return argon2id.ComparePasswordAndHash(pw, hash)
		}
	})
	wantStatus(t, ts.browser().post("/login", form("email", "nobody@plenary.test", "password", seed.DemoPassword)), http.StatusUnauthorized)
	mu.Lock()
	defer mu.Unlock()
	if len(checked) != 1 {
		t.Fatalf("%d password checks for an unknown email, want 1", len(checked))
	}
	got, _, _, err := argon2id.DecodeHash(checked[0])
	if err != nil {
		t.Fatal(err)
	}
	if got.Memory != params.Memory || got.Iterations != params.Iterations || got.Parallelism != params.Parallelism || got.KeyLength != params.KeyLength {
		t.Errorf("the unknown email was checked against m=%d,t=%d,p=%d,len=%d; real hashes use m=%d,t=%d,p=%d,len=%d",
			got.Memory, got.Iterations, got.Parallelism, got.KeyLength, params.Memory, params.Iterations, params.Parallelism, params.KeyLength)
	}
}

// loginFrom posts the sign-in form from the client address addr (the site trusts
// X-Forwarded-For).
func (b *browser) loginFrom(addr, email, password string) page {
	b.site.t.Helper()
	return b.post("/login", form("email", email, "password", password), "X-Forwarded-For", addr)
}

func behindProxy(o *site.Options) { o.TrustProxy = true }

// Someone guessing from one address is stopped there; the account's owner, elsewhere, still
// signs in.
func TestLoginFailuresFromOneAddressDoNotKeepTheOwnerOut(t *testing.T) {
	t.Parallel()
	ts := newSiteWith(t, pgtest.New(t), afterTheMeeting, behindProxy)
	attacker := ts.browser()
	for i := range 5 {
		wantStatus(t, attacker.loginFrom("198.51.100.7", delegate, fmt.Sprint("guess ", i)), http.StatusUnauthorized)
	}
	wantStatus(t, attacker.loginFrom("198.51.100.7", delegate, seed.DemoPassword), http.StatusTooManyRequests)
	owner := ts.browser()
	wantStatus(t, owner.loginFrom("203.0.113.9", delegate, seed.DemoPassword), http.StatusSeeOther)
	wantStatus(t, owner.get("/me"), http.StatusOK)
	// The owner's success does not lift the guesser's block.
	wantStatus(t, attacker.loginFrom("198.51.100.7", delegate, seed.DemoPassword), http.StatusTooManyRequests)
}

// Guessing spread over many addresses reaches the account's ceiling: from then on the account
// is refused to devices it has never signed in from, while its owner, on a device used before,
// still gets in.
func TestLoginAccountCeilingStillLetsTheOwnerIn(t *testing.T) {
	t.Parallel()
	ts := newSiteWith(t, pgtest.New(t), afterTheMeeting, behindProxy)
	owner := ts.browser()
	p := owner.loginFrom("203.0.113.9", delegate, seed.DemoPassword)
	wantStatus(t, p, http.StatusSeeOther)
	c := cookieNamed(p.Response, "plenary_device")
	if c == nil || c.Value == "" || !c.HttpOnly || c.Path != "/login" || c.SameSite != http.SameSiteLaxMode || c.MaxAge <= 0 {
		t.Fatalf("device cookie = %+v, want a lasting HttpOnly, SameSite=Lax cookie for /login", c)
	}
	wantRedirect(t, owner.post("/logout", nil), "/")

	attacker := ts.browser()
	for i := range 50 {
		addr := fmt.Sprintf("198.51.%d.%d", 100+i/200, i%200+1)
		wantStatus(t, attacker.loginFrom(addr, delegate, fmt.Sprint("guess ", i)), http.StatusUnauthorized)
	}
	busy := ts.cat.For("en").N("login.account_busy", 15)
	p = attacker.loginFrom("192.0.2.200", delegate, "one more guess")
	wantStatus(t, p, http.StatusTooManyRequests)
	if got := text(testid(p.doc(t), "error-summary")); !strings.Contains(got, busy) {
		t.Errorf("message at the ceiling = %q, want %q", got, busy)
	}
	// A device that never signed in to this account is refused, even with the right password;
	// so is one that signed in to another account, and a made-up device cookie.
	wantStatus(t, ts.browser().loginFrom("192.0.2.201", delegate, seed.DemoPassword), http.StatusTooManyRequests)
	other := ts.browser()
	wantStatus(t, other.loginFrom("192.0.2.202", secretariat, seed.DemoPassword), http.StatusSeeOther)
	wantStatus(t, other.loginFrom("192.0.2.202", delegate, seed.DemoPassword), http.StatusTooManyRequests)
	forged := ts.browser()
	forged.header.Set("Cookie", "plenary_device="+strings.Repeat("A", 26))
	wantStatus(t, forged.loginFrom("192.0.2.203", delegate, seed.DemoPassword), http.StatusTooManyRequests)

	// The owner's device gets in, from a new address too.
	wantStatus(t, owner.loginFrom("192.0.2.99", delegate, seed.DemoPassword), http.StatusSeeOther)
	if got := text(testid(owner.get("/me").doc(t), "me-account")); !strings.Contains(got, delegate) {
		t.Errorf("the owner is not signed in: /me = %q", got)
	}
	// The owner's device is still held by its own count: five wrong passwords stop it.
	wantRedirect(t, owner.post("/logout", nil), "/")
	for i := range 5 {
		wantStatus(t, owner.loginFrom("192.0.2.99", delegate, fmt.Sprint("typo ", i)), http.StatusUnauthorized)
	}
	wantStatus(t, owner.loginFrom("192.0.2.99", delegate, seed.DemoPassword), http.StatusTooManyRequests)

	// The trusted devices are kept by their hash only.
	var n int
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM login_devices WHERE token_hash = convert_to($1, 'UTF8')`, c.Value).Scan(&n); err != nil || n != 0 {
		t.Errorf("a device token is stored as it is (%d, %v)", n, err)
	}
}
