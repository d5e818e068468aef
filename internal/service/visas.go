package service

import (
	"context"
	"time"

	"plenary/internal/domain"
)

// Mail kinds the visa use cases queue, to the delegate.
const (
	MailVisaIssued   = "visa_request.issued"   // the letter is ready: a link to download it, signed in
	MailVisaDeclined = "visa_request.declined" // with the reason
)

// Letter is one visa letter written and rendered, to be stored with its request's issue.
type Letter struct {
	VisaID, MeetingID int64
	Revision          int
	Reference, Token  string
	HolderName        string
	IssuedOn          time.Time
	IssuedAt          time.Time
	IssuedBy          int64
	PDF               []byte
}

// LetterStamp says whether anything a letter states changed since it was read: its request,
// its registration (the co-located events attended), its meeting.
type LetterStamp struct {
	Visa, Registration time.Time
	Meeting            int64
}

// VisaResult says what an action on many visa requests did.
type VisaResult struct {
	Done []int64
	// Refused maps each request that was not changed to why.
	Refused map[int64]error
}

// VisaTx is what the visa use cases do inside their transaction.
type VisaTx interface {
	// LockRegistrations reads registrations for update, in id order.
	LockRegistrations(ctx context.Context, ids []int64) ([]domain.Registration, error)
	// LockVisaRequests reads visa requests for update, in id order, after their registrations
	// (shared), the order the registration use cases lock them in.
	LockVisaRequests(ctx context.Context, ids []int64) ([]domain.VisaRequest, error)
	// VisaRequests reads visa requests without a lock.
	VisaRequests(ctx context.Context, ids []int64) ([]domain.VisaRequest, error)
	// VisaMeeting reads a meeting with its visa support request deadline (the secretariat's
	// date or the default one).
	VisaMeeting(ctx context.Context, id int64) (domain.Meeting, domain.Deadline, error)
	// ChooseRepresentation names the representation p chooses: an active one, or current, the
	// one the request names already; an unknown or retired one is no choice (nil).
	ChooseRepresentation(ctx context.Context, p domain.Passport, current *int64) (domain.Passport, error)
	// InsertVisaRequest stores a new request and returns its id; a registration with a live
	// request already is Conflict.
	InsertVisaRequest(ctx context.Context, v domain.VisaRequest, now time.Time) (int64, error)
	// SaveVisaDeclined stores a request declined (state, reason, decided by and at).
	SaveVisaDeclined(ctx context.Context, v domain.VisaRequest) error
	// SaveVisasIssued stores requests issued (state, revision, decided by and at).
	SaveVisasIssued(ctx context.Context, vs []domain.VisaRequest, by int64, now time.Time) error
	// SavePassport stores a request's passport data, revision and decision.
	SavePassport(ctx context.Context, v domain.VisaRequest, now time.Time) error
	// SupersedeLetters marks the current letter of a request superseded.
	SupersedeLetters(ctx context.Context, visaID int64, now time.Time) error
	// StoreLetters stores letters written and rendered beforehand.
	StoreLetters(ctx context.Context, ls []Letter) error
	// LetterStamps reads what says whether a letter's facts changed, by request.
	LetterStamps(ctx context.Context, ids []int64) (map[int64]LetterStamp, error)
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
	QueueMail(ctx context.Context, mail []Mail) error
}

// VisaReads are what the visa pages read outside a transaction.
type VisaReads interface {
	// Registration returns a registration actor may see (else NotFound).
	Registration(ctx context.Context, actor domain.Actor, id int64) (domain.RegistrationLine, error)
	// VisaOfRegistration returns a registration's request (the live one, else the latest
	// withdrawn one) as actor may see it, or nil.
	VisaOfRegistration(ctx context.Context, actor domain.Actor, registrationID int64) (*domain.VisaLine, error)
	AuditTrail(ctx context.Context, entity string, id int64) ([]domain.AuditEvent, error)
	MeetingDetailByID(ctx context.Context, id int64) (*domain.MeetingDetail, error)
	// ListVisas returns a meeting's requests for the queue, with the counts per state and the
	// nationalities to filter by.
	ListVisas(ctx context.Context, actor domain.Actor, f domain.VisaFilter) (domain.VisaQueue, error)
	// EachVisa streams a meeting's requests matching f, in queue order.
	EachVisa(ctx context.Context, actor domain.Actor, f domain.VisaFilter, fn func(domain.VisaLine) error) error
	EffectiveLetterSettings(ctx context.Context, meetingID int64) (domain.LetterSettings, error)
	// VisaRequests reads visa requests (no lock).
	VisaRequests(ctx context.Context, ids []int64) ([]domain.VisaRequest, error)
	// LetterStamps reads what says whether a letter's facts changed, by request.
	LetterStamps(ctx context.Context, ids []int64) (map[int64]LetterStamp, error)
	// CurrentLetter returns the current letter of a request with the request (its owner,
	// organisation and state); NotFound when there is none.
	CurrentLetter(ctx context.Context, visaID int64) (domain.VisaRequest, domain.LetterFile, error)
	// VerifyLetter looks a letter up by its token (NotFound when unknown).
	VerifyLetter(ctx context.Context, token string) (domain.LetterCheck, error)
}

// LetterWriter writes and renders the letters of requests to issue (their Revision already
// raised), from what the store says of them now, with a new token each: slow (a PDF each, on
// every core), so the use cases call it outside any transaction.
type LetterWriter interface {
	WriteLetters(ctx context.Context, actor domain.Actor, vs []domain.VisaRequest, now time.Time) ([]Letter, error)
}

// Visas are the use cases of visa letters: a delegate's request and its passport data, the
// secretariat's queue, issue and decline, the letter's download and its public verification.
// Letters are rendered outside any transaction holding locks: the requests are read and decided
// without a lock, the letters rendered, then one short transaction locks, decides again, checks
// that nothing a letter states changed meanwhile, and stores it all with its audit events and
// mail.
type Visas struct {
	tx      RunTx[VisaTx]
	reads   VisaReads
	letters LetterWriter
	now     Clock
}

// VisasDeps is what the visa use cases are built from.
type VisasDeps struct {
	Tx      RunTx[VisaTx]
	Reads   VisaReads
	Letters LetterWriter
	Now     Clock
}

// NewVisas builds the visa use cases.
func NewVisas(d VisasDeps) *Visas {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Visas{tx: d.Tx, reads: d.Reads, letters: d.Letters, now: d.Now}
}

// VisaPage is what a registration's visa page shows.
type VisaPage struct {
	Registration domain.RegistrationLine
	// Visa is the registration's request (live, else the latest withdrawn) as the actor may see
	// it; nil when none.
	Visa *domain.VisaLine
	// History is the request's audit trail, oldest first.
	History []domain.AuditEvent
}

// Page reads registration id's visa page for actor: NotFound when they may not see the
// registration.
func (s *Visas) Page(ctx context.Context, actor domain.Actor, id int64) (VisaPage, error) {
	var p VisaPage
	var err error
	if p.Registration, err = s.reads.Registration(ctx, actor, id); err != nil {
		return p, err
	}
	if p.Visa, err = s.reads.VisaOfRegistration(ctx, actor, id); err != nil || p.Visa == nil {
		return p, err
	}
	p.History, err = s.reads.AuditTrail(ctx, "visa_request", p.Visa.ID)
	return p, err
}

// VisaQueuePage is the secretariat's queue of a meeting's requests.
type VisaQueuePage struct {
	Meeting *domain.MeetingDetail
	Queue   domain.VisaQueue
	// Letters says whether letters can be issued now (the letterhead and the signatory set).
	Letters domain.Capability
}

// Queue reads the queue of the meeting f names, for the secretariat (else Forbidden).
func (s *Visas) Queue(ctx context.Context, actor domain.Actor, f domain.VisaFilter) (VisaQueuePage, error) {
	var q VisaQueuePage
	if !domain.CanDecideVisa(actor) {
		return q, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	var err error
	if q.Meeting, err = s.reads.MeetingDetailByID(ctx, f.MeetingID); err != nil {
		return q, err
	}
	if q.Queue, err = s.reads.ListVisas(ctx, actor, f); err != nil {
		return q, err
	}
	st, err := s.reads.EffectiveLetterSettings(ctx, f.MeetingID)
	if err != nil {
		return q, err
	}
	q.Letters = st.CanIssueLetters()
	return q, nil
}

// Export streams the requests of the queue f selects, passport data included, for the
// secretariat (else Forbidden).
func (s *Visas) Export(ctx context.Context, actor domain.Actor, f domain.VisaFilter, fn func(domain.VisaLine) error) error {
	if !domain.CanDecideVisa(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.reads.EachVisa(ctx, actor, f, fn)
}

// Letter returns the current letter of an issued request, for its owner or the secretariat
// (domain.CanSeePassport); anyone else is told there is no such letter.
func (s *Visas) Letter(ctx context.Context, actor domain.Actor, visaID int64) (domain.LetterFile, error) {
	v, f, err := s.reads.CurrentLetter(ctx, visaID)
	if err != nil {
		return domain.LetterFile{}, err
	}
	if !domain.CanSeePassport(actor, v) || v.State != domain.VisaIssued {
		return domain.LetterFile{}, domain.Errorf(domain.NotFound, "error.letter_not_found")
	}
	return f, nil
}

// Verify says whether the letter a token names is genuine, superseded, withdrawn or expired,
// for anyone: the public page a letter's QR code points to.
func (s *Visas) Verify(ctx context.Context, token string) (domain.LetterCheck, error) {
	if len(token) > 64 {
		return domain.LetterCheck{}, domain.Errorf(domain.NotFound, "error.letter_not_found")
	}
	return s.reads.VerifyLetter(ctx, token)
}
