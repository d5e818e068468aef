package service

import (
	"context"
	"sync"
	"time"

	"plenary/internal/batch"
	"plenary/internal/domain"
)

// DeskTx is what the desk's use cases do inside their transaction.
type DeskTx interface {
	// LockRegistrations reads registrations for update, in id order.
	LockRegistrations(ctx context.Context, ids []int64) ([]domain.Registration, error)
	// MeetingByID reads a meeting.
	MeetingByID(ctx context.Context, id int64) (domain.Meeting, error)
	// LiveTokens returns a registration's unrevoked tokens of kind, locked.
	LiveTokens(ctx context.Context, registrationID int64, kind domain.TokenKind) ([]domain.Token, error)
	// IssueToken stores a new token, giving it its id and serial, with its digest (digest's of the
	// token so numbered: see issueToken), and audits it.
	IssueToken(ctx context.Context, a Audit, t domain.Token, now time.Time, digest func(domain.Token) []byte) (domain.Token, error)
	// RevokeTokens revokes the live tokens of kind (every kind when 0) of registrations, audited.
	RevokeTokens(ctx context.Context, a Audit, registrationIDs []int64, kind domain.TokenKind, reason domain.RevokeReason, now time.Time) error
	// AuditBadge writes the event of a badge printed at a desk.
	AuditBadge(ctx context.Context, a Audit, registrationID int64, detail map[string]any) error
	deskScanTx
	checkInListTx
	PhotoTx
}

// DeskKeyStore keeps the portal's token keys.
type DeskKeyStore interface {
	// DeskKeys returns the keys, generating the first on first use.
	DeskKeys(ctx context.Context) (domain.DeskKeys, error)
}

// Desk holds the use cases of the day of the meeting: the confirmation's token, and (desk*.go)
// the desk's check-in and badges.
type Desk struct {
	tx    RunTx[DeskTx]
	now   Clock
	keys  DeskKeyStore
	cache *keyCache
	// files stores the photos (DeskDeps.Files, or WithFiles).
	files *Files
	// life bounds the batches of scans (DeskDeps.Life).
	life context.Context
	// scans groups the scans redeemed at the same moment into one transaction (redeemBatch).
	scans *batch.Coalescer[scanCall, ScanResult]
	// reads are the desk pages' reads.
	reads DeskReads
}

// keyCache holds the keys once read, shared by the copies WithFiles makes.
type keyCache struct {
	mu     sync.Mutex
	loaded *domain.DeskKeys
}

// DeskDeps is what the desk's use cases are built from.
type DeskDeps struct {
	Tx   RunTx[DeskTx]
	Now  Clock
	Keys DeskKeyStore
	// Reads are the desk pages' reads.
	Reads DeskReads
	// Life bounds the batches of scans (see Desk.Redeem); it ends when the store closes. None:
	// they are bounded by their timeout only.
	Life context.Context
	// Files stores the badge photos; without it the photo use cases fail (an error, not a refusal).
	Files *Files
}

// NewDesk builds the desk's use cases.
func NewDesk(d DeskDeps) *Desk {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Life == nil {
		d.Life = context.Background()
	}
	return newDesk(&Desk{tx: d.Tx, now: d.Now, keys: d.Keys, cache: &keyCache{}, reads: d.Reads, files: d.Files, life: d.Life})
}

// newDesk gives s its own batches of scans, served by s.
func newDesk(s *Desk) *Desk {
	s.scans = batch.New(s.life, scanBatchMax, scanBatchInFlight, s.redeemBatch)
	return s
}

// WithFiles returns the use cases with the files service the photos are stored with: a desk of
// its own (its own batches of scans), sharing the keys read.
func (s *Desk) WithFiles(f *Files) *Desk {
	c := *s
	c.files = f
	return newDesk(&c)
}

// Keys returns the portal's token keys, read once.
func (s *Desk) Keys(ctx context.Context) (domain.DeskKeys, error) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.loaded != nil {
		return *s.cache.loaded, nil
	}
	k, err := s.keys.DeskKeys(ctx)
	if err != nil {
		return k, err
	}
	s.cache.loaded = &k
	return k, nil
}

// Checker returns what verifies tokens offline: the public keys, and revoked, the ids of revoked
// tokens.
func (s *Desk) Checker(ctx context.Context, revoked map[int64]bool) (domain.TokenChecker, error) {
	k, err := s.Keys(ctx)
	if err != nil {
		return domain.TokenChecker{}, err
	}
	return domain.TokenChecker{Keys: k.Public, Revoked: revoked}, nil
}

// Confirmation is an approved registration's confirmation: its token (none for a remote
// registration, which gets no badge) and the token's text for the QR code.
type Confirmation struct {
	Registration domain.Registration
	Meeting      domain.Meeting
	Reference    string
	// Token and Code are empty for a remote registration.
	Token domain.Token
	Code  string
}

// Confirmation returns the confirmation of registration id, to its owner, a focal point of its
// organisation or the secretariat. Its token is issued the first time and kept: the same code
// every time, until the registration is cancelled or changes mode (which revoke it; the next
// confirmation then gets a new one). A registration that is not approved has no confirmation.
func (s *Desk) Confirmation(ctx context.Context, a Audit, actor domain.Actor, id int64) (Confirmation, error) {
	keys, err := s.Keys(ctx)
	if err != nil {
		return Confirmation{}, err
	}
	now := s.now()
	var out Confirmation
	err = s.tx(ctx, func(tx DeskTx) error {
		out = Confirmation{}
		r, err := lockVisible(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if r.State != domain.Approved {
			return domain.Errorf(domain.Conflict, "desk.confirmation_not_approved")
		}
		m, err := tx.MeetingByID(ctx, r.MeetingID)
		if err != nil {
			return err
		}
		out.Registration, out.Meeting, out.Reference = r, m, domain.RegistrationReference(m.Slug, r.ID)
		if r.Mode == domain.Remote {
			return nil
		}
		live, err := tx.LiveTokens(ctx, r.ID, domain.ConfirmationToken)
		if err != nil {
			return err
		}
		for _, t := range live {
			if domain.TokenStillHolds(t, r) && t.Key == keys.Current {
				out.Token = t
				return nil
			}
		}
		if len(live) > 0 {
			if err := tx.RevokeTokens(ctx, a, []int64{r.ID}, domain.ConfirmationToken, domain.RevokedModeChange, now); err != nil {
				return err
			}
		}
		from, until := domain.TokenValidity(m, now)
		out.Token, err = issueToken(ctx, tx, a, keys, domain.Token{Kind: domain.ConfirmationToken,
			Registration: r.ID, Meeting: m.ID, Mode: r.Mode, ValidFrom: from, ValidUntil: until}, now)
		return err
	})
	if err != nil {
		return Confirmation{}, err
	}
	if out.Token.ID != 0 {
		out.Code = out.Token.Sign(keys.Private)
	}
	return out, nil
}

// issueToken issues a token signed with the current key, stored with the digest of its text, by
// which the online check knows the text it issued without checking its signature again
// (domain.VerifyIssuedToken). Every token is issued by it.
func issueToken(ctx context.Context, tx DeskTx, a Audit, keys domain.DeskKeys, t domain.Token, now time.Time) (domain.Token, error) {
	t.Key = keys.Current
	return tx.IssueToken(ctx, a, t, now, func(t domain.Token) []byte { return domain.TokenDigest(t.Sign(keys.Private)) })
}
