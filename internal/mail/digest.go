package mail

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/postgres"
)

// Digests makes the daily digests of new requests that are due: for each focal point who chose
// one and each meeting with requests waiting, once its time of day has come in the meeting's time
// zone. The digest is written before the short transaction that claims the day and folds the
// requests in (no lock is held while it is written), so several instances may run it at once:
// the day's claim lets one of them make it. It returns how many digests were queued.
func Digests(ctx context.Context, db *postgres.DB, cat *i18n.Catalogue, baseURL string, now time.Time) (int, error) {
	batches, err := db.WaitingDigests(ctx)
	if err != nil {
		return 0, err
	}
	baseURL = strings.TrimRight(baseURL, "/")
	made := 0
	for _, b := range batches {
		loc, err := time.LoadLocation(b.TimeZone)
		if err != nil {
			return made, fmt.Errorf("digest of meeting %d: %w", b.MeetingID, err)
		}
		day, due := domain.DigestDue(now, b.DigestAt, loc)
		if !due {
			continue
		}
		subject, body := writeDigest(cat, baseURL, b, day)
		ok, err := db.MakeDigest(ctx, b, day, subject, body)
		if err != nil {
			return made, err
		}
		if ok {
			made++
		}
	}
	return made, nil
}

// writeDigest writes a digest in its recipient's language: the meeting, the requests by name and
// where to decide them.
func writeDigest(cat *i18n.Catalogue, baseURL string, b postgres.DigestBatch, day time.Time) (subject, body string) {
	t := cat.For(b.Language)
	meeting := b.MeetingTitle.In(t.Lang.Tag)
	subject = t.T("mail.digest.subject", "Count", len(b.Names), "Meeting", meeting, "Date", t.Date(day))
	var lines []string
	for _, n := range b.Names {
		lines = append(lines, "- "+n)
	}
	url := fmt.Sprintf("%s/focal?meeting=%d&state=pending", baseURL, b.MeetingID)
	paras := []string{
		t.T("mail.greeting", "Name", b.Name),
		t.T("mail.digest.body", "Count", len(b.Names), "Meeting", meeting, "Dates", t.DateRange(b.FirstDay, b.LastDay)),
		strings.Join(lines, "\n"),
		t.T("mail.digest.decide", "URL", url),
		t.T("mail.digest.why", "Time", b.DigestAt.String(), "URL", baseURL+"/focal#mail-h"),
		"-- \n" + t.T("mail.footer", "Site", baseURL),
	}
	return strings.Join(strings.Fields(subject), " "), strings.Join(paras, "\n\n") + "\n"
}

// RunDigests makes the due digests every interval until ctx ends, then closes done.
func RunDigests(ctx context.Context, db *postgres.DB, cat *i18n.Catalogue, baseURL string, log *slog.Logger, interval time.Duration, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if n, err := Digests(ctx, db, cat, baseURL, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("daily digests", "err", err)
		} else if n > 0 {
			log.Info("daily digests queued", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
