package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"plenary/internal/pgtest"
	"plenary/internal/seed"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestNewGivesSeededDatabasesThatDoNotShareData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := pgtest.New(t), pgtest.New(t)
	for _, db := range []interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}{a.Pool, b.Pool} {
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM meetings WHERE slug = 'sg13-wp-2025-07'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("seed meeting rows = %d, want 1", n)
		}
	}
	if _, err := a.Pool.Exec(ctx, `DELETE FROM work_items`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.Pool.QueryRow(ctx, `SELECT count(*) FROM work_items`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("a change in one test's database showed in another's")
	}
	var name1, name2 string
	_ = a.Pool.QueryRow(ctx, `SELECT current_database()`).Scan(&name1)
	_ = b.Pool.QueryRow(ctx, `SELECT current_database()`).Scan(&name2)
	if name1 == name2 {
		t.Fatalf("both tests got database %s", name1)
	}
}

func TestDemoAccountsUseTheTestHash(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	acc, err := db.AccountByEmail(context.Background(), "secretariat@plenary.test")
	if err != nil {
		t.Fatal(err)
	}
	cred, err := db.Credentials(context.Background(), "secretariat@plenary.test")
	if err != nil || cred.AccountID != acc.ID {
		t.Fatalf("credentials: %+v, %v", cred, err)
	}
	ok, err := pgtest.Verify(seed.DemoPassword, cred.PasswordHash)
	if err != nil || !ok {
		t.Fatalf("demo password does not verify: ok=%v err=%v", ok, err)
	}
	if !acc.Secretariat {
		t.Error("secretariat@plenary.test lacks the secretariat role")
	}
}

func TestEmptyURLHasNoSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.EmptyURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("empty database has %d tables", n)
	}
}
