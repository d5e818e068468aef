package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"time"
)

// TokenPurpose says what a token sent by mail is for.
type TokenPurpose string

// The purposes of account tokens.
const (
	PasswordReset     TokenPurpose = "password_reset"
	EmailVerification TokenPurpose = "email_verification"
)

// How long a token sent by mail can be used: a password reset within the hour, an email
// verification within a week (a person may read their mail days later).
const (
	PasswordResetTTL     = time.Hour
	EmailVerificationTTL = 7 * 24 * time.Hour
)

// TTL is how long a token of the purpose stays usable.
func (p TokenPurpose) TTL() time.Duration {
	if p == PasswordReset {
		return PasswordResetTTL
	}
	return EmailVerificationTTL
}

// NewAccountToken returns a new random token (what the mail carries, 26 characters of base32
// with 128 bits of randomness) and its hash (what is stored).
func NewAccountToken() (token string, hash []byte) {
	token = rand.Text()
	return token, HashAccountToken(token)
}

// HashAccountToken is the stored form of a token: its SHA-256.
func HashAccountToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// AccountToken is a token as stored: never the token itself, only its hash.
type AccountToken struct {
	ID        int64
	AccountID int64
	Purpose   TokenPurpose
	Email     string
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// Usable says whether the token can be used at now for purpose: a token is used once, before it
// expires, and only for what it was made for. Every refusal is the same to the person: the link
// is not valid (expired, used or unknown alike).
func (t AccountToken) Usable(purpose TokenPurpose, now time.Time) error {
	if t.Purpose != purpose || t.UsedAt != nil || !now.Before(t.ExpiresAt) {
		return Errorf(Invalid, "error.token_invalid")
	}
	return nil
}
