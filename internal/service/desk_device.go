package service

import (
	"context"
	"strings"
	"time"

	"plenary/internal/domain"
)

// DeviceTx is what the scanner devices' use cases do inside their transaction.
type DeviceTx interface {
	// MeetingByID reads a meeting.
	MeetingByID(ctx context.Context, id int64) (domain.Meeting, error)
	// CreateDevice stores a new device awaiting its code's exchange, audited.
	CreateDevice(ctx context.Context, a Audit, d domain.Device, codeHash []byte) (domain.Device, error)
	// ExchangeDeviceCode gives the device whose code has codeHash (unexpired at now, not
	// revoked) its token, audited; domain.ErrDeviceCode when there is none.
	ExchangeDeviceCode(ctx context.Context, a Audit, codeHash, tokenHash []byte, clientName string, now time.Time) (domain.Device, error)
	// LockDevice reads a device for update.
	LockDevice(ctx context.Context, id int64) (domain.Device, error)
	// RevokeDevice revokes a device's token (and any code it still has), audited.
	RevokeDevice(ctx context.Context, a Audit, id int64, now time.Time) error
}

// DeviceReads are the devices' reads outside a transaction.
type DeviceReads interface {
	// DeviceByToken returns the device whose token has tokenHash, revoked or not; NotFound when none.
	DeviceByToken(ctx context.Context, tokenHash []byte) (domain.Device, error)
	// TouchDevice notes that the device was seen at now.
	TouchDevice(ctx context.Context, id int64, now time.Time) error
	// Devices lists a meeting's devices, newest first.
	Devices(ctx context.Context, meetingID int64) ([]domain.Device, error)
	// MeetingDetailByID reads a meeting.
	MeetingDetailByID(ctx context.Context, id int64) (*domain.MeetingDetail, error)
	// ScannerLists returns a meeting's check-in lists, the entry list first.
	ScannerLists(ctx context.Context, meetingID int64) ([]domain.CheckInList, error)
	// ValidTokens lists a meeting's valid tokens, in id order.
	ValidTokens(ctx context.Context, meetingID int64) ([]ValidToken, error)
	// RevokedTokens lists a meeting's revoked tokens, in id order.
	RevokedTokens(ctx context.Context, meetingID int64) ([]RevokedToken, error)
}

// ValidToken is an entry of a meeting's list of valid tokens, which a device downloads to work
// offline: a live confirmation or badge of an approved registration in the token's mode, with
// whom it names.
type ValidToken struct {
	ID           int64       `json:"id"`
	Kind         string      `json:"kind"`
	Registration int64       `json:"registration"`
	Serial       int         `json:"serial"`
	Mode         domain.Mode `json:"mode"`
	ValidFrom    time.Time   `json:"valid_from"`
	ValidUntil   time.Time   `json:"valid_until"`
	Name         string      `json:"name"`
	Organisation string      `json:"organisation"`
	Country      string      `json:"country"`
}

// RevokedToken is an entry of a meeting's revocation list: a token revoked, or whose registration
// is no longer approved in the token's mode.
type RevokedToken struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	Registration int64     `json:"registration"`
	Serial       int       `json:"serial"`
	At           time.Time `json:"revoked_at"`
	Reason       string    `json:"reason"`
}

// Devices holds the use cases of the scanner devices: the secretariat registers and revokes
// them, a device exchanges its code for a token and presents the token on every request.
type Devices struct {
	tx    RunTx[DeviceTx]
	reads DeviceReads
	now   Clock
}

// DevicesDeps is what the devices' use cases are built from.
type DevicesDeps struct {
	Tx    RunTx[DeviceTx]
	Reads DeviceReads
	Now   Clock
}

// NewDevices builds the devices' use cases.
func NewDevices(d DevicesDeps) *Devices {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Devices{tx: d.Tx, reads: d.Reads, now: d.Now}
}

// lastSeenEvery is how stale a device's last-seen time may get before a request writes it
// again: a scanner's every scan need not write its row.
const lastSeenEvery = time.Minute

// ErrDeviceRevoked is the refusal of a revoked device's token.
var ErrDeviceRevoked = domain.Errorf(domain.Unauthorized, "device.revoked")

// Create registers a scanner device for a meeting under name and returns it with its one-time
// code, which is shown this once (the portal keeps its hash) and works for domain.DeviceCodeTTL.
// The secretariat alone.
func (s *Devices) Create(ctx context.Context, a Audit, actor domain.Actor, meetingID int64, name string) (domain.Device, string, error) {
	if !actor.Can(domain.ManageDesk) {
		return domain.Device{}, "", domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	name, err := domain.CleanDeviceName(name)
	if err != nil {
		return domain.Device{}, "", err
	}
	code := domain.NewDeviceCode()
	now := s.now()
	var out domain.Device
	err = s.tx(ctx, func(tx DeviceTx) error {
		if _, err := tx.MeetingByID(ctx, meetingID); err != nil {
			return err
		}
		d := domain.Device{MeetingID: meetingID, Name: name, Scopes: domain.DeviceScopes, CreatedAt: now, CodeExpires: now.Add(domain.DeviceCodeTTL)}
		var err error
		out, err = tx.CreateDevice(ctx, a, d, domain.DeviceSecretHash(domain.NormalizeDeviceCode(code)))
		return err
	})
	if err != nil {
		return domain.Device{}, "", err
	}
	return out, code, nil
}

// Register exchanges a device's one-time code for its bearer token, returned this once: the
// portal keeps its hash. clientName is what the device says it is (may be empty). A code that is
// wrong, expired, used or revoked is refused with one message, which tells a guesser nothing.
func (s *Devices) Register(ctx context.Context, a Audit, code, clientName string) (domain.Device, string, error) {
	norm := domain.NormalizeDeviceCode(code)
	if norm == "" {
		return domain.Device{}, "", domain.ErrDeviceCode
	}
	clientName = strings.Join(strings.Fields(clientName), " ")
	if r := []rune(clientName); len(r) > domain.DeviceNameMax {
		clientName = string(r[:domain.DeviceNameMax])
	}
	token := domain.NewDeviceToken()
	now := s.now()
	var out domain.Device
	err := s.tx(ctx, func(tx DeviceTx) error {
		var err error
		out, err = tx.ExchangeDeviceCode(ctx, a, domain.DeviceSecretHash(norm), domain.DeviceSecretHash(token), clientName, now)
		return err
	})
	if err != nil {
		return domain.Device{}, "", err
	}
	return out, token, nil
}

// Authenticate returns the device that presents bearer token, and what it may do. A wrong
// token is domain.ErrDeviceToken, a revoked device's ErrDeviceRevoked, both at once: nothing is
// cached.
func (s *Devices) Authenticate(ctx context.Context, token string) (domain.Device, domain.Actor, error) {
	if !strings.HasPrefix(token, domain.DeviceTokenPrefix) {
		return domain.Device{}, domain.Visitor, domain.ErrDeviceToken
	}
	d, err := s.reads.DeviceByToken(ctx, domain.DeviceSecretHash(token))
	if domain.ErrorCode(err) == domain.NotFound {
		return domain.Device{}, domain.Visitor, domain.ErrDeviceToken
	}
	if err != nil {
		return domain.Device{}, domain.Visitor, err
	}
	if !d.Revoked.IsZero() {
		return domain.Device{}, domain.Visitor, ErrDeviceRevoked
	}
	now := s.now()
	if d.LastSeen.IsZero() || now.Sub(d.LastSeen) >= lastSeenEvery {
		if err := s.reads.TouchDevice(ctx, d.ID, now); err != nil {
			return domain.Device{}, domain.Visitor, err
		}
		d.LastSeen = now
	}
	return d, domain.DeviceActor(d), nil
}

// List returns a meeting's devices, newest first. The secretariat alone.
func (s *Devices) List(ctx context.Context, actor domain.Actor, meetingID int64) ([]domain.Device, error) {
	if !actor.Can(domain.ManageDesk) {
		return nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.reads.Devices(ctx, meetingID)
}

// Revoke revokes a meeting's device: its token is refused from the next request on. Revoking a
// revoked device changes nothing. The secretariat alone.
func (s *Devices) Revoke(ctx context.Context, a Audit, actor domain.Actor, meetingID, deviceID int64) error {
	if !actor.Can(domain.ManageDesk) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	now := s.now()
	return s.tx(ctx, func(tx DeviceTx) error {
		d, err := tx.LockDevice(ctx, deviceID)
		if err != nil {
			return err
		}
		if d.MeetingID != meetingID {
			return domain.Errorf(domain.NotFound, "error.not_found")
		}
		if !d.Revoked.IsZero() {
			return nil
		}
		return tx.RevokeDevice(ctx, a, d.ID, now)
	})
}

// Meeting returns what a scanner of a meeting works with: the meeting and its check-in lists.
// Whoever may scan there (ScanTokens).
func (s *Devices) Meeting(ctx context.Context, actor domain.Actor, meetingID int64) (*domain.MeetingDetail, []domain.CheckInList, error) {
	m, err := s.MeetingOf(ctx, actor, meetingID)
	if err != nil {
		return nil, nil, err
	}
	lists, err := s.reads.ScannerLists(ctx, meetingID)
	if err != nil {
		return nil, nil, err
	}
	return m, lists, nil
}

// MeetingOf returns the meeting a scanner works at. Whoever may scan there.
func (s *Devices) MeetingOf(ctx context.Context, actor domain.Actor, meetingID int64) (*domain.MeetingDetail, error) {
	if !actor.CanAt(domain.ScanTokens, meetingID) {
		return nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.reads.MeetingDetailByID(ctx, meetingID)
}

// ValidTokens lists a meeting's valid tokens, for a scanner working offline. Whoever may scan
// there; never nil.
func (s *Devices) ValidTokens(ctx context.Context, actor domain.Actor, meetingID int64) ([]ValidToken, error) {
	if !actor.CanAt(domain.ScanTokens, meetingID) {
		return nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	out, err := s.reads.ValidTokens(ctx, meetingID)
	if out == nil && err == nil {
		out = []ValidToken{}
	}
	return out, err
}

// RevokedTokens lists a meeting's revoked tokens, for a scanner working offline. Whoever may
// scan there; never nil.
func (s *Devices) RevokedTokens(ctx context.Context, actor domain.Actor, meetingID int64) ([]RevokedToken, error) {
	if !actor.CanAt(domain.ScanTokens, meetingID) {
		return nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	out, err := s.reads.RevokedTokens(ctx, meetingID)
	if out == nil && err == nil {
		out = []RevokedToken{}
	}
	return out, err
}
