package postgres_test

import (
	"context"
	"time"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// optsLetters writes letters with the test's letter options (fonts, address, words).
type optsLetters struct {
	db   *postgres.DB
	opts postgres.LetterOptions
}

func (l optsLetters) WriteLetters(ctx context.Context, actor domain.Actor, vs []domain.VisaRequest, now time.Time) ([]service.Letter, error) {
	return l.db.WriteLetters(ctx, l.opts, actor, vs, now)
}

// visas are the visa use cases (internal/service) over the test's store, at now, writing
// letters with opts: the store tests' scenarios run them as the site does.
func (w *visaWorld) visas(opts postgres.LetterOptions, now time.Time) *service.Visas {
	return service.NewVisas(service.VisasDeps{
		Tx:      postgres.TxFor(w.db, func(t *postgres.Tx) service.VisaTx { return t }),
		Reads:   w.db,
		Letters: optsLetters{db: w.db, opts: opts},
		Now:     func() time.Time { return now },
	})
}

func (w *visaWorld) issueVisas(ctx context.Context, a postgres.Audit, actor domain.Actor, opts postgres.LetterOptions, ids []int64, now time.Time) (service.VisaResult, error) {
	return w.visas(opts, now).Issue(ctx, a, actor, ids)
}

func (w *visaWorld) requestVisa(ctx context.Context, a postgres.Audit, actor domain.Actor, registrationID int64, p domain.Passport, now time.Time) (domain.VisaRequest, error) {
	return w.visas(w.opts, now).Request(ctx, a, actor, registrationID, p)
}

func (w *visaWorld) declineVisa(ctx context.Context, a postgres.Audit, actor domain.Actor, id int64, reason string, now time.Time) (domain.VisaRequest, error) {
	return w.visas(w.opts, now).Decline(ctx, a, actor, id, reason)
}

func (w *visaWorld) updatePassport(ctx context.Context, a postgres.Audit, actor domain.Actor, opts postgres.LetterOptions, id int64, p domain.Passport, now time.Time) (domain.VisaRequest, error) {
	return w.visas(opts, now).UpdatePassport(ctx, a, actor, id, p)
}

func (w *visaWorld) letterPDF(ctx context.Context, actor domain.Actor, id int64) (domain.LetterFile, error) {
	return w.visas(w.opts, w.now).Letter(ctx, actor, id)
}

func (w *visaWorld) verifyLetter(ctx context.Context, token string) (domain.LetterCheck, error) {
	return w.visas(w.opts, w.now).Verify(ctx, token)
}
