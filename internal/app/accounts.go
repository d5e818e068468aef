package app

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/seed"
)

// SeedLoad loads the seed meeting and, with demo, the demo data.
func SeedLoad(ctx context.Context, db *postgres.DB, demo bool) (*seed.Result, error) {
	return seedLoad(ctx, db, demo)
}

// CreateSecretariat creates a secretariat account; when an account with that email exists it is
// given the secretariat role instead (its password is left as it is).
func CreateSecretariat(ctx context.Context, db *postgres.DB, email, given, family, password string) (int64, error) {
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") {
		return 0, errors.New("not an email address: " + email)
	}
	if utf8.RuneCountInString(password) < 10 {
		return 0, errors.New("the password must have at least 10 characters")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return 0, err
	}
	// Made by whoever runs the portal: the email is taken as verified.
	now := time.Now()
	id, err := db.CreateAccount(ctx, postgres.Audit{}, domain.Account{
		Email: email, GivenName: given, FamilyName: family,
		Gender: domain.NotStated, Language: "en", Secretariat: true, EmailVerifiedAt: &now,
	}, hash)
	if domain.ErrorCode(err) == domain.Conflict {
		acc, err := db.AccountByEmail(ctx, email)
		if err != nil {
			return 0, err
		}
		return acc.ID, db.MakeSecretariat(ctx, postgres.Audit{ActorID: acc.ID}, acc.ID)
	}
	return id, err
}
