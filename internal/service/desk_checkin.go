package service

import (
	"context"
	"encoding/json"
	"errors"
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
	// ScanFacts reads what a scan is judged by, in one round trip, the registration locked
	// before its counted scans are read.
	ScanFacts(ctx context.Context, q ScanQuery) (ScanFacts, error)
	// FinishScan stores a scan with its outcome (and the answer a nonce replays), audited, and
	// commits the transaction with it: nothing may follow it.
	FinishScan(ctx context.Context, a Audit, s ScanRecord) (int64, error)
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
	// Answer is the first answer given to the nonce, when Answered.
	Answer   []byte
	Answered bool
	// List is the scan's list, when ListFound.
	List      domain.CheckInList
	ListFound bool
	// TokenRevoked: the token was revoked (or is unknown).
	TokenRevoked bool
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

	replay bool
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
func (s *Desk) Redeem(ctx context.Context, a Audit, actor domain.Actor, in Scan) (ScanResult, error) {
	if !actor.CanAt(domain.ScanTokens, in.MeetingID) {
		return ScanResult{}, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	if actor.Device != 0 {
		in.DeviceID = actor.Device
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		return ScanResult{}, err
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
		return ScanResult{}, domain.Errorf(domain.Invalid, "desk.bad_direction")
	}
	client := "staff:" + itoa(actor.ID)
	if in.DeviceID != 0 {
		client = "device:" + itoa(in.DeviceID)
	}
	// The token is checked before the transaction (no lock needed for a signature).
	var tok domain.Token
	var tokErr error
	if in.Code != "" {
		tok, tokErr = domain.VerifyToken(keys.Public, in.Code, at)
		if tokErr == nil || errors.Is(tokErr, domain.ErrTokenExpired) || errors.Is(tokErr, domain.ErrTokenNotYetValid) {
			in.Registration = tok.Registration
		}
	}
	var out ScanResult
	err = s.tx(ctx, func(tx DeskTx) error {
		out = ScanResult{At: at}
		// One round trip reads what the scan is judged by, one writes it and commits.
		q := ScanQuery{Client: client, Nonce: in.Nonce, MeetingID: in.MeetingID, ListID: in.ListID, RegistrationID: in.Registration}
		if tokErr == nil || errors.Is(tokErr, domain.ErrTokenExpired) || errors.Is(tokErr, domain.ErrTokenNotYetValid) {
			q.TokenID = tok.ID
		}
		f, err := tx.ScanFacts(ctx, q)
		if err != nil {
			return err
		}
		if f.Answered {
			if err := json.Unmarshal(f.Answer, &out); err != nil {
				return err
			}
			out.Replayed = true
			return nil
		}
		list := f.List
		if !f.ListFound || list.MeetingID != in.MeetingID {
			return domain.Errorf(domain.NotFound, "error.not_found")
		}
		out.List, out.Registration, out.Token, out.Person = list.ID, in.Registration, tok.ID, f.Person
		refuse := tokErr
		if refuse == nil && in.Code != "" && tok.Meeting != in.MeetingID {
			refuse = domain.Errorf(domain.Conflict, domain.RefuseWrongMeeting)
		}
		if refuse == nil && tok.ID != 0 && f.TokenRevoked {
			refuse = domain.ErrTokenRevoked
		}
		if refuse == nil {
			if f.Registration == nil {
				refuse = domain.Errorf(domain.Conflict, "desk.refuse.unknown")
			} else {
				refuse = domain.MayScan(domain.ScanCheck{List: list, Registration: *f.Registration, Events: f.Events, Direction: in.Direction, At: at, Counted: f.Counted})
				if refuse == nil && tok.ID != 0 && !domain.TokenStillHolds(tok, *f.Registration) {
					refuse = domain.ErrTokenRevoked
				}
			}
		}
		out.Outcome = domain.ScanAccepted
		if refuse != nil {
			e, ok := domain.AsError(refuse)
			if !ok {
				return refuse
			}
			out.Refusal, out.Args = e.Key, e.Args
			out.Outcome = domain.ScanRefused
			if domain.ScanDuplicates(e.Key) {
				out.Outcome = domain.ScanDuplicate
			}
		}
		rec := ScanRecord{List: list, Registration: in.Registration, Token: tok.ID, Direction: in.Direction, Outcome: out.Outcome,
			Refusal: out.Refusal, At: at, Recorded: now, Desk: in.Desk, StaffID: actor.ID, DeviceID: in.DeviceID, Client: client, Nonce: in.Nonce}
		if in.Nonce != "" {
			// The answer is stored without the scan's id, which FinishScan gives.
			if rec.Answer, err = json.Marshal(out); err != nil {
				return err
			}
		}
		id, err := tx.FinishScan(ctx, a, rec)
		out.ScanID = id
		return err
	})
	if domain.Refusal(err) == "desk.scan_replay" && !in.replay {
		// The same nonce was being recorded at the same moment: its answer is now there.
		in.replay = true
		return s.Redeem(ctx, a, actor, in)
	}
	return out, err
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
