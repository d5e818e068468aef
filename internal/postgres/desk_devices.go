package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// Scanner devices (migration 00280).

const deviceColumns = `d.id, d.meeting_id, d.name, d.client_name, d.scopes, d.created_at, d.code_expires_at,
	d.registered_at, d.last_seen_at, d.revoked_at`

func scanDevice(row pgx.CollectableRow) (domain.Device, error) {
	var d domain.Device
	var scopes []string
	var expires, registered, seen, revoked *time.Time
	err := row.Scan(&d.ID, &d.MeetingID, &d.Name, &d.ClientName, &scopes, &d.CreatedAt, &expires, &registered, &seen, &revoked)
	d.Scopes = make([]domain.Permission, len(scopes))
	for i, s := range scopes {
		d.Scopes[i] = domain.Permission(s)
	}
	d.CreatedAt = d.CreatedAt.UTC()
	for _, p := range []struct {
		from *time.Time
		to   *time.Time
	}{{expires, &d.CodeExpires}, {registered, &d.Registered}, {seen, &d.LastSeen}, {revoked, &d.Revoked}} {
		if p.from != nil {
			*p.to = p.from.UTC()
		}
	}
	return d, err
}

func oneDevice(rows pgx.Rows, err error, what string) (domain.Device, error) {
	if err != nil {
		return domain.Device{}, fmt.Errorf("postgres: %s: %w", what, err)
	}
	d, err := pgx.CollectExactlyOneRow(rows, scanDevice)
	if err != nil {
		if e := notFound(err, "error.not_found"); e != err {
			return d, e
		}
		return d, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return d, nil
}

var _ service.DeviceTx = (*Tx)(nil)

// CreateDevice stores a new device awaiting its code's exchange, audited.
func (t *Tx) CreateDevice(ctx context.Context, a Audit, d domain.Device, codeHash []byte) (domain.Device, error) {
	var by *int64
	if a.ActorID != 0 {
		by = &a.ActorID
	}
	scopes := make([]string, len(d.Scopes))
	for i, s := range d.Scopes {
		scopes[i] = string(s)
	}
	rows, err := t.Query(ctx, `INSERT INTO desk_devices AS d (meeting_id, name, scopes, code_hash, code_expires_at, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+deviceColumns,
		d.MeetingID, d.Name, scopes, codeHash, d.CodeExpires, by, d.CreatedAt)
	out, err := oneDevice(rows, err, "create device")
	if err != nil {
		return out, err
	}
	return out, audit(ctx, t, a, "device.create", "device", out.ID,
		map[string]any{"meeting": out.MeetingID, "name": out.Name, "scopes": scopes, "code_expires_at": out.CodeExpires})
}

// ExchangeDeviceCode gives the device whose unexpired code has codeHash its token (the code is
// spent), audited; domain.ErrDeviceCode when no device has that code now.
func (t *Tx) ExchangeDeviceCode(ctx context.Context, a Audit, codeHash, tokenHash []byte, clientName string, now time.Time) (domain.Device, error) {
	rows, err := t.Query(ctx, `UPDATE desk_devices AS d SET code_hash = NULL, code_expires_at = NULL, token_hash = $2,
			client_name = $3, registered_at = $4, last_seen_at = $4
		WHERE d.code_hash = $1 AND d.code_expires_at > $4 AND d.revoked_at IS NULL RETURNING `+deviceColumns,
		codeHash, tokenHash, clientName, now)
	d, err := oneDevice(rows, err, "register device")
	if domain.ErrorCode(err) == domain.NotFound {
		return d, domain.ErrDeviceCode
	}
	if err != nil {
		return d, err
	}
	return d, audit(ctx, t, a, "device.register", "device", d.ID, map[string]any{"meeting": d.MeetingID, "client_name": clientName})
}

// LockDevice reads a device for update.
func (t *Tx) LockDevice(ctx context.Context, id int64) (domain.Device, error) {
	rows, err := t.Query(ctx, `SELECT `+deviceColumns+` FROM desk_devices d WHERE d.id = $1 FOR UPDATE`, id)
	return oneDevice(rows, err, "lock device")
}

// RevokeDevice revokes a device: its token and any code it still has stop working, audited.
// The token's hash is kept, so that the device is told it was revoked.
func (t *Tx) RevokeDevice(ctx context.Context, a Audit, id int64, now time.Time) error {
	var by *int64
	if a.ActorID != 0 {
		by = &a.ActorID
	}
	if _, err := t.Exec(ctx, `UPDATE desk_devices SET revoked_at = $2, revoked_by = $3, code_hash = NULL, code_expires_at = NULL
		WHERE id = $1`, id, now, by); err != nil {
		return fmt.Errorf("postgres: revoke device: %w", err)
	}
	return audit(ctx, t, a, "device.revoke", "device", id, nil)
}

var _ service.DeviceReads = (*DB)(nil)

// DeviceByToken returns the device whose token has tokenHash, revoked or not.
func (db *DB) DeviceByToken(ctx context.Context, tokenHash []byte) (domain.Device, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+deviceColumns+` FROM desk_devices d WHERE d.token_hash = $1`, tokenHash)
	return oneDevice(rows, err, "device by token")
}

// TouchDevice notes when the device was last seen (not audited: it changes no state).
func (db *DB) TouchDevice(ctx context.Context, id int64, now time.Time) error {
	if _, err := db.Pool.Exec(ctx, `UPDATE desk_devices SET last_seen_at = $2 WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < $2)`, id, now); err != nil {
		return fmt.Errorf("postgres: touch device: %w", err)
	}
	return nil
}

// Devices lists a meeting's devices, newest first.
func (db *DB) Devices(ctx context.Context, meetingID int64) ([]domain.Device, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+deviceColumns+` FROM desk_devices d WHERE d.meeting_id = $1 ORDER BY d.id DESC`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("postgres: devices: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanDevice)
	if err != nil {
		return nil, fmt.Errorf("postgres: devices: %w", err)
	}
	return out, nil
}

// ValidToken is an entry of a meeting's list of valid tokens (the service's).
type ValidToken = service.ValidToken

// ValidTokens lists a meeting's valid tokens, in id order (the complement of RevokedTokens).
func (db *DB) ValidTokens(ctx context.Context, meetingID int64) ([]ValidToken, error) {
	rows, err := db.Pool.Query(ctx, `SELECT t.id, t.kind, t.registration_id, t.serial, t.mode, t.valid_from, t.valid_until,
			a.given_name || ' ' || a.family_name, o.name, o.country
		FROM desk_tokens t JOIN registrations r ON r.id = t.registration_id
		JOIN accounts a ON a.id = r.account_id JOIN organisations o ON o.id = r.organisation_id
		WHERE t.meeting_id = $1 AND t.revoked_at IS NULL AND r.state = 'approved' AND r.mode = t.mode
		ORDER BY t.id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("postgres: valid tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ValidToken, error) {
		var v ValidToken
		err := row.Scan(&v.ID, &v.Kind, &v.Registration, &v.Serial, &v.Mode, &v.ValidFrom, &v.ValidUntil, &v.Name, &v.Organisation, &v.Country)
		v.ValidFrom, v.ValidUntil = v.ValidFrom.UTC(), v.ValidUntil.UTC()
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: valid tokens: %w", err)
	}
	return out, nil
}

// ScannerLists returns a meeting's check-in lists, the entry list first (made on first use).
func (db *DB) ScannerLists(ctx context.Context, meetingID int64) ([]domain.CheckInList, error) {
	if _, err := entryList(ctx, db.Pool, meetingID); err != nil {
		return nil, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+checkInListColumns+` FROM checkin_lists l WHERE l.meeting_id = $1
		ORDER BY l.kind <> 'entry', l.id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("postgres: check-in lists: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanCheckInList)
	if err != nil {
		return nil, fmt.Errorf("postgres: check-in lists: %w", err)
	}
	return out, nil
}
