// Package mail sends the mail the registration use cases queue in the outbox (mail_outbox): a
// Worker, running in every server instance, claims due rows under a lease so that no two
// instances send the same mail, renders each in its recipient's language, sends it over SMTP and
// retries failures with exponential backoff. Without an SMTP server it renders the mail and keeps
// it in the portal, where the secretariat reads it.
package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	netmail "net/mail"
	"strings"
	"sync"
	"time"

	"plenary/internal/i18n"
	"plenary/internal/postgres"
)

// Message is one mail ready to send.
type Message struct {
	From      string
	To        string
	ToName    string
	Subject   string
	Body      string
	MessageID string // without the angle brackets
	Language  string // the body's language tag
}

// Sender delivers a message; an error means the message was not accepted: it is tried again
// later, unless the error is Permanent.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Channel is the PostgreSQL notification channel that wakes the workers when mail is queued.
const Channel = "mail_queued"

// Worker sends queued mail. Its exported fields may be changed before Run.
type Worker struct {
	db      *postgres.DB
	cat     *i18n.Catalogue
	log     *slog.Logger
	baseURL string
	from    string
	sender  Sender

	// PollInterval is how often the outbox is read without a notification: for retries that
	// fall due and notifications missed while the listener was reconnecting (default 5s).
	PollInterval time.Duration
	// RetryBase is the wait after the first failed attempt; each further failure doubles it, up
	// to RetryMax (defaults 30s and 1h).
	RetryBase, RetryMax time.Duration
	// MaxAttempts is how many attempts a mail gets before it is marked failed (default 8).
	MaxAttempts int
	// BatchSize is how many mails one claim takes (default 10, or 100 when mail is kept in the
	// portal: nothing is sent, and the outcomes of a batch are recorded together).
	BatchSize int
	// Lease is how long a claimed mail stays reserved for this worker without being renewed
	// (default 30s). While a batch is worked on, a heartbeat renews the lease of its mails not
	// yet finished every third of Lease, so a slow send keeps its claim however long the batch
	// takes; a worker that dies stops renewing, and another takes its mail about Lease later.
	// A worker that cannot renew (the database is away) sends nothing once its lease may have
	// run out, and cancels a send still in flight then.
	Lease time.Duration
	// SendTimeout bounds one message's delivery (default 30s).
	SendTimeout time.Duration
	// Listen has the worker LISTEN on Channel, on a connection of its own (default true); without
	// it the worker reads the outbox every PollInterval and when woken.
	Listen bool

	wake chan struct{}
}

// NewWorker returns a worker sending from the address from (such as "Plenary
// <noreply@example.org>") with links to baseURL. A nil sender keeps every mail in the portal
// (state kept) instead of sending it.
func NewWorker(db *postgres.DB, cat *i18n.Catalogue, log *slog.Logger, baseURL, from string, sender Sender) *Worker {
	batch := 10
	if sender == nil {
		batch = 100
	}
	return &Worker{
		db: db, cat: cat, log: log, baseURL: strings.TrimRight(baseURL, "/"), from: from, sender: sender,
		PollInterval: 5 * time.Second,
		RetryBase:    30 * time.Second,
		RetryMax:     time.Hour,
		MaxAttempts:  8,
		BatchSize:    batch,
		Lease:        30 * time.Second,
		SendTimeout:  30 * time.Second,
		Listen:       true,
		wake:         make(chan struct{}, 1),
	}
}

// Run sends mail until ctx ends: whenever a notification says mail was queued, and every
// PollInterval. A mail being sent when ctx ends is finished (within SendTimeout); mail claimed
// but not yet attempted is handed back.
func (w *Worker) Run(ctx context.Context) {
	// A sender that keeps its connection open between messages (SMTP) closes it when the
	// worker stops.
	if c, ok := w.sender.(io.Closer); ok {
		defer func() { _ = c.Close() }()
	}
	var wg sync.WaitGroup
	if w.Listen {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.listen(ctx)
		}()
	}
	defer wg.Wait()
	tick := time.NewTicker(w.PollInterval)
	defer tick.Stop()
	for {
		w.drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-w.wake:
		}
	}
}

// Wake makes the worker read the outbox now.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// drain sends due mail batch after batch until none is left.
func (w *Worker) drain(ctx context.Context) {
	for ctx.Err() == nil {
		claimed := time.Now()
		jobs, err := w.db.ClaimMail(ctx, w.BatchSize, w.Lease)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Error("mail: claim", "err", err)
			}
			return
		}
		if len(jobs) == 0 {
			return
		}
		h := w.hold(ctx, jobs, claimed)
		more := true
		if w.sender == nil {
			// Nothing leaves the portal: the whole batch is rendered, then recorded at once.
			outcomes := make([]postgres.MailOutcome, len(jobs))
			for i, j := range jobs {
				outcomes[i] = w.attempt(h.base, j)
			}
			w.record(ctx, jobs, outcomes)
		} else {
			more = w.sendEach(ctx, h, jobs)
		}
		h.stop()
		if !more || len(jobs) < w.BatchSize {
			return
		}
	}
}

// sendEach sends the claimed mails one after the other, recording each outcome before the next
// is sent, so that a crash can send at most one again. A mail whose claim was lost is skipped.
// When ctx ends it hands back the rest and reports false; when the lease may have run out it
// reports false too (what is left is another worker's after the lease).
func (w *Worker) sendEach(ctx context.Context, h *holding, jobs []postgres.MailJob) bool {
	for i, j := range jobs {
		if ctx.Err() != nil {
			w.release(h.unfinished(jobs[i:]))
			return false
		}
		sendCtx, ok := h.begin(j)
		if !ok {
			if h.expired() {
				return false
			}
			continue
		}
		out := w.attempt(sendCtx, j)
		w.record(ctx, jobs[i:i+1], []postgres.MailOutcome{out})
		h.end(j)
	}
	return true
}

// holding is this worker's lease on one claimed batch, renewed by a heartbeat until stop.
type holding struct {
	w    *Worker
	base context.Context // the sends' context: not cancelled by a shutdown (a send is finished)

	mu      sync.Mutex
	pending map[int64]postgres.MailJob // claimed and not yet finished
	lost    map[int64]bool             // taken by another worker, or no longer ours to send
	until   time.Time                  // the lease is surely held until then (this clock)
	gone    bool                       // the lease may have run out: nothing more is sent
	sending int64                      // the mail in flight, 0 for none
	cancel  context.CancelFunc         // cancels the send in flight
	expiry  *time.Timer

	quit, done chan struct{}
}

// hold starts the heartbeat of a batch claimed at claimed (taken before the claim's statement
// was sent, so that claimed+Lease is no later than the lease the database set).
func (w *Worker) hold(ctx context.Context, jobs []postgres.MailJob, claimed time.Time) *holding {
	h := &holding{
		w: w, base: context.WithoutCancel(ctx),
		pending: make(map[int64]postgres.MailJob, len(jobs)), lost: map[int64]bool{},
		until: claimed.Add(w.Lease),
		quit:  make(chan struct{}), done: make(chan struct{}),
	}
	for _, j := range jobs {
		h.pending[j.ID] = j
	}
	h.expiry = time.AfterFunc(time.Until(h.until), h.expire)
	go h.beat()
	return h
}

// beat renews the lease every third of it until stop.
func (h *holding) beat() {
	defer close(h.done)
	every := max(h.w.Lease/3, 10*time.Millisecond)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-h.quit:
			return
		case <-tick.C:
		}
		h.mu.Lock()
		jobs := make([]postgres.MailJob, 0, len(h.pending))
		for _, j := range h.pending {
			if !h.lost[j.ID] {
				jobs = append(jobs, j)
			}
		}
		gone, until := h.gone, h.until
		h.mu.Unlock()
		if gone || len(jobs) == 0 {
			continue
		}
		// A renewal may take as long as the lease still surely holds (at least a beat): on a
		// loaded machine or database a renewal slower than a beat still keeps the claim, and
		// one that ends after the lease has run out is moot.
		asked := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), max(until.Sub(asked), every))
		held, err := h.w.db.RenewMail(ctx, jobs, h.w.Lease)
		cancel()
		if err != nil {
			h.w.log.Warn("mail: lease not renewed; retrying", "err", err)
			continue
		}
		h.renewed(jobs, held, asked.Add(h.w.Lease))
	}
}

// renewed records a renewal of jobs: those in held are ours until until; the others, if not
// finished meanwhile, were taken.
func (h *holding) renewed(jobs []postgres.MailJob, held []int64, until time.Time) {
	ok := make(map[int64]bool, len(held))
	for _, id := range held {
		ok[id] = true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gone {
		return
	}
	for _, j := range jobs {
		if _, still := h.pending[j.ID]; still && !ok[j.ID] && !h.lost[j.ID] {
			h.lost[j.ID] = true
			h.w.log.Warn("mail: claim lost; not sending", "id", j.ID)
			if h.sending == j.ID {
				h.cancel()
			}
		}
	}
	if until.After(h.until) {
		h.until = until
		h.expiry.Reset(time.Until(until))
	}
}

// expire is called when the lease may have run out without being renewed: no more is sent, and
// the send in flight is cancelled (another worker may take the mail now).
func (h *holding) expire() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Now().Before(h.until) || h.gone {
		return // renewed meanwhile
	}
	h.gone = true
	if h.sending != 0 {
		h.w.log.Warn("mail: lease ran out while sending; cancelled", "id", h.sending)
		h.cancel()
	}
}

// begin marks j as being sent and returns the send's context, or false when j is no longer ours.
func (h *holding) begin(j postgres.MailJob) (context.Context, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gone || h.lost[j.ID] || !time.Now().Before(h.until) {
		return nil, false
	}
	ctx, cancel := context.WithCancel(h.base)
	h.sending, h.cancel = j.ID, cancel
	return ctx, true
}

// end marks j finished (its outcome recorded).
func (h *holding) end(j postgres.MailJob) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sending == j.ID {
		h.cancel()
		h.sending, h.cancel = 0, nil
	}
	delete(h.pending, j.ID)
}

// expired says whether the lease may have run out.
func (h *holding) expired() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gone
}

// unfinished returns the jobs of jobs still ours and not finished.
func (h *holding) unfinished(jobs []postgres.MailJob) []postgres.MailJob {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []postgres.MailJob
	for _, j := range jobs {
		if _, ok := h.pending[j.ID]; ok && !h.lost[j.ID] && !h.gone {
			out = append(out, j)
		}
	}
	return out
}

// stop ends the heartbeat.
func (h *holding) stop() {
	close(h.quit)
	<-h.done
	h.mu.Lock()
	h.expiry.Stop()
	if h.cancel != nil {
		h.cancel()
	}
	h.mu.Unlock()
}

func (w *Worker) release(jobs []postgres.MailJob) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.db.ReleaseMail(ctx, jobs); err != nil {
		w.log.Warn("mail: release", "err", err)
	}
}

// attempt renders (once: a retry sends what the first attempt rendered) and sends one mail, and
// says what happened.
func (w *Worker) attempt(ctx context.Context, j postgres.MailJob) postgres.MailOutcome {
	// ctx is not ended by a shutdown, which lets this one mail finish so that a message the
	// server accepted is recorded; it ends when the claim is lost.
	ctx, cancel := context.WithTimeout(ctx, w.SendTimeout)
	defer cancel()
	content := postgres.MailContent{Recipient: j.Recipient, Subject: j.Subject, Body: j.Body}
	var err error
	if content.Subject == "" {
		content, err = render(w.cat, w.baseURL, j)
	}
	out := postgres.MailOutcome{Content: content}
	switch {
	case err != nil:
		// Rendering fails only when the mail cannot be written at all: no use retrying.
		out.State, out.Error = postgres.MailFailed, err.Error()
	case w.sender == nil:
		out.State = postgres.MailKept
	default:
		err = w.sender.Send(ctx, Message{
			From:      w.from,
			To:        content.Recipient,
			ToName:    j.Facts.ToName,
			Subject:   content.Subject,
			Body:      content.Body,
			MessageID: w.messageID(j.EventKey),
			Language:  w.cat.For(j.Facts.ToLanguage).Lang.Tag,
		})
		if err == nil {
			out.State = postgres.MailSent
		} else {
			out.Error = err.Error()
			if Permanent(err) || j.Attempts >= w.MaxAttempts {
				// A permanent refusal (5xx: no such mailbox, policy) will not change: the mail
				// is marked failed at once, for the secretariat to see, and the others go on.
				out.State = postgres.MailFailed
			} else {
				out.State, out.RetryIn = postgres.MailQueued, w.backoff(j.Attempts)
			}
		}
	}
	return out
}

// record stores the outcomes of attempts (outcomes[i] of jobs[i]).
func (w *Worker) record(ctx context.Context, jobs []postgres.MailJob, outcomes []postgres.MailOutcome) {
	if len(jobs) == 0 {
		return
	}
	// The outcome gets its own deadline: a send accepted just before the send deadline (or the
	// shutdown) must still be recorded, or the mail would be sent again after the lease.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	ok, err := w.db.FinishMails(ctx, jobs, outcomes)
	for i, j := range jobs {
		out := outcomes[i]
		switch {
		case err != nil:
			w.log.Error("mail: record outcome", "id", j.ID, "state", out.State, "err", err)
		case !ok[i]:
			w.log.Warn("mail: lease lost before the outcome was recorded", "id", j.ID, "state", out.State)
		case out.State == postgres.MailQueued:
			w.log.Warn("mail: attempt failed; will retry", "id", j.ID, "kind", j.Kind, "attempt", j.Attempts, "in", out.RetryIn, "err", out.Error)
		case out.State == postgres.MailFailed:
			w.log.Error("mail: gave up", "id", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", out.Error)
		default:
			w.log.Info("mail: "+out.State, "id", j.ID, "kind", j.Kind, "to", out.Content.Recipient)
		}
	}
}

// backoff is the wait after the attempt-th failed attempt: RetryBase doubled each time, at most
// RetryMax.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.RetryBase
	for i := 1; i < attempt && d < w.RetryMax; i++ {
		d *= 2
	}
	return min(d, w.RetryMax)
}

// messageID derives the Message-ID from the outbox's event key, so that a mail sent again (after
// a crash between the server's acceptance and the outcome's commit) carries the same id and a
// receiving system can drop the duplicate.
func (w *Worker) messageID(eventKey string) string {
	sum := sha256.Sum256([]byte(eventKey))
	local := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '.'
	}, eventKey)
	for strings.Contains(local, "..") {
		local = strings.ReplaceAll(local, "..", ".")
	}
	local = strings.Trim(local, ".")
	domain := "plenary.invalid"
	if a, err := netmail.ParseAddress(w.from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return "plenary." + local + "." + hex.EncodeToString(sum[:6]) + "@" + domain
}

// listen wakes the worker on each notification on Channel, and once each time it starts
// listening (mail queued before is found by reading the outbox once more). It holds a connection
// of its own, not one of the request pool, made again a second after it fails.
func (w *Worker) listen(ctx context.Context) {
	failing := false
	ln := w.db.NewListener(func(err error) {
		if err != nil && !failing {
			w.log.Warn("mail: listener stopped; retrying every second, reading the outbox every PollInterval meanwhile", "err", err)
		}
		failing = err != nil
	})
	ln.Handle(Channel, func(string) { w.Wake() }, w.Wake)
	ln.Listen(ctx)
}
