package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// A device's life: the secretariat registers it and gets a one-time code; the device exchanges
// the code once for a token; the token opens scanning at that meeting only, and the device's
// scans are its own (no staff member); revoked, the token is refused at once. Each step audited.
func TestDeviceLife(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sec, delegate, focal := w.actor(secretariat), w.actor(delegateSM), w.actor(focalSM)
	a := postgres.Audit{ActorID: sec.ID}

	if _, _, err := w.svc.Devices.Create(ctx, postgres.Audit{ActorID: focal.ID}, focal, w.meeting, "Scanner"); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point registers a device: %v", err)
	}
	if _, _, err := w.svc.Devices.Create(ctx, a, sec, w.meeting, "  \t "); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("a device without a name: %v", err)
	} else if e, _ := domain.AsError(err); e.Fields["name"] != "device.name_required" {
		t.Errorf("the name's message: %v", e.Fields)
	}
	if _, _, err := w.svc.Devices.Create(ctx, a, sec, 1<<40, "Scanner"); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("a device for no meeting: %v", err)
	}
	d, code, err := w.svc.Devices.Create(ctx, a, sec, w.meeting, " Entrance   scanner 1 ")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "Entrance scanner 1" || d.State(w.now) != domain.DeviceAwaiting || d.CodeExpires.Sub(w.now.Add(15*time.Minute)).Abs() > time.Microsecond {
		t.Errorf("new device %+v", d)
	}
	if n := w.count(`SELECT count(*) FROM desk_devices WHERE code_hash IS NOT NULL AND position($1::bytea IN code_hash) = 0`, []byte(code)); n != 1 {
		t.Errorf("the code is not kept only as a hash (%d)", n)
	}

	if _, _, err := w.svc.Devices.Register(ctx, postgres.Audit{}, "AAAAA-AAAAA", "Phone"); !errors.Is(err, domain.ErrDeviceCode) {
		t.Errorf("a wrong code: %v", err)
	}
	// Typed in lower case, without the hyphen, an O for a zero: the same code.
	typed := strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(code, "-", ""), "0", "o"))
	reg, token, err := w.svc.Devices.Register(ctx, postgres.Audit{RemoteAddr: "192.0.2.7"}, typed, "Zebra TC21")
	if err != nil {
		t.Fatal(err)
	}
	if reg.ID != d.ID || reg.ClientName != "Zebra TC21" || reg.State(w.now) != domain.DeviceActive || !strings.HasPrefix(token, domain.DeviceTokenPrefix) {
		t.Errorf("registered %+v %q", reg, token)
	}
	if _, _, err := w.svc.Devices.Register(ctx, postgres.Audit{}, code, "Another"); !errors.Is(err, domain.ErrDeviceCode) {
		t.Errorf("a code used twice: %v", err)
	}
	if n := w.count(`SELECT count(*) FROM desk_devices WHERE token_hash = sha256($1::bytea)`, []byte(token)); n != 1 {
		t.Errorf("the token is not kept as its SHA-256 (%d)", n)
	}

	if _, _, err := w.svc.Devices.Authenticate(ctx, token+"x"); !errors.Is(err, domain.ErrDeviceToken) {
		t.Errorf("a wrong token: %v", err)
	}
	dev, actor, err := w.svc.Devices.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if dev.ID != d.ID || !actor.CanAt(domain.ScanTokens, w.meeting) || actor.CanAt(domain.ScanTokens, w.meeting+1) ||
		actor.CanAt(domain.WorkDesk, w.meeting) || actor.Can(domain.ManageDesk) || actor.SignedIn() {
		t.Errorf("the device may do more or less than scan at its meeting: %+v", actor)
	}

	// The device's scan is recorded as the device's.
	reg1 := w.approved(delegate, focal, domain.InPerson)
	c, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg1.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.svc.Desk.Redeem(ctx, postgres.Audit{}, actor, service.Scan{MeetingID: w.meeting, Code: c.Code, Desk: dev.Name, Nonce: "n1"})
	if err != nil || res.Outcome != domain.ScanAccepted || res.Person == nil || res.Person.Name == "" {
		t.Fatalf("the device's scan: %+v %v", res, err)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE id = $1 AND device_id = $2 AND staff_id IS NULL AND client = 'device:' || $2`, res.ScanID, d.ID); n != 1 {
		t.Error("the scan is not recorded as the device's")
	}

	// Revoked: refused at once, and said so.
	if err := w.svc.Devices.Revoke(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, w.meeting, d.ID); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate revokes a device: %v", err)
	}
	if err := w.svc.Devices.Revoke(ctx, a, sec, w.meeting+1, d.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("revoked through another meeting: %v", err)
	}
	if err := w.svc.Devices.Revoke(ctx, a, sec, w.meeting, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Devices.Revoke(ctx, a, sec, w.meeting, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.Devices.Authenticate(ctx, token); !errors.Is(err, service.ErrDeviceRevoked) || domain.ErrorCode(err) != domain.Unauthorized {
		t.Errorf("a revoked device's token: %v", err)
	}
	list, err := w.svc.Devices.List(ctx, sec, w.meeting)
	if err != nil || len(list) != 1 || list[0].State(w.now) != domain.DeviceRevoked {
		t.Errorf("devices %+v %v", list, err)
	}
	for action, want := range map[string]int{"device.create": 1, "device.register": 1, "device.revoke": 1} {
		if n := w.count(`SELECT count(*) FROM audit_events WHERE entity = 'device' AND entity_id = $1 AND action = $2`, d.ID, action); n != want {
			t.Errorf("%d %s events, want %d", n, action, want)
		}
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE entity = 'device' AND entity_id = $1 AND action = 'device.register' AND actor_id IS NULL AND remote_addr = '192.0.2.7'`, d.ID); n != 1 {
		t.Error("the registration is not audited as the device's, from its address")
	}
}

// A code not exchanged within 15 minutes is refused; the device shows as expired.
func TestDeviceCodeExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sec := w.actor(secretariat)
	d, code, err := w.svc.Devices.Create(ctx, postgres.Audit{ActorID: sec.ID}, sec, w.meeting, "Scanner")
	if err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(domain.DeviceCodeTTL)
	if _, _, err := w.svc.Devices.Register(ctx, postgres.Audit{}, code, ""); !errors.Is(err, domain.ErrDeviceCode) {
		t.Errorf("a code 15 minutes old: %v", err)
	}
	if d.State(w.now) != domain.DeviceCodeExpired {
		t.Errorf("state %s", d.State(w.now))
	}
}
