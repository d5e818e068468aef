package domain

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// Scanner devices (issue 13 §4): a scanner that is not a browser (a phone app, a handheld
// reader) works a meeting's check-in lists through the device API. The secretariat registers it
// for one meeting by name and gets a one-time code, shown once, which the device exchanges within
// DeviceCodeTTL for its bearer token, also shown once. The portal keeps only the SHA-256 of each.
// What the device may do is data: the scanner device role at its meeting, narrowed to its scopes.

// DeviceCodeTTL is how long a device's one-time code can be exchanged for its token.
const DeviceCodeTTL = 15 * time.Minute

// DeviceScopes are the scopes a device is given when none are named: it scans.
var DeviceScopes = []Permission{ScanTokens}

// DeviceTokenPrefix starts a device's bearer token, so that a token found in a log says what it is.
const DeviceTokenPrefix = "pldev_"

// deviceCodeAlphabet is Crockford's base32: no I, L, O or U, which are read for 1, 0 or V.
const deviceCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// deviceCodeLength is the code's characters (50 bits; guessing one in its 15 minutes is hopeless).
const deviceCodeLength = 10

// Device is a scanner device registered for a meeting.
type Device struct {
	ID        int64
	MeetingID int64
	// Name is the secretariat's name for it ("Entrance scanner 2"); ClientName what the device
	// said it is when it registered ("Zebra TC21").
	Name       string
	ClientName string
	Scopes     []Permission
	CreatedAt  time.Time
	// CodeExpires is when the one-time code stops working (zero once exchanged).
	CodeExpires time.Time
	// Registered is when the device exchanged its code (zero before).
	Registered time.Time
	LastSeen   time.Time
	Revoked    time.Time
}

// DeviceState says where a device stands.
type DeviceState string

// The states of a device.
const (
	// DeviceAwaiting: its code was given and not yet exchanged.
	DeviceAwaiting DeviceState = "awaiting"
	// DeviceCodeExpired: its code was not exchanged in time; register it again.
	DeviceCodeExpired DeviceState = "expired"
	// DeviceActive: it holds its token.
	DeviceActive DeviceState = "active"
	// DeviceRevoked: its token no longer opens anything.
	DeviceRevoked DeviceState = "revoked"
)

// State returns the device's state at time now.
func (d Device) State(now time.Time) DeviceState {
	switch {
	case !d.Revoked.IsZero():
		return DeviceRevoked
	case !d.Registered.IsZero():
		return DeviceActive
	case now.Before(d.CodeExpires):
		return DeviceAwaiting
	}
	return DeviceCodeExpired
}

// DeviceActor is what a device may do: scan at its meeting, within its scopes (never more than
// the scanner device role gives, whatever the scopes say).
func DeviceActor(d Device) Actor {
	scopes := d.Scopes
	if scopes == nil {
		scopes = []Permission{}
	}
	return Actor{Device: d.ID, Grants: []Grant{{Role: RoleScannerDevice, Meeting: d.MeetingID}}}.WithScopes(scopes...)
}

// The refusals of the device API, each a catalogue key.
var (
	ErrDeviceCode     = Errorf(Invalid, "device.code_invalid")
	ErrDeviceToken    = Errorf(Unauthorized, "device.token_invalid")
	ErrDeviceName     = FieldErrors(map[string]string{"name": "device.name_required"})
	ErrDeviceNameLong = FieldErrors(map[string]string{"name": "device.name_too_long"})
)

// DeviceNameMax is the longest name a device may be given, in characters.
const DeviceNameMax = 80

// CleanDeviceName trims a device's name and checks it is given and not too long.
func CleanDeviceName(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		return "", ErrDeviceName
	case len([]rune(s)) > DeviceNameMax:
		return s, ErrDeviceNameLong
	}
	return s, nil
}

// NewDeviceCode returns a one-time code, "7K3QD-M9XWP", to type into a device.
func NewDeviceCode() string {
	var b [deviceCodeLength]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("domain: no randomness: " + err.Error())
	}
	out := make([]byte, 0, deviceCodeLength+1)
	for i, c := range b {
		if i == deviceCodeLength/2 {
			out = append(out, '-')
		}
		out = append(out, deviceCodeAlphabet[c&31])
	}
	return string(out)
}

// NormalizeDeviceCode returns a code as typed (any case, spaces and hyphens, O for 0, I and L for
// 1) in its stored form, or "" when it cannot be a code.
func NormalizeDeviceCode(s string) string {
	var out []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || strings.IndexByte(deviceCodeAlphabet, byte(r)) < 0 {
			return ""
		}
		out = append(out, byte(r))
	}
	if len(out) != deviceCodeLength {
		return ""
	}
	return string(out)
}

// NewDeviceToken returns a device's bearer token: 256 random bits.
func NewDeviceToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("domain: no randomness: " + err.Error())
	}
	return DeviceTokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// DeviceSecretHash is what the portal keeps of a device's code or token: its SHA-256.
func DeviceSecretHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// SignList signs a list a device downloads (the meeting's valid or revoked tokens): Ed25519 by
// the current key over the list's body exactly as sent. A token's signature covers its context
// ("plenary desk token") first, which no JSON body starts with, so neither passes for the other.
func (k DeskKeys) SignList(body []byte) (key uint16, sig []byte) {
	return k.Current, ed25519.Sign(k.Private, body)
}

// VerifyList checks a downloaded list's signature by key (a device does this with the public
// keys it was given).
func VerifyList(keys map[uint16]ed25519.PublicKey, key uint16, body, sig []byte) bool {
	pub, ok := keys[key]
	return ok && len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, body, sig)
}
