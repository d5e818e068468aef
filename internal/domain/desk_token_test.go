package domain

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"
)

func testKey(t *testing.T, seed byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	priv := ed25519.NewKeyFromSeed(s)
	return priv.Public().(ed25519.PublicKey), priv
}

func sampleToken() Token {
	return Token{Kind: ConfirmationToken, Key: 1, ID: 4242, Registration: 987654321, Meeting: 3, Mode: InPerson, Serial: 1,
		ValidFrom: time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC), ValidUntil: time.Date(2025, 7, 25, 22, 0, 0, 0, time.UTC)}
}

func TestTokenSignsAndVerifies(t *testing.T) {
	pub, priv := testKey(t, 7)
	keys := map[uint16]ed25519.PublicKey{1: pub}
	in := sampleToken()
	s := in.Sign(priv)
	if !strings.HasPrefix(s, TokenPrefix) {
		t.Fatalf("token %q lacks its prefix", s)
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", r) {
			t.Fatalf("token %q has %q, outside a QR code's alphanumeric mode", s, r)
		}
	}
	at := time.Date(2025, 7, 25, 8, 30, 0, 0, time.UTC)
	out, err := VerifyToken(keys, s, at)
	if err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Fatalf("verified %+v, signed %+v", out, in)
	}
	// As a scanner or a person may type it: lower case, spaces, a line break at the end.
	typed := strings.ToLower(s[:20]) + " " + s[20:] + "\r\n"
	if _, err := VerifyToken(keys, typed, at); err != nil {
		t.Fatalf("typed token refused: %v", err)
	}
	if !LooksLikeToken(typed) || LooksLikeToken("Li Wei") {
		t.Fatal("LooksLikeToken")
	}
	remote := in
	remote.Mode, remote.Kind, remote.Serial = Remote, BadgeToken, 3
	out, err = VerifyToken(keys, remote.Sign(priv), at)
	if err != nil || out != remote {
		t.Fatalf("remote badge: %+v %v", out, err)
	}
}

func TestTokenSignatureRefused(t *testing.T) {
	pub, priv := testKey(t, 7)
	_, other := testKey(t, 8)
	keys := map[uint16]ed25519.PublicKey{1: pub}
	at := time.Date(2025, 7, 25, 8, 30, 0, 0, time.UTC)
	in := sampleToken()

	if _, err := VerifyToken(keys, in.Sign(other), at); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("signed by another key: %v", err)
	}
	unknown := in
	unknown.Key = 9
	if _, err := VerifyToken(keys, unknown.Sign(priv), at); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("unknown key id: %v", err)
	}
	// Every single changed character of the body is refused: as malformed or as a bad signature.
	s := in.Sign(priv)
	for i := len(TokenPrefix); i < len(s); i++ {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		forged := s[:i] + string(c) + s[i+1:]
		if _, err := VerifyToken(keys, forged, at); err == nil {
			t.Fatalf("forged token (char %d changed) accepted", i)
		}
	}
	// A forged registration id, signed by nobody.
	forged := in
	forged.Registration++
	p := forged.payload()
	raw, _ := tokenEncoding.DecodeString(s[len(TokenPrefix):])
	sig := raw[len(raw)-ed25519.SignatureSize:]
	if _, err := VerifyToken(keys, TokenPrefix+tokenEncoding.EncodeToString(append(p, sig...)), at); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("payload swapped under a valid signature: %v", err)
	}
	for _, bad := range []string{"", "PL1-", "PL1-!!!!", "PL2-" + s[4:], "Li Wei", s[:len(s)-5]} {
		if _, err := VerifyToken(keys, bad, at); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTokenExpiry(t *testing.T) {
	pub, priv := testKey(t, 7)
	keys := map[uint16]ed25519.PublicKey{1: pub}
	in := sampleToken()
	s := in.Sign(priv)
	for _, c := range []struct {
		at   time.Time
		want error
	}{
		{in.ValidFrom.Add(-time.Second), ErrTokenNotYetValid},
		{in.ValidFrom, nil},
		{in.ValidUntil.Add(-time.Second), nil},
		{in.ValidUntil, ErrTokenExpired},
		{in.ValidUntil.Add(48 * time.Hour), ErrTokenExpired},
	} {
		_, err := VerifyToken(keys, s, c.at)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("at %s: %v, want %v", c.at, err, c.want)
		}
	}
	// The validity of a registration's token ends with the meeting's last day, in its time zone.
	m := Meeting{TimeZone: "Europe/Zurich", LastDay: time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC)}
	from, until := TokenValidity(m, time.Date(2025, 6, 1, 9, 0, 0, 123, time.UTC))
	if !from.Equal(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)) || !until.Equal(time.Date(2025, 7, 25, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("validity %s .. %s", from, until)
	}
}

func TestTokenRevocation(t *testing.T) {
	pub, priv := testKey(t, 7)
	at := time.Date(2025, 7, 25, 8, 30, 0, 0, time.UTC)
	in := sampleToken()
	s := in.Sign(priv)
	c := TokenChecker{Keys: map[uint16]ed25519.PublicKey{1: pub}, Revoked: map[int64]bool{1: true}}
	if _, err := c.Check(s, at); err != nil {
		t.Fatalf("live token: %v", err)
	}
	c.Revoked[in.ID] = true
	if got, err := c.Check(s, at); !errors.Is(err, ErrTokenRevoked) || got.Registration != in.Registration {
		t.Fatalf("revoked token: %+v %v", got, err)
	}

	// A token stands for its registration only while that is approved and in the token's mode:
	// a cancellation or a change of mode revokes it even where no revocation was written.
	r := Registration{ID: in.Registration, MeetingID: in.Meeting, Mode: InPerson, State: Approved}
	if !TokenStillHolds(in, r) {
		t.Fatal("approved registration in the token's mode")
	}
	for name, change := range map[string]func(*Registration){
		"cancelled":     func(r *Registration) { r.State = Cancelled },
		"mode changed":  func(r *Registration) { r.Mode = Remote },
		"back pending":  func(r *Registration) { r.State = Pending },
		"other meeting": func(r *Registration) { r.MeetingID++ },
		"other reg":     func(r *Registration) { r.ID++ },
	} {
		c := r
		change(&c)
		if TokenStillHolds(in, c) {
			t.Errorf("%s: token still holds", name)
		}
	}
}

func TestRegistrationReference(t *testing.T) {
	ref := RegistrationReference("sg13-wp-2025-07", 42)
	if ref != "SG13-WP-2025-07/R00042" {
		t.Fatalf("reference %q", ref)
	}
	for _, typed := range []string{ref, " sg13-wp-2025-07/r00042\n", "SG13-WP-2025-07/R42"} {
		slug, id, ok := ParseReference(typed)
		if !ok || slug != "sg13-wp-2025-07" || id != 42 {
			t.Errorf("%q: %q %d %v", typed, slug, id, ok)
		}
	}
	for _, bad := range []string{"", "R00042", "/R00042", "SG13/R", "SG13/R12a", "SG13/R0", "Li Wei"} {
		if _, _, ok := ParseReference(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
	if RegistrationReference("m", 1234567) != "M/R1234567" {
		t.Error("long number")
	}
}

func TestIssuedTokenByItsDigest(t *testing.T) {
	pub, priv := testKey(t, 7)
	_, other := testKey(t, 8)
	keys := map[uint16]ed25519.PublicKey{1: pub}
	at := time.Date(2025, 7, 25, 8, 30, 0, 0, time.UTC)
	in := sampleToken()
	s := in.Sign(priv)
	stored := TokenDigest(s)
	if len(stored) != 32 {
		t.Fatalf("digest of %d bytes", len(stored))
	}
	// The text as issued, and as a scanner or a person types it.
	for _, code := range []string{s, strings.ToLower(s[:30]) + " " + s[30:] + "\r\n"} {
		if out, err := VerifyIssuedToken(keys, code, stored, at); err != nil || out != in {
			t.Fatalf("issued token: %+v %v", out, err)
		}
	}
	// Recorded with a digest, only that text is accepted: not one signed by another key, not
	// another genuine token with the same id, not a changed character.
	if _, err := VerifyIssuedToken(keys, in.Sign(other), stored, at); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("signed by another key: %v", err)
	}
	again := in
	again.Serial++
	if _, err := VerifyIssuedToken(keys, again.Sign(priv), stored, at); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("another token under the same id: %v", err)
	}
	for i := len(TokenPrefix); i < len(s); i++ {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		if _, err := VerifyIssuedToken(keys, s[:i]+string(c)+s[i+1:], stored, at); err == nil {
			t.Fatalf("forged token (char %d changed) accepted", i)
		}
	}
	// Recorded without one (issued before digests were kept), the signature decides.
	if _, err := VerifyIssuedToken(keys, s, nil, at); err != nil {
		t.Errorf("token without a digest: %v", err)
	}
	if _, err := VerifyIssuedToken(keys, in.Sign(other), nil, at); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("forged token without a digest: %v", err)
	}
	// The validity holds either way.
	for _, d := range [][]byte{stored, nil} {
		if out, err := VerifyIssuedToken(keys, s, d, in.ValidUntil); !errors.Is(err, ErrTokenExpired) || out.Registration != in.Registration {
			t.Errorf("expired token (digest %v): %+v %v", d != nil, out, err)
		}
		if _, err := VerifyIssuedToken(keys, s, d, in.ValidFrom.Add(-time.Second)); !errors.Is(err, ErrTokenNotYetValid) {
			t.Errorf("token not yet valid (digest %v): %v", d != nil, err)
		}
	}
	if _, err := VerifyIssuedToken(keys, "PL1-!!!!", stored, at); !errors.Is(err, ErrTokenMalformed) {
		t.Errorf("malformed: %v", err)
	}
}

func TestRevokedWhenScanned(t *testing.T) {
	revoked := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		name      string
		revoked   bool
		revokedAt time.Time
		at        time.Time
		want      bool
	}{
		{"live", false, time.Time{}, revoked, false},
		{"scanned before the revocation", true, revoked, revoked.Add(-time.Minute), false},
		{"scanned at the revocation", true, revoked, revoked, true},
		{"scanned after it", true, revoked, revoked.Add(time.Minute), true},
		{"unknown token, no time", true, time.Time{}, revoked.Add(-time.Hour), true},
	} {
		if got := RevokedWhenScanned(c.revoked, c.revokedAt, c.at); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
