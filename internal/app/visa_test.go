package app

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"plenary/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestVisaRetentionDaysConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	c, err := LoadConfig(env())
	if err != nil || c.VisaRetentionDays != 90 {
		t.Fatalf("default: %d %v", c.VisaRetentionDays, err)
	}
	var out bytes.Buffer
	c.Print(&out)
	if !strings.Contains(out.String(), "VISA_RETENTION_DAYS=90\n") {
		t.Errorf("Print does not show the default:\n%s", out.String())
	}
	if c, err := LoadConfig(env("VISA_RETENTION_DAYS", "0")); err != nil || c.VisaRetentionDays != 0 {
		t.Errorf("0 days: %d %v", c.VisaRetentionDays, err)
	}
	for _, bad := range []string{"-1", "ninety", "3651"} {
		if _, err := LoadConfig(env("VISA_RETENTION_DAYS", bad)); err == nil {
			t.Errorf("VISA_RETENTION_DAYS=%s accepted", bad)
		}
	}
}

// The erasure job erases the visa data of a meeting past its retention at once, then stops when
// told.
func TestVisaErasureJobRunsAndStops(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	// A request for the letter's meeting (25 July 2025), long past its 90 days.
	var id int64
	err := db.Pool.QueryRow(ctx, `WITH reg AS (
			INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, state)
			SELECT m.id, a.id, a.organisation_id, 'in_person', 'approved' FROM meetings m, accounts a
			WHERE m.slug = 'sg13-wp-2025-07' AND a.email = 'delegate.ms@plenary.test' RETURNING *)
		INSERT INTO visa_requests (registration_id, meeting_id, account_id, organisation_id, state, passport_name, birth_date,
			passport_number, passport_expires)
		SELECT id, meeting_id, account_id, organisation_id, 'processing', '李娜', '1990-01-01', 'E1234', '2030-01-01' FROM reg
		RETURNING id`).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	jobCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go runVisaErasure(jobCtx, db, log, 90, time.Hour, done)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var erased bool
		var name string
		if err := db.Pool.QueryRow(ctx, `SELECT erased_at IS NOT NULL, passport_name FROM visa_requests WHERE id = $1`, id).Scan(&erased, &name); err != nil {
			t.Fatal(err)
		}
		if erased {
			if name != "" {
				t.Errorf("erased request keeps the name %q", name)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job did not erase the past meeting's data")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not stop")
	}
	if !strings.Contains(logs.String(), "visa data erased") {
		t.Errorf("log: %s", logs.String())
	}
}
