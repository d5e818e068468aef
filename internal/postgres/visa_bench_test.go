package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/service"
)

// seedVisaRequests makes n accounts of the sector member, each with an approved in-person
// registration for the demo meeting and a visa request in processing, directly in SQL, and
// returns the requests' ids. Half the names are Latin with accents, half Chinese, so both fonts
// are embedded as often as in a real queue.
func seedVisaRequests(tb testing.TB, w *visaWorld, n int) []int64 {
	tb.Helper()
	ctx := context.Background()
	var ids []int64
	err := pgx.BeginFunc(ctx, w.db.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `WITH org AS (SELECT id FROM organisations WHERE name = 'Example Networks Ltd.'),
			acc AS (
				INSERT INTO accounts (email, password_hash, given_name, family_name, gender, organisation_id, language)
				SELECT 'bench' || i || '@plenary.test', 'x', 'Bench', 'Delegate ' || i, 'not_stated', org.id, 'en'
				FROM generate_series(1, $2::int) i, org RETURNING id, organisation_id),
			reg AS (
				INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, state, decided_at)
				SELECT $1, id, organisation_id, 'in_person', 'approved', now() FROM acc RETURNING id, account_id, organisation_id)
			INSERT INTO visa_requests (registration_id, meeting_id, account_id, organisation_id, state, passport_name, birth_date,
				birth_place, nationality, passport_number, passport_issued, passport_expires, issuing_country, representation, due_on)
			SELECT reg.id, $1, reg.account_id, reg.organisation_id, 'processing',
				CASE WHEN reg.id % 2 = 0 THEN 'José Müller-Ñúñez ' || reg.id ELSE '李娜' || reg.id END,
				'1980-01-01', 'Zaragoza', 'Spanish', 'P' || reg.id, '2020-01-01', '2035-01-01', 'Spain',
				'Embassy of Switzerland in Madrid', current_date + 15
			FROM reg RETURNING id`, w.meeting.ID, n)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return ids
}

// BenchmarkIssue1000Letters issues 1,000 letters in one action of the secretariat (one
// transaction: locks, 1,000 PDFs rendered on every core, stored, audited, mailed) and reports
// letters per second and the time to the last letter. Run it with
//
//	go test ./internal/postgres -run '^$' -bench Issue1000Letters -benchtime 1x
func BenchmarkIssue1000Letters(b *testing.B) {
	for range b.N {
		b.StopTimer()
		w := newVisaWorldTB(b)
		ids := seedVisaRequests(b, w, 1000)
		b.StartTimer()
		start := time.Now()
		res, err := w.issueVisas(context.Background(), w.audit(secretariatAt), w.actor(secretariatAt), w.opts, ids, time.Now())
		elapsed := time.Since(start)
		b.StopTimer()
		if err != nil || len(res.Done) != len(ids) {
			b.Fatalf("issued %d of %d: %v %v", len(res.Done), len(ids), err, firstRefusal(res))
		}
		var stored int
		var bytes int64
		if err := w.db.Pool.QueryRow(context.Background(), `SELECT count(*), sum(length(pdf)) FROM visa_letters`).Scan(&stored, &bytes); err != nil || stored != len(ids) {
			b.Fatalf("%d letters stored: %v", stored, err)
		}
		b.ReportMetric(float64(len(ids))/elapsed.Seconds(), "letters/s")
		b.ReportMetric(elapsed.Seconds(), "s-to-last")
		b.ReportMetric(float64(bytes)/float64(stored)/1024, "KiB/letter")
		b.Logf("issued %d letters in %s (%.0f letters/s, %.0f KiB each)", len(ids), elapsed.Round(time.Millisecond),
			float64(len(ids))/elapsed.Seconds(), float64(bytes)/float64(stored)/1024)
		b.StartTimer()
	}
}

func firstRefusal(res service.VisaResult) error {
	for _, err := range res.Refused {
		return err
	}
	return nil
}
