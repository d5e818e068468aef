package domain

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"
)

// A desk token is what a confirmation's or a badge's QR code holds: the registration, the
// meeting, the mode and the validity, signed with Ed25519 by a key the portal keeps. A scanner
// that has the portal's public keys checks it without a network; one that has the revocation list
// also knows whether it was revoked (a cancellation, a change of mode, a reprinted badge).
//
// Its text is "PL1-" and the base32 (RFC 4648, no padding) of the payload and its signature, so
// that it fits a QR code's alphanumeric mode and a USB scanner can type it. Letters may come in
// either case; spaces and line breaks a scanner or a person adds are ignored.

// TokenKind says what a token stands for.
type TokenKind byte

// The token kinds.
const (
	// ConfirmationToken is the registration's confirmation, brought to the desk.
	ConfirmationToken TokenKind = 'C'
	// BadgeToken is a printed badge, worn at the meeting.
	BadgeToken TokenKind = 'B'
)

// Valid reports whether k is a known kind.
func (k TokenKind) Valid() bool { return k == ConfirmationToken || k == BadgeToken }

// String names the kind as the store keeps it.
func (k TokenKind) String() string {
	switch k {
	case ConfirmationToken:
		return "confirmation"
	case BadgeToken:
		return "badge"
	}
	return "unknown"
}

// TokenKindOf returns the kind named s ("confirmation", "badge"), or 0.
func TokenKindOf(s string) TokenKind {
	switch s {
	case "confirmation":
		return ConfirmationToken
	case "badge":
		return BadgeToken
	}
	return 0
}

// Token is what a desk token says.
type Token struct {
	Kind TokenKind
	// Key is the id of the signing key.
	Key uint16
	// ID is the token's own id: revocation lists name it.
	ID           int64
	Registration int64
	Meeting      int64
	Mode         Mode
	// Serial counts the tokens of a kind for the registration: a badge's number.
	Serial int
	// ValidFrom and ValidUntil bound when the token is accepted (to the second).
	ValidFrom, ValidUntil time.Time
}

// TokenPrefix starts every desk token's text.
const TokenPrefix = "PL1-"

const tokenVersion = 1

// tokenContext is signed before the payload, so that a desk token's signature means nothing
// anywhere else the key might be used.
const tokenContext = "plenary desk token\x00"

var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// The refusals of a token's text, each a catalogue key.
var (
	ErrTokenMalformed   = Errorf(Invalid, "desk.refuse.malformed")
	ErrTokenSignature   = Errorf(Invalid, "desk.refuse.signature")
	ErrTokenExpired     = Errorf(Invalid, "desk.refuse.expired")
	ErrTokenNotYetValid = Errorf(Invalid, "desk.refuse.not_yet_valid")
	ErrTokenRevoked     = Errorf(Conflict, "desk.refuse.revoked")
)

func (t Token) payload() []byte {
	b := make([]byte, 0, 48)
	b = append(b, tokenVersion, byte(t.Kind))
	b = binary.AppendUvarint(b, uint64(t.Key))
	b = binary.AppendUvarint(b, uint64(t.ID))
	b = binary.AppendUvarint(b, uint64(t.Registration))
	b = binary.AppendUvarint(b, uint64(t.Meeting))
	m := byte('P')
	if t.Mode == Remote {
		m = 'R'
	}
	b = append(b, m)
	b = binary.AppendUvarint(b, uint64(t.Serial))
	b = binary.AppendVarint(b, t.ValidFrom.Unix())
	b = binary.AppendVarint(b, t.ValidUntil.Unix())
	return b
}

// Sign returns the token's text, signed with key.
func (t Token) Sign(key ed25519.PrivateKey) string {
	p := t.payload()
	sig := ed25519.Sign(key, append([]byte(tokenContext), p...))
	return TokenPrefix + tokenEncoding.EncodeToString(append(p, sig...))
}

// NormalizeToken returns a token's text as a scanner or a person may have typed it, upper case
// without spaces; text that is not a token is returned trimmed.
func NormalizeToken(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	return strings.ToUpper(s)
}

// LooksLikeToken reports whether s (as typed) is meant as a desk token rather than a name or a
// reference.
func LooksLikeToken(s string) bool {
	return strings.HasPrefix(NormalizeToken(s), TokenPrefix)
}

// ParseToken reads a token's text without checking its signature: what it claims, for a
// refusal that names the registration. Use VerifyToken to accept one.
func ParseToken(s string) (Token, []byte, []byte, error) {
	s = NormalizeToken(s)
	if !strings.HasPrefix(s, TokenPrefix) {
		return Token{}, nil, nil, ErrTokenMalformed
	}
	raw, err := tokenEncoding.DecodeString(s[len(TokenPrefix):])
	// One text per token: the last character's unused bits must be zero.
	if err != nil || len(raw) < ed25519.SignatureSize+3 || tokenEncoding.EncodeToString(raw) != s[len(TokenPrefix):] {
		return Token{}, nil, nil, ErrTokenMalformed
	}
	p, sig := raw[:len(raw)-ed25519.SignatureSize], raw[len(raw)-ed25519.SignatureSize:]
	if p[0] != tokenVersion || !TokenKind(p[1]).Valid() {
		return Token{}, nil, nil, ErrTokenMalformed
	}
	t := Token{Kind: TokenKind(p[1])}
	r := p[2:]
	next := func() uint64 {
		v, n := binary.Uvarint(r)
		if n <= 0 {
			err = errors.New("short")
			return 0
		}
		r = r[n:]
		return v
	}
	key := next()
	t.ID, t.Registration, t.Meeting = int64(next()), int64(next()), int64(next())
	if err != nil || len(r) < 1 || key > 0xffff {
		return Token{}, nil, nil, ErrTokenMalformed
	}
	t.Key = uint16(key)
	switch r[0] {
	case 'P':
		t.Mode = InPerson
	case 'R':
		t.Mode = Remote
	default:
		return Token{}, nil, nil, ErrTokenMalformed
	}
	r = r[1:]
	t.Serial = int(next())
	from, n := binary.Varint(r)
	if n <= 0 {
		return Token{}, nil, nil, ErrTokenMalformed
	}
	r = r[n:]
	until, n := binary.Varint(r)
	if n <= 0 || n != len(r) || err != nil {
		return Token{}, nil, nil, ErrTokenMalformed
	}
	t.ValidFrom, t.ValidUntil = time.Unix(from, 0).UTC(), time.Unix(until, 0).UTC()
	return t, p, sig, nil
}

// VerifyToken checks a token's text: its form, its signature by one of keys (by key id), and
// that it is valid at at. It does not know about revocation (see TokenChecker).
func VerifyToken(keys map[uint16]ed25519.PublicKey, s string, at time.Time) (Token, error) {
	t, p, sig, err := ParseToken(s)
	if err != nil {
		return Token{}, err
	}
	if !signedBy(keys, t.Key, p, sig) {
		return Token{}, ErrTokenSignature
	}
	return t, t.validAt(at)
}

// signedBy reports whether sig is the signature of a token's payload by keys' key number key.
func signedBy(keys map[uint16]ed25519.PublicKey, key uint16, payload, sig []byte) bool {
	pub, ok := keys[key]
	return ok && len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, append([]byte(tokenContext), payload...), sig)
}

// validAt is nil when the token is accepted at at, or why not.
func (t Token) validAt(at time.Time) error {
	if at.Before(t.ValidFrom) {
		return ErrTokenNotYetValid
	}
	if !at.Before(t.ValidUntil) {
		return ErrTokenExpired
	}
	return nil
}

// TokenDigest is what the portal keeps of a token's text when it issues it: the SHA-256 of the
// text as NormalizeToken gives it (the one text of the token, as ParseToken accepts only one).
func TokenDigest(s string) []byte {
	return digestOf(NormalizeToken(s))
}

// digestOf is the SHA-256 of a token's text already normalized.
func digestOf(normalized string) []byte {
	d := sha256.Sum256([]byte(normalized))
	return d[:]
}

// VerifyIssuedToken checks a token's text online, where the portal's record of the token is at
// hand: as VerifyToken, but a token recorded with its digest (stored: the TokenDigest kept when it
// was issued, of the token with the id the text names) is authentic when the text's digest is
// that one, compared in constant time, without its signature checked again: the text is the one
// the portal signed, and a hash costs a hundredth of an Ed25519 verification. A token recorded
// without one (issued before digests were kept: stored nil) has its signature checked. The
// signature stays in the text for the scanners that check it offline.
func VerifyIssuedToken(keys map[uint16]ed25519.PublicKey, s string, stored []byte, at time.Time) (Token, error) {
	c, err := ClaimToken(s)
	if err != nil {
		return Token{}, err
	}
	return c.Verify(keys, stored, at)
}

// ClaimedToken is a token's text read, not yet checked: what it claims (Token, whose id names the
// record to check it against), for VerifyIssuedToken in two steps.
type ClaimedToken struct {
	Token
	text         string
	payload, sig []byte
}

// ClaimToken reads a token's text (ParseToken) for a check against its record (Verify).
func ClaimToken(s string) (ClaimedToken, error) {
	s = NormalizeToken(s)
	t, p, sig, err := ParseToken(s)
	if err != nil {
		return ClaimedToken{}, err
	}
	return ClaimedToken{Token: t, text: s, payload: p, sig: sig}, nil
}

// Verify is VerifyIssuedToken of the text read, stored being the digest recorded for its id.
func (c ClaimedToken) Verify(keys map[uint16]ed25519.PublicKey, stored []byte, at time.Time) (Token, error) {
	var authentic bool
	if stored == nil {
		authentic = signedBy(keys, c.Key, c.payload, c.sig)
	} else {
		authentic = subtle.ConstantTimeCompare(digestOf(c.text), stored) == 1
	}
	if !authentic {
		return Token{}, ErrTokenSignature
	}
	return c.Token, c.validAt(at)
}

// TokenChecker is what an offline scanner holds: the portal's public keys and the ids of the
// revoked tokens.
type TokenChecker struct {
	Keys    map[uint16]ed25519.PublicKey
	Revoked map[int64]bool
}

// Check accepts a token's text at time at when it is signed, valid then, and not revoked.
func (c TokenChecker) Check(s string, at time.Time) (Token, error) {
	t, err := VerifyToken(c.Keys, s, at)
	if err != nil {
		return t, err
	}
	if c.Revoked[t.ID] {
		return t, ErrTokenRevoked
	}
	return t, nil
}

// TokenValidity is how long a registration's token is accepted: from when it is issued until the
// end of the meeting's last day in its time zone.
func TokenValidity(m Meeting, issued time.Time) (from, until time.Time) {
	return issued.Truncate(time.Second), EndOfDay(m.LastDay, m.Location()).Truncate(time.Second)
}

// RevokeReason says why a token was revoked.
type RevokeReason string

// The reasons.
const (
	RevokedCancelled  RevokeReason = "cancelled"
	RevokedModeChange RevokeReason = "mode_change"
	RevokedReprint    RevokeReason = "reprint"
	RevokedNotLive    RevokeReason = "not_approved"
)

// RevokedWhenScanned reports whether a token revoked at revokedAt was revoked when it was scanned
// at at (the scan's own time): a scan made offline before the revocation, an old badge seen at a
// room's door before it was reprinted and sent an hour later, was of a valid token. A token
// whose revocation has no time (unknown to the portal) is revoked whenever it is scanned.
func RevokedWhenScanned(revoked bool, revokedAt, at time.Time) bool {
	return revoked && (revokedAt.IsZero() || !at.Before(revokedAt))
}

// TokenStillHolds reports whether a token issued for registration r still stands for it: the
// registration is approved and in the token's mode. A token that no longer holds is revoked, even
// where no revocation was recorded.
func TokenStillHolds(t Token, r Registration) bool {
	return r.ID == t.Registration && r.MeetingID == t.Meeting && r.State == Approved && r.Mode == t.Mode
}

// DeskKeys are the portal's token keys: the one that signs new tokens, and every public key a
// token may name.
type DeskKeys struct {
	Current uint16
	Private ed25519.PrivateKey
	Public  map[uint16]ed25519.PublicKey
}

// RegistrationReference is how a registration is named on its confirmation and typed at the
// desk: the meeting's slug in capitals and the registration's number, "SG13-WP-2025-07/R00042".
func RegistrationReference(meetingSlug string, id int64) string {
	return strings.ToUpper(meetingSlug) + "/R" + padNumber(id, 5)
}

// ParseReference reads a registration reference (any case, spaces ignored); it returns the
// meeting slug (lower case) and the registration id.
func ParseReference(s string) (slug string, id int64, ok bool) {
	s = NormalizeToken(s)
	i := strings.LastIndex(s, "/R")
	if i <= 0 || i+2 == len(s) {
		return "", 0, false
	}
	for _, r := range s[i+2:] {
		if r < '0' || r > '9' {
			return "", 0, false
		}
		id = id*10 + int64(r-'0')
		if id > 1<<53 {
			return "", 0, false
		}
	}
	return strings.ToLower(s[:i]), id, id > 0
}

func padNumber(n int64, width int) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
