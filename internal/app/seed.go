package app

import (
	"context"
	"time"

	"plenary/internal/postgres"
	"plenary/internal/seed"
)

func seedLoad(ctx context.Context, db *postgres.DB, demo bool) (*seed.Result, error) {
	return seed.Load(ctx, db, demo, time.Now(), HashPassword)
}

// DemoAccounts returns the demo accounts loaded at start, if any.
func (m *Main) DemoAccounts() []seed.DemoAccount {
	if m.demo == nil {
		return nil
	}
	return m.demo.Accounts
}

// DemoSlug is the demo meeting's slug, if demo data was loaded.
func (m *Main) DemoSlug() string {
	if m.demo == nil {
		return ""
	}
	return m.demo.DemoSlug
}
