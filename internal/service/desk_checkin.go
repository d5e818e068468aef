package service

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"plenary/internal/domain"
)

// deskScanTx is what a scan does inside its transaction (part of DeskTx).
type deskScanTx interface {
	// EntryList returns the meeting's entry list, made on first use.
	EntryList(ctx context.Context, meetingID int64) (domain.CheckInList, error)
	// CheckInList reads a list.
	CheckInList(ctx context.Context, id int64) (domain.CheckInList, error)
	// RegistrationEvents returns the co-located events a registration attends.
	RegistrationEvents(ctx context.Context, registrationID int64) ([]int64, error)
	// AcceptedScans returns a registration's counted scans of a list, in time order.
	AcceptedScans(ctx context.Context, listID, registrationID int64) ([]domain.CheckIn, error)
	// ScanFacts reads what the scans of a batch are judged by (facts[i] for qs[i]), in one round
	// trip whatever their number, their registrations locked in id order before their counted
	// scans are read.
	ScanFacts(ctx context.Context, qs []ScanQuery) ([]ScanFacts, error)
	// FinishScans stores the scans of a batch with their outcomes (and the answers their nonces
	// replay), each audited with its own request's audit, and commits the transaction with them:
	// nothing may follow it. It returns their ids, in order.
	FinishScans(ctx context.Context, audits []Audit, recs []ScanRecord) ([]int64, error)
	// TokenRevoked reports whether a token was revoked (a reprinted badge's old one, ...).
	TokenRevoked(ctx context.Context, id int64) (bool, error)
}

// ScanQuery names what ScanFacts reads: the nonce's client and text (none: ""), the meeting and
// the list (0: its entry), the token (0: none) and the registration (0: none).
type ScanQuery struct {
	Client, Nonce                              string
	MeetingID, ListID, TokenID, RegistrationID int64
}

// ScanFacts is what a scan is judged by.
type ScanFacts struct {
	// Answer is the first answer given to the nonce, when Answered, stored without the id of
	// its scan, AnswerScan.
	Answer     []byte
	AnswerScan int64
	Answered   bool
	// List is the scan's list, when ListFound.
	List      domain.CheckInList
	ListFound bool
	// TokenRevoked: the token was revoked, at TokenRevokedAt (zero: unknown token, revoked
	// whenever scanned). TokenDigest is the digest stored when it was issued (nil: none, issued
	// before digests were kept, or unknown).
	TokenRevoked   bool
	TokenRevokedAt time.Time
	TokenDigest    []byte
	// Registration is the registration, locked (nil: unknown).
	Registration *domain.Registration
	// Counted are its counted scans of the list, in time order; Events the co-located events
	// it attends (read for a list other than the entry).
	Counted []domain.CheckIn
	Events  []int64
	// Person is who it is (nil: unknown).
	Person *ScanPerson
}

// ScanPerson is the person a scan names, as the answer (and its replay) gives them.
type ScanPerson struct {
	Name         string       `json:"name"`
	Organisation string       `json:"organisation"`
	Country      string       `json:"country"`
	Mode         domain.Mode  `json:"mode"`
	State        domain.State `json:"state"`
}

// ScanRecord is one scan as it is stored.
type ScanRecord struct {
	List         domain.CheckInList
	Registration int64
	Token        int64
	Direction    domain.Direction
	Outcome      domain.ScanOutcome
	Refusal      string
	At, Recorded time.Time
	Desk         string
	StaffID      int64
	DeviceID     int64
	Client       string
	Nonce        string
	Answer       []byte
}

// Scan is a scan or a typed code at a desk or a scanner device.
type Scan struct {
	MeetingID int64
	// ListID is the check-in list; 0 means the meeting's entry.
	ListID int64
	// Code is a token's text; or, from a desk's page, Registration names the person found by
	// reference or name.
	Code         string
	Registration int64
	Direction    domain.Direction
	// At is when the scan was made; zero means now. A device sends its own time for a scan
	// made offline.
	At       time.Time
	Desk     string
	DeviceID int64
	// Nonce, when set, makes the scan idempotent: sent again, it returns the first answer.
	Nonce string
}

// ScanResult is what became of a scan.
type ScanResult struct {
	Outcome      domain.ScanOutcome `json:"outcome"`
	Refusal      string             `json:"refusal,omitempty"`
	Args         map[string]any     `json:"args,omitempty"`
	Registration int64              `json:"registration,omitempty"`
	Token        int64              `json:"token,omitempty"`
	Person       *ScanPerson        `json:"person,omitempty"`
	List         int64              `json:"list"`
	ScanID       int64              `json:"scan"`
	At           time.Time          `json:"scanned_at"`
	// Replayed is true when the answer is the first one given to the same nonce.
	Replayed bool `json:"replayed,omitempty"`
}

// Err returns the refusal as an error (nil when the scan counted).
func (r ScanResult) Err() error {
	if r.Refusal == "" {
		return nil
	}
	return &domain.Error{Code: domain.Conflict, Key: r.Refusal, Args: r.Args}
}

// CheckToken verifies a token's text for a meeting's desk, without recording anything: its
// signature and validity at at, that it is of this meeting, and that it was not revoked (by a
// record, or by its registration no longer being approved in its mode).
func (s *Desk) CheckToken(ctx context.Context, meetingID int64, code string, at time.Time, revoked func(context.Context, int64) (bool, error)) (domain.Token, error) {
	keys, err := s.Keys(ctx)
	if err != nil {
		return domain.Token{}, err
	}
	tok, err := domain.VerifyToken(keys.Public, code, at)
	if err != nil {
		return tok, err
	}
	if tok.Meeting != meetingID {
		return tok, domain.Errorf(domain.Conflict, domain.RefuseWrongMeeting)
	}
	r, err := revoked(ctx, tok.ID)
	if err != nil {
		return tok, err
	}
	if r {
		return tok, domain.ErrTokenRevoked
	}
	return tok, nil
}

// Redeem records a scan at a meeting's desk or scanner device: at most one check-in per person
// on a single-entry list whatever the number of desks (the registration is locked, and a unique
// index stands behind it), a duplicate or refused scan recorded with its outcome, never lost; a
// nonce sent again returns the first answer. Whoever may scan at the meeting (ScanTokens: its
// desk staff, the secretariat, its scanner devices) may; a device's scans are its own.
//
// The scans that arrive together share one transaction (see redeemBatch); each is judged as if
// it were alone, after those before it.
func (s *Desk) Redeem(ctx context.Context, a Audit, actor domain.Actor, in Scan) (ScanResult, error) {
	c, err := s.prepareScan(ctx, a, actor, in)
	if err != nil {
		return ScanResult{}, err
	}
	for {
		out, err := s.scans.Do(ctx, c)
		if domain.Refusal(err) == "desk.scan_replay" && !c.replay {
			// The same nonce was being recorded at the same moment by another transaction: its
			// answer is now there.
			c.replay = true
			continue
		}
		return out, err
	}
}

// prepareScan checks what a scan may be checked without the store: who scans, its time and
// direction, and its token's signature and validity.
func (s *Desk) prepareScan(ctx context.Context, a Audit, actor domain.Actor, in Scan) (scanCall, error) {
	if !actor.CanAt(domain.ScanTokens, in.MeetingID) {
		return scanCall{}, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	if actor.Device != 0 {
		in.DeviceID = actor.Device
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		return scanCall{}, err
	}
	now := s.now()
	at := in.At
	if at.IsZero() || at.After(now) {
		at = now
	}
	if in.Direction == "" {
		in.Direction = domain.Entry
	}
	if !in.Direction.Valid() {
		return scanCall{}, domain.Errorf(domain.Invalid, "desk.bad_direction")
	}
	c := scanCall{a: a, staff: actor.ID, in: in, at: at, now: now, client: "staff:" + itoa(actor.ID), named: in.Registration, keys: keys.Public}
	if in.DeviceID != 0 {
		c.client = "device:" + itoa(in.DeviceID)
	}
	// What the code claims: its token's record (with the digest that tells whether it is the
	// text the portal issued) is read with the other facts of the batch.
	if in.Code != "" {
		c.claim, c.tokErr = domain.ClaimToken(in.Code)
		if c.tokErr == nil {
			c.claimed = true
			c.tok = c.claim.Token
			c.in.Registration = c.tok.Registration
			c.tokID = c.tok.ID
		}
	}
	return c, nil
}

// authenticate checks a scan's code by its token's record (domain.VerifyIssuedToken: the digest
// stored when it was issued, or its signature): the scan then names the token and its
// registration when the code is the portal's, signed, expired or not; otherwise it names what
// the scan itself named, and nothing of the registration the code claimed is kept.
func (c *scanCall) authenticate(f *ScanFacts) {
	if !c.claimed {
		return
	}
	c.tok, c.tokErr = c.claim.Verify(c.keys, f.TokenDigest, c.at)
	if c.tokErr == nil || errors.Is(c.tokErr, domain.ErrTokenExpired) || errors.Is(c.tokErr, domain.ErrTokenNotYetValid) {
		return
	}
	c.in.Registration, c.tokID = c.named, 0
	f.Registration, f.Person, f.Counted, f.Events, f.TokenRevoked = nil, nil, nil, nil, false
}

// scanCall is a scan as Redeem has checked it, waiting for its batch.
type scanCall struct {
	a       Audit
	staff   int64
	in      Scan
	at, now time.Time
	client  string
	// tok is the token the code names (tokID: its id, when it is one of the portal's, signed,
	// expired or not), tokErr what its check found. Until the scan's batch has read the token's
	// record (authenticate), they are what the code claims (claimed: a token's text, parsed).
	tok     domain.Token
	tokID   int64
	tokErr  error
	claimed bool
	claim   domain.ClaimedToken
	// named is the registration the scan named itself (from the desk's page), keys the portal's
	// public keys.
	named int64
	keys  map[uint16]ed25519.PublicKey
	// replay says the scan is sent again after its nonce was recorded by another transaction.
	replay bool
}

// The largest batch of scans, and how many batches run at once (each holds a connection). One
// at a time: the scans that come meanwhile make the next batch. Measured at 40 desks on 2 cores
// (BenchmarkRedeem40Desks, three runs of each, alternated): with 2 at once the batches were half
// the size, and a redeem cost 150–162 µs of PostgreSQL CPU and 96–102 µs of Go against 105–110
// and 83–88 with 1 (the batches' fixed costs shared by fewer scans, and two batches inserting
// into the same index pages at once), for the same throughput and p99.
const (
	scanBatchMax      = 64
	scanBatchInFlight = 1
)

// redeemBatch records the scans that arrived together in one transaction, as PostgreSQL shares
// one WAL flush among the commits that wait for it: one round trip reads what all of them are
// judged by, the domain's rules judge them in the order they came (a person scanned twice in the
// batch: the second scan sees the first; a nonce sent twice: the second gets the first's answer),
// and one round trip writes every scan and its audit event and commits. When the transaction
// fails as a whole (a nonce recorded meanwhile elsewhere, ...), each scan is tried again alone,
// so that one cannot fail the others.
func (s *Desk) redeemBatch(ctx context.Context, calls []scanCall) ([]ScanResult, []error) {
	outs, errs, err := s.redeemTx(ctx, calls)
	if err == nil {
		return outs, errs
	}
	if len(calls) == 1 {
		return []ScanResult{{}}, []error{err}
	}
	outs, errs = make([]ScanResult, len(calls)), make([]error, len(calls))
	for i := range calls {
		o, e, err := s.redeemTx(ctx, calls[i:i+1])
		if err != nil {
			outs[i], errs[i] = ScanResult{}, err
			continue
		}
		outs[i], errs[i] = o[0], e[0]
	}
	return outs, errs
}

// redeemTx is one transaction of redeemBatch: the scans' answers and errors (a scan whose list
// is not found is refused alone), or the transaction's error.
func (s *Desk) redeemTx(ctx context.Context, calls []scanCall) ([]ScanResult, []error, error) {
	var outs []ScanResult
	var errs []error
	err := s.tx(ctx, func(tx DeskTx) error {
		outs, errs = make([]ScanResult, len(calls)), make([]error, len(calls))
		qs := make([]ScanQuery, len(calls))
		for i, c := range calls {
			qs[i] = ScanQuery{Client: c.client, Nonce: c.in.Nonce, MeetingID: c.in.MeetingID, ListID: c.in.ListID,
				TokenID: c.tokID, RegistrationID: c.in.Registration}
		}
		facts, err := tx.ScanFacts(ctx, qs)
		if err != nil {
			return err
		}
		type key struct{ list, reg int64 }
		counted := map[key][]domain.CheckIn{}
		// first names, by client and nonce, the scan of the batch that gave the nonce its answer.
		first := map[[2]string]int{}
		// replays[i] is the scan whose answer scan i replays (-1: none); rec[i] the record of
		// scan i in recs (-1: none).
		replays, rec := make([]int, len(calls)), make([]int, len(calls))
		var recs []ScanRecord
		var audits []Audit
		for i, c := range calls {
			replays[i], rec[i] = -1, -1
			f := facts[i]
			if f.Answered {
				if err := json.Unmarshal(f.Answer, &outs[i]); err != nil {
					return err
				}
				outs[i].ScanID, outs[i].Replayed = f.AnswerScan, true
				continue
			}
			nk := [2]string{c.client, c.in.Nonce}
			if j, ok := first[nk]; ok && c.in.Nonce != "" {
				replays[i] = j
				continue
			}
			// In the transaction, for a token issued before digests were kept: its signature.
			c.authenticate(&f)
			if f.ListFound && f.Registration != nil {
				k := key{f.List.ID, f.Registration.ID}
				if cs, ok := counted[k]; ok {
					f.Counted = cs
				} else {
					counted[k] = f.Counted
				}
			}
			out, r, err := judgeScan(c, f)
			if err != nil {
				if _, ok := domain.AsError(err); !ok {
					return err
				}
				errs[i] = err
				continue
			}
			outs[i] = out
			if c.in.Nonce != "" {
				first[nk] = i
				// The answer is stored without the scan's id, which FinishScans gives (a replay
				// reads it beside the answer).
				if r.Answer, err = json.Marshal(out); err != nil {
					return err
				}
			}
			if out.Outcome == domain.ScanAccepted && f.Registration != nil {
				k := key{f.List.ID, f.Registration.ID}
				cs := append(slices.Clip(counted[k]), domain.CheckIn{ListID: r.List.ID, RegistrationID: r.Registration, TokenID: r.Token,
					Direction: r.Direction, At: r.At, RecordedAt: r.Recorded, Desk: r.Desk, StaffID: r.StaffID, DeviceID: r.DeviceID})
				// In time order: an offline scan made earlier goes before the counted scans made later.
				slices.SortStableFunc(cs, func(a, b domain.CheckIn) int { return a.At.Compare(b.At) })
				counted[k] = cs
			}
			rec[i] = len(recs)
			recs = append(recs, r)
			audits = append(audits, c.a)
		}
		if len(recs) == 0 {
			return nil
		}
		ids, err := tx.FinishScans(ctx, audits, recs)
		if err != nil {
			return err
		}
		for i := range calls {
			if rec[i] >= 0 {
				outs[i].ScanID = ids[rec[i]]
			}
		}
		for i, j := range replays {
			if j < 0 {
				continue
			}
			// The answer as a replay reads it from the store: the first one's, with its scan.
			b, err := json.Marshal(outs[j])
			if err != nil {
				return err
			}
			if err := json.Unmarshal(b, &outs[i]); err != nil {
				return err
			}
			outs[i].Replayed = true
		}
		return nil
	})
	return outs, errs, err
}

// judgeScan judges a scan by its facts with the domain's rules: its answer and its record, or the
// error of a scan that is not recorded (its list not found).
func judgeScan(c scanCall, f ScanFacts) (ScanResult, ScanRecord, error) {
	in, tok := c.in, c.tok
	out := ScanResult{At: c.at}
	list := f.List
	if !f.ListFound || list.MeetingID != in.MeetingID {
		return out, ScanRecord{}, domain.Errorf(domain.NotFound, "error.not_found")
	}
	out.List, out.Registration, out.Token, out.Person = list.ID, in.Registration, c.tokID, f.Person
	refuse := c.tokErr
	if refuse == nil && in.Code != "" && tok.Meeting != in.MeetingID {
		refuse = domain.Errorf(domain.Conflict, domain.RefuseWrongMeeting)
	}
	if refuse == nil && c.tokID != 0 && domain.RevokedWhenScanned(f.TokenRevoked, f.TokenRevokedAt, c.at) {
		refuse = domain.ErrTokenRevoked
	}
	if refuse == nil {
		if f.Registration == nil {
			refuse = domain.Errorf(domain.Conflict, "desk.refuse.unknown")
		} else {
			refuse = domain.MayScan(domain.ScanCheck{List: list, Registration: *f.Registration, Events: f.Events, Direction: in.Direction, At: c.at, Counted: f.Counted})
			if refuse == nil && c.tokID != 0 && !domain.TokenStillHolds(tok, *f.Registration) {
				refuse = domain.ErrTokenRevoked
			}
		}
	}
	out.Outcome = domain.ScanAccepted
	if refuse != nil {
		e, ok := domain.AsError(refuse)
		if !ok {
			return out, ScanRecord{}, refuse
		}
		out.Refusal, out.Args = e.Key, e.Args
		out.Outcome = domain.ScanRefused
		if domain.ScanDuplicates(e.Key) {
			out.Outcome = domain.ScanDuplicate
		}
	}
	rec := ScanRecord{List: list, Registration: in.Registration, Token: c.tokID, Direction: in.Direction, Outcome: out.Outcome,
		Refusal: out.Refusal, At: c.at, Recorded: c.now, Desk: in.Desk, StaffID: c.staff, DeviceID: in.DeviceID, Client: c.client, Nonce: in.Nonce}
	return out, rec, nil
}

func itoa(n int64) string {
	b := make([]byte, 0, 20)
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		b = append(b, byte('0'+n%10))
		n /= 10
	}
	if neg {
		b = append(b, '-')
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
