package domain

import (
	"strings"
	"testing"
	"time"
)

func TestDeviceCode(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := NewDeviceCode()
		if len(c) != 11 || c[5] != '-' || seen[c] {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
		if n := NormalizeDeviceCode(c); n != strings.ReplaceAll(c, "-", "") {
			t.Fatalf("%q normalizes to %q", c, n)
		}
	}
	for in, want := range map[string]string{
		"abcde-fghjk":   "ABCDEFGHJK",
		" o1l2i 3456 7": "0112134567",
		"ABCDE-FGHJ":    "",
		"ABCDE-FGHJKM":  "",
		"ABCDE-FGHJU":   "",
		"ABCDE-FGHJÉ":   "",
	} {
		if got := NormalizeDeviceCode(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestDeviceStateAndActor(t *testing.T) {
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	d := Device{ID: 3, MeetingID: 9, CodeExpires: now.Add(time.Minute), Scopes: DeviceScopes}
	if d.State(now) != DeviceAwaiting || d.State(now.Add(time.Minute)) != DeviceCodeExpired {
		t.Error("a code's time")
	}
	d.Registered = now
	if d.State(now.Add(time.Hour)) != DeviceActive {
		t.Error("registered")
	}
	a := DeviceActor(d)
	if !a.CanAt(ScanTokens, 9) || a.CanAt(ScanTokens, 10) || a.CanAt(WorkDesk, 9) || a.SignedIn() || a.HasRole(RoleScannerDevice) {
		t.Errorf("device actor %+v", a)
	}
	// Scopes narrow: a device given none scans nothing; one given more gets no more than its role.
	if DeviceActor(Device{ID: 3, MeetingID: 9}).CanAt(ScanTokens, 9) {
		t.Error("a device without scopes scans")
	}
	if DeviceActor(Device{ID: 3, MeetingID: 9, Scopes: []Permission{WorkDesk, ManageDesk, ScanTokens}}).CanAt(WorkDesk, 9) {
		t.Error("scopes widen the device's role")
	}
	d.Revoked = now
	if d.State(now) != DeviceRevoked {
		t.Error("revoked")
	}
	if _, err := CleanDeviceName(strings.Repeat("é", DeviceNameMax+1)); err != ErrDeviceNameLong {
		t.Errorf("long name: %v", err)
	}
	if n, err := CleanDeviceName(" Desk  2 "); n != "Desk 2" || err != nil {
		t.Errorf("name %q %v", n, err)
	}
}
