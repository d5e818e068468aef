package postgres_test

import (
	"context"
	"testing"

	"plenary/internal/pgtest"
	"plenary/internal/postgres"
)

// Every migration goes up, down and up again on an empty database: a release can be rolled back.
func TestMigrationsGoDownAndUpAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.EmptyURL(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	up, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if up == 0 {
		t.Fatal("no migration applied to an empty database")
	}
	down, err := db.MigrateDownTo(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if down != up {
		t.Errorf("%d migrations rolled back, want %d", down, up)
	}
	again, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again != up {
		t.Errorf("%d migrations applied again, want %d", again, up)
	}
	if n, err := db.Pending(ctx); err != nil || n != 0 {
		t.Errorf("pending migrations after going up again: %d, %v", n, err)
	}
}
