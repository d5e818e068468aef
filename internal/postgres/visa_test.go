package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/service"
	"plenary/internal/visaletter"
	"plenary/web"
)

// visaWorld is a test database with the demo people as actors, the demo meeting (in the
// future, registration open) and a clock.
type visaWorld struct {
	t       testing.TB
	db      *postgres.DB
	meeting *domain.MeetingDetail
	now     time.Time
	opts    postgres.LetterOptions
	// actors by demo email
	actors map[string]domain.Actor
}

const (
	delegateMS    = "delegate.ms@plenary.test"
	focalMS       = "focal.ms@plenary.test"
	delegateSM    = "delegate.sm@plenary.test"
	focalSM       = "focal.sm@plenary.test"
	secretariatAt = "secretariat@plenary.test"
)

func newVisaWorld(t *testing.T) *visaWorld { return newVisaWorldTB(t) }

func newVisaWorldTB(t testing.TB) *visaWorld {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	fonts, err := visaletter.DefaultFonts()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	w := &visaWorld{t: t, db: db, opts: postgres.LetterOptions{Fonts: fonts, BaseURL: "http://plenary.test", Words: letterWords(t)}, actors: map[string]domain.Actor{}}
	ms, err := db.Meetings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if strings.HasPrefix(m.Slug, "sg13-wp-") && m.Slug != letterSlug {
			w.meeting = detailTB(t, db, m.Slug)
		}
	}
	if w.meeting == nil {
		t.Fatal("no demo meeting")
	}
	// Two months before the demo meeting: registration and visa requests are open.
	w.now = time.Date(w.meeting.FirstDay.Year(), w.meeting.FirstDay.Month(), w.meeting.FirstDay.Day(), 9, 0, 0, 0, time.UTC).AddDate(0, -2, 0)
	for _, e := range []string{delegateMS, focalMS, delegateSM, focalSM, secretariatAt} {
		acc, err := db.AccountByEmail(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := db.Actor(ctx, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.actors[e] = a
	}
	return w
}

func (w *visaWorld) actor(email string) domain.Actor { return w.actors[email] }

func (w *visaWorld) audit(email string) postgres.Audit {
	return postgres.Audit{ActorID: w.actors[email].ID, RemoteAddr: "192.0.2.7", RequestID: "visa-test"}
}

// register registers the delegate in person (or remote) for the demo meeting.
func (w *visaWorld) register(email string, mode domain.Mode) domain.Registration {
	w.t.Helper()
	a := w.actor(email)
	reg, err := w.db.Register(context.Background(), w.audit(email), a, w.meeting.ID, a.ID, domain.RegistrationRequest{Mode: mode}, w.now)
	if err != nil {
		w.t.Fatalf("register %s: %v", email, err)
	}
	return reg
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// passport returns valid passport data for the demo meeting.
func (w *visaWorld) passport(name string) domain.Passport {
	return domain.Passport{
		Name: name, BirthDate: day("1984-02-29"), BirthPlace: "Zaragoza", Nationality: "Spanish", Number: "PAE" + fmt.Sprint(len(name)) + "4471",
		Issued: day("2021-05-06"), Expires: w.meeting.LastDay.AddDate(5, 0, 0), IssuingCountry: "Spain",
		RepresentationID: new(w.representation("Madrid")),
	}
}

// representation returns the id of the Swiss representation in city (from the seeded list).
func (w *visaWorld) representation(city string) int64 {
	w.t.Helper()
	var id int64
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT id FROM swiss_representations WHERE city = $1`, city).Scan(&id); err != nil {
		w.t.Fatalf("representation in %s: %v", city, err)
	}
	return id
}

func (w *visaWorld) request(email string, reg domain.Registration, p domain.Passport) domain.VisaRequest {
	w.t.Helper()
	v, err := w.requestVisa(context.Background(), w.audit(email), w.actor(email), reg.ID, p, w.now)
	if err != nil {
		w.t.Fatalf("request visa: %v", err)
	}
	return v
}

func (w *visaWorld) approve(email string, reg domain.Registration) {
	w.t.Helper()
	res, err := decideRegistrations(context.Background(), w.db, w.audit(email), w.actor(email), []int64{reg.ID}, true, "", w.now)
	if err != nil || len(res.Done) != 1 {
		w.t.Fatalf("approve: %v %v", err, res.Refused)
	}
}

func (w *visaWorld) issue(ids ...int64) service.VisaResult {
	w.t.Helper()
	res, err := w.issueVisas(context.Background(), w.audit(secretariatAt), w.actor(secretariatAt), w.opts, ids, w.now)
	if err != nil {
		w.t.Fatalf("issue: %v", err)
	}
	return res
}

func (w *visaWorld) state(id int64) domain.VisaRequest {
	w.t.Helper()
	l, err := w.db.VisaRequest(context.Background(), w.actor(secretariatAt), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return l.VisaRequest
}

func (w *visaWorld) events(id int64) []string {
	w.t.Helper()
	evs, err := w.db.AuditTrail(context.Background(), "visa_request", id)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

func (w *visaWorld) mails(kind string, account int64) int {
	w.t.Helper()
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox WHERE kind = $1 AND account_id = $2`, kind, account).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// token returns the verification token of a request's letter of the given revision.
func (w *visaWorld) token(id int64, revision int) (token, reference string) {
	w.t.Helper()
	err := w.db.Pool.QueryRow(context.Background(), `SELECT token, reference FROM visa_letters WHERE visa_request_id = $1 AND revision = $2`, id, revision).Scan(&token, &reference)
	if err != nil {
		w.t.Fatal(err)
	}
	return token, reference
}

func wantCode(t *testing.T, err error, code domain.Code, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %s", what, code)
	}
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("%s: %v (%s), want %s", what, err, got, code)
	}
}

func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	e, ok := domain.AsError(err)
	if !ok || e.Fields[field] != key {
		t.Fatalf("error %v, want %s beside %s", err, key, field)
	}
}

func TestVisaRequestIsProcessedWhenTheRegistrationIsApprovedThenIssued(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	reg := w.register(delegateSM, domain.InPerson)
	if reg.State != domain.Pending {
		t.Fatalf("registration %s, want pending", reg.State)
	}
	v := w.request(delegateSM, reg, w.passport("José Müller-Ñúñez"))
	if v.State != domain.VisaRequested || v.DueOn != nil {
		t.Fatalf("new request: %s due %v, want requested with no due day", v.State, v.DueOn)
	}
	// A second request for the same registration is refused.
	_, err := w.requestVisa(ctx, w.audit(delegateSM), w.actor(delegateSM), reg.ID, w.passport("José Müller-Ñúñez"), w.now)
	wantCode(t, err, domain.Conflict, "second request")

	// The secretariat cannot issue before the focal point approves.
	res := w.issue(v.ID)
	if len(res.Done) != 0 || domain.ErrorCode(res.Refused[v.ID]) != domain.Conflict {
		t.Fatalf("issue before approval: %+v", res)
	}

	w.approve(focalSM, reg)
	v = w.state(v.ID)
	wantDue := domain.Today(w.now, w.meeting.Location()).AddDate(0, 0, 15)
	if v.State != domain.VisaProcessing || v.DueOn == nil || !v.DueOn.Equal(wantDue) {
		t.Fatalf("after approval: %s due %v, want processing due %s", v.State, v.DueOn, ymd(wantDue))
	}
	if v.Overdue(w.now, w.meeting.Location()) || !v.Overdue(w.now.AddDate(0, 0, 16), w.meeting.Location()) {
		t.Error("overdue: want false today and true 16 days later")
	}

	res = w.issue(v.ID)
	if len(res.Done) != 1 {
		t.Fatalf("issue: %+v", res)
	}
	v = w.state(v.ID)
	if v.State != domain.VisaIssued || v.Revision != 1 || v.DecidedBy == nil || *v.DecidedBy != w.actor(secretariatAt).ID {
		t.Fatalf("after issue: %+v", v)
	}
	f, err := w.letterPDF(ctx, w.actor(delegateSM), v.ID)
	if err != nil || !strings.HasPrefix(string(f.PDF), "%PDF-") {
		t.Fatalf("letter: %v, %d bytes", err, len(f.PDF))
	}
	if want := strings.ToUpper(w.meeting.Slug) + fmt.Sprintf("/V%05d", v.ID); f.Reference != want {
		t.Errorf("reference %q, want %q", f.Reference, want)
	}
	if n := w.mails(postgres.MailVisaIssued, w.actor(delegateSM).ID); n != 1 {
		t.Errorf("%d issued mails, want 1", n)
	}
	// Issuing again changes nothing.
	if res := w.issue(v.ID); len(res.Done) != 0 || domain.ErrorCode(res.Refused[v.ID]) != domain.Conflict {
		t.Errorf("second issue: %+v", res)
	}
	token, _ := w.token(v.ID, 1)
	if len(token) < 26 {
		t.Errorf("token %q is shorter than 128 bits in base32", token)
	}
	c, err := w.verifyLetter(ctx, token)
	if err != nil || c.Status != domain.LetterValid || c.HolderName != "José Müller-Ñúñez" || c.Reference != f.Reference {
		t.Fatalf("verify: %+v %v", c, err)
	}

	// Cancelling the registration withdraws the letter.
	if err := cancelRegistration(ctx, w.db, w.audit(delegateSM), w.actor(delegateSM), reg.ID, w.now); err != nil {
		t.Fatal(err)
	}
	if v = w.state(v.ID); v.State != domain.VisaWithdrawn {
		t.Fatalf("after cancel: %s", v.State)
	}
	if c, _ := w.verifyLetter(ctx, token); c.Status != domain.LetterWithdrawn {
		t.Errorf("verify after cancel: %s", c.Status)
	}
	if _, err := w.letterPDF(ctx, w.actor(delegateSM), v.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("letter of a withdrawn request: %v", err)
	}
	got := strings.Join(w.events(v.ID), ",")
	if want := "visa_request.request,visa_request.process,visa_request.issue,visa_request.withdraw"; got != want {
		t.Errorf("audit trail %s, want %s", got, want)
	}
}

func TestVisaRequestOfAnApprovedRegistrationIsProcessingAtOnce(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	// A focal point's own registration is approved at once.
	reg := w.register(focalMS, domain.InPerson)
	if reg.State != domain.Approved {
		t.Fatalf("registration %s", reg.State)
	}
	v := w.request(focalMS, reg, w.passport("ZHANG WEI"))
	if v.State != domain.VisaProcessing || v.DueOn == nil {
		t.Fatalf("request: %s %v, want processing with a due day", v.State, v.DueOn)
	}
	if got := strings.Join(w.events(v.ID), ","); got != "visa_request.request,visa_request.process" {
		t.Errorf("audit trail %s", got)
	}
}

func TestVisaRequestIsWithdrawnWhenTheRegistrationBecomesRemoteOrIsRejected(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	reg := w.register(delegateSM, domain.InPerson)
	v := w.request(delegateSM, reg, w.passport("José Müller-Ñúñez"))
	if _, err := changeMode(ctx, w.db, w.audit(delegateSM), w.actor(delegateSM), reg.ID, domain.Remote, w.now); err != nil {
		t.Fatal(err)
	}
	if v = w.state(v.ID); v.State != domain.VisaWithdrawn {
		t.Fatalf("after switching to remote: %s", v.State)
	}
	// Back in person, a new request can be made; the withdrawn one stays.
	if _, err := changeMode(ctx, w.db, w.audit(delegateSM), w.actor(delegateSM), reg.ID, domain.InPerson, w.now); err != nil {
		t.Fatal(err)
	}
	v2 := w.request(delegateSM, domain.Registration{ID: reg.ID}, w.passport("José Müller-Ñúñez"))
	if v2.ID == v.ID || v2.State != domain.VisaRequested {
		t.Fatalf("new request %+v", v2)
	}
	res, err := decideRegistrations(ctx, w.db, w.audit(focalSM), w.actor(focalSM), []int64{reg.ID}, false, "No budget", w.now)
	if err != nil || len(res.Done) != 1 {
		t.Fatalf("reject: %v %v", err, res.Refused)
	}
	if v2 = w.state(v2.ID); v2.State != domain.VisaWithdrawn {
		t.Fatalf("after rejection: %s", v2.State)
	}
}

func TestVisaDeclineNeedsAReasonAndTellsTheDelegate(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	reg := w.register(delegateMS, domain.InPerson)
	v := w.request(delegateMS, reg, w.passport("LI NA"))
	_, err := w.declineVisa(ctx, w.audit(secretariatAt), w.actor(secretariatAt), v.ID, "  ", w.now)
	wantField(t, err, "reason", "error.visa_reason_required")
	out, err := w.declineVisa(ctx, w.audit(secretariatAt), w.actor(secretariatAt), v.ID, "The passport number does not match the copy sent.", w.now)
	if err != nil || out.State != domain.VisaDeclined {
		t.Fatalf("decline: %v %+v", err, out)
	}
	if n := w.mails(postgres.MailVisaDeclined, w.actor(delegateMS).ID); n != 1 {
		t.Errorf("%d declined mails", n)
	}
	// Declined is final: neither issued nor declined again, and it stays when the registration
	// is cancelled.
	_, err = w.declineVisa(ctx, w.audit(secretariatAt), w.actor(secretariatAt), v.ID, "again", w.now)
	wantCode(t, err, domain.Conflict, "decline twice")
	if err := cancelRegistration(ctx, w.db, w.audit(delegateMS), w.actor(delegateMS), reg.ID, w.now); err != nil {
		t.Fatal(err)
	}
	if got := w.state(v.ID); got.State != domain.VisaDeclined || got.Reason == "" {
		t.Errorf("after cancel: %s %q", got.State, got.Reason)
	}
}

func TestVisaRequestValidation(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	reg := w.register(delegateSM, domain.InPerson)
	try := func(p domain.Passport, now time.Time) error {
		_, err := w.requestVisa(ctx, w.audit(delegateSM), w.actor(delegateSM), reg.ID, p, now)
		return err
	}
	p := w.passport("José Müller-Ñúñez")
	p.Expires = w.meeting.LastDay.AddDate(0, 3, -1)
	wantField(t, try(p, w.now), domain.FieldExpires, "error.visa_expires_too_soon")
	p.Expires = w.meeting.LastDay.AddDate(0, 3, 0) // exactly three months after: accepted below

	q := p
	q.BirthDate = q.Issued.AddDate(0, 0, 1)
	wantField(t, try(q, w.now), domain.FieldIssued, "error.visa_issued_before_birth")
	q = p
	q.Expires = q.Issued
	wantField(t, try(q, w.now), domain.FieldExpires, "error.visa_expires_before_issue")
	q = p
	q.BirthDate = w.now.AddDate(0, 0, 2)
	wantField(t, try(q, w.now), domain.FieldBirthDate, "error.visa_birth_date")
	q = p
	q.Issued = w.now.AddDate(0, 1, 0)
	wantField(t, try(q, w.now), domain.FieldIssued, "error.visa_issued_future")
	q = p
	q.Number = ""
	wantField(t, try(q, w.now), domain.FieldPassportNumber, "error.visa_required")

	// After the visa deadline: the end of that day in the meeting's time zone.
	dl := w.meeting.Deadline(domain.VisaSupportRequest)
	loc := w.meeting.Location()
	lastMinute := domain.EndOfDay(dl.Day, loc).Add(-time.Minute)
	late := domain.EndOfDay(dl.Day, loc)
	wantField(t, try(p, late), domain.FieldVisa, "error.visa_deadline_passed")
	if err := try(p, lastMinute); err != nil {
		t.Fatalf("a request a minute before the deadline: %v", err)
	}

	// A remote registration has no visa letter.
	remote := w.register(delegateMS, domain.Remote)
	_, err := w.requestVisa(ctx, w.audit(delegateMS), w.actor(delegateMS), remote.ID, w.passport("LI NA"), w.now)
	wantField(t, err, domain.FieldVisa, "error.visa_remote")
	// Nor can anyone but the registrant (or the secretariat) ask for one.
	_, err = w.requestVisa(ctx, w.audit(focalMS), w.actor(focalMS), remote.ID, w.passport("LI NA"), w.now)
	wantCode(t, err, domain.Forbidden, "focal point requesting for a delegate")
	_, err = w.requestVisa(ctx, w.audit(delegateSM), w.actor(delegateSM), remote.ID, w.passport("LI NA"), w.now)
	wantCode(t, err, domain.NotFound, "another delegate requesting")
}

// The permission matrix: who may see the passport data, download the letter, issue, decline.
func TestVisaPermissionMatrix(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	reg := w.register(delegateSM, domain.InPerson)
	w.approve(focalSM, reg)
	issued := w.request(delegateSM, reg, w.passport("José Müller-Ñúñez"))
	w.issue(issued.ID)
	reg2 := w.register(focalSM, domain.InPerson)
	open := w.request(focalSM, reg2, w.passport("Aino Virtanen"))

	type row struct {
		who                                     string
		seeState, seePassport, download, decide bool
	}
	rows := []row{
		{delegateSM, true, true, true, false},    // the owner
		{delegateMS, false, false, false, false}, // another delegate
		{focalSM, true, false, false, false},     // the focal point of the owner's organisation
		{focalMS, false, false, false, false},    // another organisation's focal point
		{secretariatAt, true, true, true, true},  // the secretariat
		{"visitor", false, false, false, false},  // nobody signed in
	}
	for _, r := range rows {
		a := w.actors[r.who] // the zero Actor for the visitor
		l, err := w.db.VisaRequest(ctx, a, issued.ID)
		if r.seeState != (err == nil) {
			t.Errorf("%s sees the request: %v, want %v", r.who, err == nil, r.seeState)
		}
		if err == nil && (l.Name != "") != r.seePassport {
			t.Errorf("%s sees the passport name %q, want %v", r.who, l.Name, r.seePassport)
		}
		if err == nil && !r.seePassport && (l.Number != "" || !l.BirthDate.IsZero() || l.Reference != nil) {
			t.Errorf("%s sees passport data: %+v", r.who, l.Passport)
		}
		states, err := w.db.VisaStates(ctx, a, []int64{reg.ID})
		if err != nil || (states[reg.ID] == domain.VisaIssued) != r.seeState {
			t.Errorf("%s: visa states %v (%v), want seen %v", r.who, states, err, r.seeState)
		}
		_, err = w.letterPDF(ctx, a, issued.ID)
		if r.download != (err == nil) {
			t.Errorf("%s downloads the letter: %v, want %v", r.who, err, r.download)
		}
		if !r.download {
			wantCode(t, err, domain.NotFound, r.who+" downloading")
		}
		if r.who == secretariatAt {
			continue // it decides below, once every refusal is checked
		}
		res, err := w.issueVisas(ctx, w.audit(r.who), a, w.opts, []int64{open.ID}, w.now)
		if err != nil || len(res.Done) != 0 || res.Refused[open.ID] == nil {
			t.Errorf("%s issues: %+v %v", r.who, res, err)
		}
		_, err = w.declineVisa(ctx, w.audit(r.who), a, open.ID, "no", w.now)
		if err == nil {
			t.Errorf("%s declines: allowed", r.who)
		}
		if _, err := w.db.ListVisas(ctx, a, postgres.VisaFilter{MeetingID: w.meeting.ID}); domain.ErrorCode(err) != domain.Forbidden {
			t.Errorf("%s lists the queue: %v", r.who, err)
		}
	}
	if got := w.state(open.ID); got.State != domain.VisaProcessing {
		t.Fatalf("after refused actions: %s", got.State)
	}
	if _, err := w.declineVisa(ctx, w.audit(secretariatAt), w.actor(secretariatAt), open.ID, "Incomplete.", w.now); err != nil {
		t.Errorf("secretariat declines: %v", err)
	}
}

func TestVisaIssueIsOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	reg := w.register(focalSM, domain.InPerson)
	v := w.request(focalSM, reg, w.passport("Aino Virtanen"))
	var wg sync.WaitGroup
	results := make([]service.VisaResult, 4)
	var cancelErr error
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := w.issueVisas(ctx, w.audit(secretariatAt), w.actor(secretariatAt), w.opts, []int64{v.ID}, w.now)
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		cancelErr = cancelRegistration(ctx, w.db, w.audit(focalSM), w.actor(focalSM), reg.ID, w.now)
	}()
	wg.Wait()
	if cancelErr != nil {
		t.Fatal(cancelErr)
	}
	done := 0
	for _, r := range results {
		done += len(r.Done)
	}
	var letters int
	if err := w.db.Pool.QueryRow(ctx, `SELECT count(*) FROM visa_letters WHERE visa_request_id = $1`, v.ID).Scan(&letters); err != nil {
		t.Fatal(err)
	}
	if done > 1 || letters != done {
		t.Fatalf("%d issues succeeded and %d letters stored, want at most one of each, equal", done, letters)
	}
	// Whatever the order, the cancelled registration's request ends withdrawn.
	if got := w.state(v.ID); got.State != domain.VisaWithdrawn {
		t.Fatalf("final state %s, want withdrawn", got.State)
	}
}

func TestVisaPassportChangeAfterIssueMakesANewRevision(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	reg := w.register(focalMS, domain.InPerson)
	v := w.request(focalMS, reg, w.passport("ZHANG WEI"))
	// The owner may correct an open request; that is no new letter.
	p := w.passport("ZHANG WEI MING")
	if _, err := w.updatePassport(ctx, w.audit(focalMS), w.actor(focalMS), w.opts, v.ID, p, w.now); err != nil {
		t.Fatal(err)
	}
	w.issue(v.ID)
	oldToken, oldRef := w.token(v.ID, 1)
	// Once issued, the owner must ask the secretariat.
	_, err := w.updatePassport(ctx, w.audit(focalMS), w.actor(focalMS), w.opts, v.ID, w.passport("ZHANG WEI"), w.now)
	wantCode(t, err, domain.Conflict, "owner changing an issued letter")
	later := w.now.Add(48 * time.Hour)
	out, err := w.updatePassport(ctx, w.audit(secretariatAt), w.actor(secretariatAt), w.opts, v.ID, w.passport("ZHANG WEI"), later)
	if err != nil || out.Revision != 2 || out.State != domain.VisaIssued {
		t.Fatalf("secretariat change: %v %+v", err, out)
	}
	newToken, newRef := w.token(v.ID, 2)
	if newToken == oldToken || newRef != oldRef+"-R2" {
		t.Errorf("revision 2: token %s (old %s), reference %s (old %s)", newToken, oldToken, newRef, oldRef)
	}
	old, err := w.verifyLetter(ctx, oldToken)
	if err != nil || old.Status != domain.LetterSuperseded || old.Current != newRef || old.HolderName != "ZHANG WEI MING" {
		t.Errorf("old letter: %+v %v", old, err)
	}
	cur, err := w.verifyLetter(ctx, strings.ToUpper(newToken))
	if err != nil || cur.Status != domain.LetterValid || cur.HolderName != "ZHANG WEI" {
		t.Errorf("new letter: %+v %v", cur, err)
	}
	f, err := w.letterPDF(ctx, w.actor(focalMS), v.ID)
	if err != nil || f.Reference != newRef {
		t.Errorf("download after revision: %v %s", err, f.Reference)
	}
	if n := w.mails(postgres.MailVisaIssued, w.actor(focalMS).ID); n != 2 {
		t.Errorf("%d issued mails, want 2", n)
	}
	if got := strings.Join(w.events(v.ID), ","); got != "visa_request.request,visa_request.process,visa_request.update,visa_request.issue,visa_request.reissue" {
		t.Errorf("audit trail %s", got)
	}
	if _, err := w.verifyLetter(ctx, "abcdefghijklmnopqrstuvwxyz234567"); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("unknown token: %v", err)
	}
}

func TestVisaDataAreErasedAfterTheRetentionPeriod(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	reg := w.register(focalSM, domain.InPerson)
	v := w.request(focalSM, reg, w.passport("Aino Virtanen"))
	w.issue(v.ID)
	token, _ := w.token(v.ID, 1)
	loc := w.meeting.Location()
	dueAt := domain.EndOfDay(w.meeting.LastDay.AddDate(0, 0, 90), loc)

	res, err := w.db.EraseVisaData(ctx, 90, dueAt.Add(-time.Second))
	if err != nil || res.Requests != 0 {
		t.Fatalf("a second early: %+v %v", res, err)
	}
	// Another instance holding the lock makes this run skip.
	conn, err := w.db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(0x706c6e7276697361)); err != nil {
		t.Fatal(err)
	}
	res, err = w.db.EraseVisaData(ctx, 90, dueAt)
	if err != nil || !res.Skipped {
		t.Fatalf("with the lock held elsewhere: %+v %v", res, err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, int64(0x706c6e7276697361)); err != nil {
		t.Fatal(err)
	}
	conn.Release()

	res, err = w.db.EraseVisaData(ctx, 90, dueAt)
	if err != nil || res.Requests != 1 || res.Letters != 1 {
		t.Fatalf("erasure: %+v %v", res, err)
	}
	got := w.state(v.ID)
	if got.ErasedAt == nil || got.Name != "" || got.Number != "" || !got.BirthDate.IsZero() || !got.Expires.IsZero() || got.Representation != "" {
		t.Errorf("after erasure: %+v", got)
	}
	var pdfNull bool
	var holder string
	if err := w.db.Pool.QueryRow(ctx, `SELECT pdf IS NULL, holder_name FROM visa_letters WHERE visa_request_id = $1`, v.ID).Scan(&pdfNull, &holder); err != nil {
		t.Fatal(err)
	}
	if !pdfNull || holder != "" {
		t.Errorf("letter after erasure: pdf null %v, holder %q", pdfNull, holder)
	}
	c, err := w.verifyLetter(ctx, token)
	if err != nil || c.Status != domain.LetterExpired || c.HolderName != "" {
		t.Errorf("verify after erasure: %+v %v", c, err)
	}
	if _, err := w.letterPDF(ctx, w.actor(focalSM), v.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("download after erasure: %v", err)
	}
	_, err = w.updatePassport(ctx, w.audit(secretariatAt), w.actor(secretariatAt), w.opts, v.ID, w.passport("Aino"), dueAt)
	wantCode(t, err, domain.Conflict, "changing erased data")
	if res, err := w.db.EraseVisaData(ctx, 90, dueAt.Add(time.Hour)); err != nil || res.Requests != 0 || res.Letters != 0 {
		t.Errorf("second run: %+v %v", res, err)
	}
	if evs := w.events(v.ID); evs[len(evs)-1] != "visa_request.erase" {
		t.Errorf("audit trail %v", evs)
	}
}

func TestVisaQueueFiltersAndOrders(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	a := w.register(focalSM, domain.InPerson)
	va := w.request(focalSM, a, w.passport("Aino Virtanen"))
	b := w.register(delegateMS, domain.InPerson)
	pb := w.passport("LI NA")
	pb.Nationality = "Chinese"
	vb := w.request(delegateMS, b, pb)
	q, err := w.db.ListVisas(ctx, w.actor(secretariatAt), postgres.VisaFilter{MeetingID: w.meeting.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Lines) != 2 || q.Lines[0].ID != va.ID || q.Counts[domain.VisaProcessing] != 1 || q.Counts[domain.VisaRequested] != 1 {
		t.Fatalf("queue: %d lines, first %d, counts %v", len(q.Lines), q.Lines[0].ID, q.Counts)
	}
	if strings.Join(q.Nationalities, ",") != "Chinese,Spanish" {
		t.Errorf("nationalities %v", q.Nationalities)
	}
	q, err = w.db.ListVisas(ctx, w.actor(secretariatAt), postgres.VisaFilter{MeetingID: w.meeting.ID, Nationality: "chinese"})
	if err != nil || len(q.Lines) != 1 || q.Lines[0].ID != vb.ID {
		t.Fatalf("by nationality: %v %+v", err, q.Lines)
	}
	q, err = w.db.ListVisas(ctx, w.actor(secretariatAt), postgres.VisaFilter{MeetingID: w.meeting.ID, State: domain.VisaProcessing})
	if err != nil || len(q.Lines) != 1 || q.Lines[0].ID != va.ID || q.Counts[domain.VisaRequested] != 1 {
		t.Fatalf("by state: %v %+v %v", err, q.Lines, q.Counts)
	}
	var n int
	err = w.db.EachVisa(ctx, w.actor(secretariatAt), postgres.VisaFilter{MeetingID: w.meeting.ID}, func(postgres.VisaLine) error { n++; return nil })
	if err != nil || n != 2 {
		t.Errorf("export: %d lines, %v", n, err)
	}
	stop := errors.New("stop")
	if err := w.db.EachVisa(ctx, w.actor(secretariatAt), postgres.VisaFilter{MeetingID: w.meeting.ID}, func(postgres.VisaLine) error { return stop }); err != stop {
		t.Errorf("export stops on the callback's error: %v", err)
	}
}

func detailTB(t testing.TB, db *postgres.DB, slug string) *domain.MeetingDetail {
	t.Helper()
	d, err := db.MeetingDetail(context.Background(), slug)
	if err != nil {
		t.Fatalf("MeetingDetail(%s): %v", slug, err)
	}
	return d
}

// A registration and the visa request ticked on its form are stored together or not at all.
func TestRegisterWithVisaIsOneTransaction(t *testing.T) {
	t.Parallel()
	w := newVisaWorldTB(t)
	ctx := context.Background()
	a := w.actor(delegateSM)
	p := w.passport("José Müller-Ñúñez")
	// Remote: the visa part is refused beside its field, and nothing is registered.
	_, err := w.db.RegisterWithVisa(ctx, w.audit(delegateSM), a, w.meeting.ID, a.ID, domain.RegistrationRequest{Mode: domain.Remote}, &p, w.now)
	if e, ok := domain.AsError(err); !ok || e.Fields[domain.FieldVisa] != "error.visa_remote" {
		t.Fatalf("remote with a visa request: %v", err)
	}
	var n int
	if err := w.db.Pool.QueryRow(ctx, `SELECT count(*) FROM registrations WHERE account_id = $1`, a.ID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d registrations left by a refused form (%v)", n, err)
	}
	// In person: both are stored.
	reg, err := w.db.RegisterWithVisa(ctx, w.audit(delegateSM), a, w.meeting.ID, a.ID, domain.RegistrationRequest{Mode: domain.InPerson}, &p, w.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.Pool.QueryRow(ctx, `SELECT count(*) FROM visa_requests WHERE registration_id = $1 AND state = 'requested'`, reg.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d visa requests with the registration (%v)", n, err)
	}
}

// letterWords are the real catalogue's languages, which letters are written in.
func letterWords(t testing.TB) func(string) visaletter.Words {
	t.Helper()
	cat, err := i18n.Load(web.Locales())
	if err != nil {
		t.Fatal(err)
	}
	return func(lang string) visaletter.Words { return cat.For(lang) }
}

// The secretariat's correction of an issued letter renders the new letter holding no lock: while
// it is prepared, another connection can lock the request and its registration at once (NOWAIT).
// A change to what the letter states made meanwhile has the correction refused, nothing of it
// stored; made again, it goes through.
func TestACorrectedLetterIsRenderedWithoutALock(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	reg := w.register(focalMS, domain.InPerson)
	v := w.request(focalMS, reg, w.passport("ZHANG WEI"))
	w.issue(v.ID)
	later := w.now.Add(48 * time.Hour)

	var during func() error
	var duringErr error
	calls := 0
	opts := w.opts
	opts.Words = func(lang string) visaletter.Words {
		calls++
		if during != nil && duringErr == nil {
			duringErr = during()
		}
		return w.opts.Words(lang)
	}
	other, err := w.db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	// A lock held by the correction would make the change meanwhile wait for ever: two seconds
	// tell.
	if _, err := other.Exec(ctx, `SET lock_timeout = '2s'`); err != nil {
		t.Fatal(err)
	}
	lockNow := func() error {
		tx, err := other.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SELECT 1 FROM registrations WHERE id = $1 FOR UPDATE NOWAIT`, reg.ID); err != nil {
			return fmt.Errorf("the registration is locked while the letter is prepared: %w", err)
		}
		if _, err := tx.Exec(ctx, `SELECT 1 FROM visa_requests WHERE id = $1 FOR UPDATE NOWAIT`, v.ID); err != nil {
			return fmt.Errorf("the request is locked while the letter is prepared: %w", err)
		}
		return nil
	}

	// Meanwhile the delegate changes their co-located events (what the period of stay covers).
	during = func() error {
		_, err := other.Exec(ctx, `UPDATE registrations SET updated_at = updated_at + interval '1 second' WHERE id = $1`, reg.ID)
		return err
	}
	_, err = w.updatePassport(ctx, w.audit(secretariatAt), w.actor(secretariatAt), opts, v.ID, w.passport("ZHANG WEI MING"), later)
	wantCode(t, err, domain.Conflict, "a correction whose letter changed meanwhile")
	if duringErr != nil || calls == 0 {
		t.Fatalf("the change meanwhile: %v (%d letters prepared)", duringErr, calls)
	}
	if got := w.state(v.ID); got.Revision != 1 || got.Name != "ZHANG WEI" {
		t.Errorf("the refused correction changed the request: revision %d, name %q", got.Revision, got.Name)
	}
	var letters int
	if err := w.db.Pool.QueryRow(ctx, `SELECT count(*) FROM visa_letters WHERE visa_request_id = $1`, v.ID).Scan(&letters); err != nil || letters != 1 {
		t.Errorf("%d letters after the refused correction (%v), want 1", letters, err)
	}

	during, duringErr, calls = lockNow, nil, 0
	out, err := w.updatePassport(ctx, w.audit(secretariatAt), w.actor(secretariatAt), opts, v.ID, w.passport("ZHANG WEI MING"), later)
	if err != nil || out.Revision != 2 {
		t.Fatalf("the correction made again: %v %+v", err, out)
	}
	if calls == 0 {
		t.Fatal("no letter was prepared")
	}
	if duringErr != nil {
		t.Error(duringErr)
	}
	cur, err := w.letterPDF(ctx, w.actor(focalMS), v.ID)
	if err != nil || !strings.HasSuffix(cur.Reference, "-R2") {
		t.Errorf("the corrected letter: %v %q", err, cur.Reference)
	}
}
