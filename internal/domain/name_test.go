package domain

import (
	"testing"
	"time"
)

func TestPersonName(t *testing.T) {
	for _, c := range []struct {
		given, family string
		order         NameOrder
		want          string
	}{
		{"芳", "王", FamilyFirst, "王芳"},
		{"芳", "王", AutoOrder, "王芳"},
		{"芳", "王", GivenFirst, "芳 王"}, // as its owner chose
		{"Béla", "Nagy", FamilyFirst, "Nagy Béla"},
		{"Ana", "Silva", GivenFirst, "Ana Silva"},
		{"Ana", "Silva", AutoOrder, "Ana Silva"},
		{"Fang", "Wang", FamilyFirst, "Wang Fang"},
		{"花子", "山田", FamilyFirst, "山田花子"},
		{"민수", "김", FamilyFirst, "김민수"},
		{"Fang", "王", FamilyFirst, "王 Fang"}, // mixed scripts keep the space
		{"  Ana ", " Silva ", GivenFirst, "Ana Silva"},
		{"", "Silva", GivenFirst, "Silva"},
		{"Ana", "", FamilyFirst, "Ana"},
	} {
		if got := PersonName(c.given, c.family, c.order); got != c.want {
			t.Errorf("PersonName(%q, %q, %q) = %q, want %q", c.given, c.family, c.order, got, c.want)
		}
	}
	if got := (Account{GivenName: "芳", FamilyName: "王", NameOrder: FamilyFirst}).Name(); got != "王芳" {
		t.Errorf("Account.Name() = %q, want 王芳", got)
	}
}

func TestAccountTokenUsable(t *testing.T) {
	token, hash := NewAccountToken()
	if len(token) < 26 || string(hash) == token || len(hash) != 32 {
		t.Fatalf("token %q, hash of %d bytes: want a long token and its SHA-256", token, len(hash))
	}
	if string(HashAccountToken(token)) != string(hash) {
		t.Error("hashing the token again gives another hash")
	}
	other, _ := NewAccountToken()
	if other == token {
		t.Error("two tokens are the same")
	}
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	tok := AccountToken{Purpose: PasswordReset, ExpiresAt: now.Add(PasswordResetTTL)}
	if PasswordResetTTL > time.Hour {
		t.Errorf("a reset token lives %v, want at most an hour", PasswordResetTTL)
	}
	if err := tok.Usable(PasswordReset, now); err != nil {
		t.Errorf("a fresh token: %v", err)
	}
	if err := tok.Usable(PasswordReset, now.Add(PasswordResetTTL)); ErrorCode(err) != Invalid {
		t.Errorf("an expired token: %v, want invalid", err)
	}
	if err := tok.Usable(EmailVerification, now); ErrorCode(err) != Invalid {
		t.Errorf("a reset token used to verify an email: %v, want invalid", err)
	}
	used := now
	tok.UsedAt = &used
	if err := tok.Usable(PasswordReset, now); ErrorCode(err) != Invalid {
		t.Errorf("a used token: %v, want invalid", err)
	}
}
