package service_test

import (
	"context"
	"plenary/internal/blob"
	"plenary/internal/blob/pgblob"
	"testing"
	"time"

	"plenary/internal/app"
	"plenary/internal/domain"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// world is a test database with the demo data and the services over it, at the seed's time.
type world struct {
	t   *testing.T
	db  *postgres.DB
	svc service.Services
	now time.Time
	// meeting is the open demo meeting.
	meeting int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db := pgtest.New(t)
	w := &world{t: t, db: db, now: pgtest.SeededAt(t)}
	w.svc = app.NewServices(db, func() time.Time { return w.now })
	if err := db.Pool.QueryRow(context.Background(), `SELECT id FROM meetings WHERE slug LIKE 'sg13-wp-%' AND slug <> 'sg13-wp-2025-07'
		ORDER BY first_day DESC LIMIT 1`).Scan(&w.meeting); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) actor(email string) domain.Actor {
	w.t.Helper()
	acc, err := w.db.AccountByEmail(context.Background(), email)
	if err != nil {
		w.t.Fatal(err)
	}
	a, _, err := w.db.Actor(context.Background(), acc.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

func (w *world) count(q string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// register registers a as themselves for the open meeting.
func (w *world) register(a domain.Actor, mode domain.Mode) domain.Registration {
	w.t.Helper()
	reg, err := w.db.Register(context.Background(), postgres.Audit{ActorID: a.ID}, a, w.meeting, a.ID, domain.RegistrationRequest{Mode: mode}, w.now)
	if err != nil {
		w.t.Fatal(err)
	}
	return reg
}

const (
	delegateSM  = "delegate.sm@plenary.test"
	focalSM     = "focal.sm@plenary.test"
	delegateMS  = "delegate.ms@plenary.test"
	focalMS     = "focal.ms@plenary.test"
	secretariat = "secretariat@plenary.test"
)

// files is a files service over the world's database (pgblob), for the use cases that store files.
func (w *world) files() *service.Files {
	return service.NewFiles(blob.NewStores(pgblob.New(w.db.Pool)), w.db, nil, 2)
}
