package site_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"plenary/internal/app"
	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// deviceClient speaks to the device API as a scanner does: JSON, a bearer token, no cookie.
type deviceClient struct {
	t     *testing.T
	base  string
	token string
	lang  string
}

type apiAnswer struct {
	status int
	header http.Header
	raw    []byte
}

func (a apiAnswer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.raw, v); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", a.status, err, a.raw)
	}
}

func (c *deviceClient) do(method, path string, body any, header ...string) apiAnswer {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if len(resp.Cookies()) > 0 {
		c.t.Errorf("%s %s sets a cookie: %v", method, path, resp.Cookies())
	}
	return apiAnswer{resp.StatusCode, resp.Header, raw}
}

// apiFixture is a site with a registered scanner device and the use cases beside it.
type apiFixture struct {
	*listsFixture
	svc    service.Services
	sec    domain.Actor
	device domain.Device
	dev    *deviceClient
}

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	fx := &apiFixture{listsFixture: newListsFixture(t)}
	fx.svc = app.NewServices(fx.ts.db, func() time.Time { return fx.now })
	fx.sec = fx.actorOf(secretariat)
	fx.device, fx.dev = fx.newDevice("Entrance scanner 1")
	return fx
}

func (fx *apiFixture) actorOf(email string) domain.Actor {
	fx.t.Helper()
	a, _, err := fx.ts.db.Actor(context.Background(), fx.account(email).ID)
	if err != nil {
		fx.t.Fatal(err)
	}
	return a
}

// newDevice has the secretariat register a device and the device exchange its code.
func (fx *apiFixture) newDevice(name string) (domain.Device, *deviceClient) {
	fx.t.Helper()
	d, code, err := fx.svc.Devices.Create(context.Background(), postgres.Audit{ActorID: fx.sec.ID}, fx.sec, fx.demo, name)
	if err != nil {
		fx.t.Fatal(err)
	}
	c := &deviceClient{t: fx.t, base: fx.ts.srv.URL}
	a := c.do("POST", "/api/desk/register", map[string]string{"code": code, "name": "Zebra TC21"})
	if a.status != http.StatusCreated {
		fx.t.Fatalf("register: %d %s", a.status, a.raw)
	}
	var out struct {
		Token   string `json:"token"`
		Device  int64  `json:"device"`
		Meeting int64  `json:"meeting"`
	}
	a.decode(fx.t, &out)
	if out.Device != d.ID || out.Meeting != fx.demo || !strings.HasPrefix(out.Token, domain.DeviceTokenPrefix) {
		fx.t.Fatalf("registered %+v", out)
	}
	c.token = out.Token
	return d, c
}

// confirmed registers email in person, approved, and returns the registration and its code,
// issued a day before the test's time (so that a scan made offline an hour ago finds it valid).
func (fx *apiFixture) confirmed(email string) (int64, string) {
	fx.t.Helper()
	now := fx.now
	fx.now = now.Add(-24 * time.Hour)
	defer func() { fx.now = now }()
	id := fx.register(fx.account(email), domain.InPerson, true)
	fx.approve(id)
	owner := fx.actorOf(email)
	c, err := fx.svc.Desk.Confirmation(context.Background(), postgres.Audit{ActorID: owner.ID}, owner, id)
	if err != nil || c.Code == "" {
		fx.t.Fatalf("confirmation: %+v %v", c, err)
	}
	return id, c.Code
}

type apiScan struct {
	Nonce        string `json:"nonce"`
	Outcome      string `json:"outcome"`
	Refusal      string `json:"refusal"`
	Message      string `json:"message"`
	Registration int64  `json:"registration"`
	Scan         int64  `json:"scan"`
	ScannedAt    string `json:"scanned_at"`
	Person       *struct {
		Name, Organisation, Mode, State string
	} `json:"person"`
	First *struct {
		At   time.Time `json:"at"`
		Desk string    `json:"desk"`
	} `json:"first_check_in"`
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields"`
}

type apiErr struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
}

// A device registers with its code (a wrong code refused in the device's language), reads its
// meeting with the keys, scans a person (the answer names them), and the same nonce again gets
// the first answer byte for byte, recording nothing more. A second device scanning the same
// person gets a duplicate that says when and where the first check-in was. Requests without a
// token, or with a revoked device's, are refused at once with 401.
func TestDeviceAPIRedeem(t *testing.T) {
	t.Parallel()
	fx := newAPIFixture(t)
	anon := &deviceClient{t: t, base: fx.ts.srv.URL, lang: "fr"}
	fr := fx.ts.cat.For("fr")

	a := anon.do("POST", "/api/desk/register", map[string]string{"code": "AAAAA-AAAAA", "name": "x"})
	var e apiErr
	a.decode(t, &e)
	if a.status != http.StatusUnprocessableEntity || e.Error != "invalid" || e.Message != fr.T("device.code_invalid") {
		t.Errorf("a wrong code: %d %s", a.status, a.raw)
	}
	if a := anon.do("POST", "/api/desk/register", `{"code":`); a.status != http.StatusUnprocessableEntity || !strings.Contains(string(a.raw), `"error":"invalid"`) {
		t.Errorf("broken JSON: %d %s", a.status, a.raw)
	}
	a = anon.do("GET", "/api/desk/meeting", nil)
	a.decode(t, &e)
	if a.status != http.StatusUnauthorized || e.Message != fr.T("device.token_invalid") || a.header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %v %s", a.status, a.header, a.raw)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("an error served as %q", ct)
	}

	a = fx.dev.do("GET", "/api/desk/meeting", nil)
	var m struct {
		ID         int64  `json:"id"`
		Slug       string `json:"slug"`
		TimeZone   string `json:"time_zone"`
		CurrentKey uint16 `json:"current_key"`
		Device     struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"device"`
		Lists []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"lists"`
		Keys []struct {
			ID      uint16 `json:"id"`
			Ed25519 string `json:"ed25519"`
		} `json:"keys"`
	}
	a.decode(t, &m)
	if a.status != http.StatusOK || m.ID != fx.demo || m.Slug != fx.demoSlug || m.Device.ID != fx.device.ID || m.Device.Name != "Entrance scanner 1" ||
		len(m.Lists) == 0 || m.Lists[0].Kind != "entry" || m.Lists[0].Name == "" || len(m.Keys) == 0 || m.TimeZone == "" {
		t.Fatalf("meeting: %d %s", a.status, a.raw)
	}

	reg, code := fx.confirmed(delegateSM)
	scan := map[string]any{"nonce": "scan-0001", "code": code}
	first := fx.dev.do("POST", "/api/desk/redeem", scan)
	var s apiScan
	first.decode(t, &s)
	if first.status != http.StatusOK || s.Outcome != "accepted" || s.Registration != reg || s.Person == nil || s.Person.Name == "" || s.Person.State != "approved" || s.Scan == 0 {
		t.Fatalf("first scan: %d %s", first.status, first.raw)
	}
	if first.header.Get("Plenary-Replayed") != "" {
		t.Error("a first answer said to be replayed")
	}
	again := fx.dev.do("POST", "/api/desk/redeem", scan)
	if again.status != http.StatusOK || !bytes.Equal(again.raw, first.raw) || again.header.Get("Plenary-Replayed") != "true" {
		t.Errorf("the nonce again: %d %s\nwant the first answer byte for byte:\n%s", again.status, again.raw, first.raw)
	}
	if n := fx.count(`SELECT count(*) FROM scans WHERE registration_id = $1`, reg); n != 1 {
		t.Errorf("%d scans after a replay, want 1", n)
	}
	if n := fx.count(`SELECT count(*) FROM scans WHERE id = $1 AND device_id = $2 AND desk = 'Entrance scanner 1' AND staff_id IS NULL`, s.Scan, fx.device.ID); n != 1 {
		t.Error("the scan is not recorded as the device's")
	}

	// Another device, the same person: recorded, reported as a duplicate with the first check-in.
	second, dev2 := fx.newDevice("Entrance scanner 2")
	dev2.lang = "zh"
	a = dev2.do("POST", "/api/desk/redeem", map[string]any{"nonce": "scan-0001", "code": code})
	var dup apiScan
	a.decode(t, &dup)
	if a.status != http.StatusOK || dup.Outcome != "duplicate" || dup.Refusal != domain.RefuseAlready || dup.First == nil || dup.First.Desk != "Entrance scanner 1" ||
		!strings.Contains(dup.Message, "Entrance scanner 1") || !strings.Contains(dup.Message, "报到") {
		t.Errorf("the second device: %d %s", a.status, a.raw)
	}
	if n := fx.count(`SELECT count(*) FROM scans WHERE registration_id = $1 AND device_id = $2 AND outcome = 'duplicate'`, reg, second.ID); n != 1 {
		t.Errorf("the second device's duplicate recorded %d times, want 1", n)
	}

	// A scan without a nonce or with a bad time is refused beside its field, recording nothing.
	a = fx.dev.do("POST", "/api/desk/redeem", map[string]any{"code": code, "scanned_at": "yesterday"})
	a.decode(t, &e)
	if a.status != http.StatusUnprocessableEntity || e.Fields["nonce"] == "" || e.Fields["scanned_at"] == "" {
		t.Errorf("a scan without nonce and with a bad time: %d %s", a.status, a.raw)
	}

	// A revoked device is refused at once, and told so in its language.
	if err := fx.svc.Devices.Revoke(context.Background(), postgres.Audit{ActorID: fx.sec.ID}, fx.sec, fx.demo, fx.device.ID); err != nil {
		t.Fatal(err)
	}
	fx.dev.lang = "ru"
	a = fx.dev.do("POST", "/api/desk/redeem", map[string]any{"nonce": "scan-0002", "code": code})
	a.decode(t, &e)
	if a.status != http.StatusUnauthorized || e.Error != "unauthorized" || e.Message != fx.ts.cat.For("ru").T("device.revoked") {
		t.Errorf("a revoked device: %d %s", a.status, a.raw)
	}
	if n := fx.count(`SELECT count(*) FROM scans WHERE device_id = $1`, fx.device.ID); n != 1 {
		t.Errorf("a revoked device recorded a scan (%d)", n)
	}
}

// The API is not a browser's: a request that a browser would mark cross-site, with the
// device's token, is served (the token, not a cookie, carries the authority).
func TestDeviceAPIIsNotCrossOriginProtected(t *testing.T) {
	t.Parallel()
	fx := newAPIFixture(t)
	_, code := fx.confirmed(delegateSM)
	a := fx.dev.do("POST", "/api/desk/redeem", map[string]any{"nonce": "x-1", "code": code},
		"Origin", "https://elsewhere.example", "Sec-Fetch-Site", "cross-site")
	if a.status != http.StatusOK || !strings.Contains(string(a.raw), `"outcome":"accepted"`) {
		t.Errorf("a cross-site request with the token: %d %s", a.status, a.raw)
	}
}

// A device that was offline for an hour syncs its scans: each keeps the time it was made; two
// scans of the same person (one by another device, sent out of order) count once, at the
// earlier time, the other recorded and reported as a duplicate; a scan that cannot be read is
// answered beside the others; the same batch again gets the same answers and records nothing.
func TestDeviceAPISyncOfflineScans(t *testing.T) {
	t.Parallel()
	fx := newAPIFixture(t)
	regA, codeA := fx.confirmed(delegateSM)
	regB, codeB := fx.confirmed(delegate)
	hourAgo := fx.now.Add(-time.Hour).UTC().Truncate(time.Second)
	batch := map[string]any{"scans": []map[string]any{
		{"nonce": "off-3", "code": codeA, "scanned_at": hourAgo.Add(20 * time.Minute).Format(time.RFC3339)},
		{"nonce": "off-1", "code": codeA, "scanned_at": hourAgo.Format(time.RFC3339)},
		{"nonce": "off-2", "code": codeB, "scanned_at": hourAgo.Add(5 * time.Minute).In(time.FixedZone("CEST", 2*3600)).Format(time.RFC3339)},
		{"nonce": "", "code": codeB},
	}}
	a := fx.dev.do("POST", "/api/desk/sync", batch)
	var out struct {
		Results []apiScan `json:"results"`
	}
	a.decode(t, &out)
	if a.status != http.StatusOK || len(out.Results) != 4 {
		t.Fatalf("sync: %d %s", a.status, a.raw)
	}
	r := out.Results
	if r[0].Nonce != "off-3" || r[0].Outcome != "duplicate" || r[0].First == nil || !r[0].First.At.Equal(hourAgo) {
		t.Errorf("the later scan of A: %+v", r[0])
	}
	if r[1].Nonce != "off-1" || r[1].Outcome != "accepted" || r[1].Registration != regA {
		t.Errorf("the earlier scan of A: %+v", r[1])
	}
	if r[2].Outcome != "accepted" || r[2].Registration != regB {
		t.Errorf("the scan of B: %+v", r[2])
	}
	if r[3].Outcome != "" || r[3].Error != "invalid" || r[3].Fields["nonce"] == "" {
		t.Errorf("the scan without a nonce: %+v", r[3])
	}
	var at time.Time
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT scanned_at FROM scans WHERE registration_id = $1 AND outcome = 'accepted'`, regA).Scan(&at); err != nil || !at.Equal(hourAgo) {
		t.Errorf("A's check-in stored at %s (%v), want its own time %s", at, err, hourAgo)
	}
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT scanned_at FROM scans WHERE registration_id = $1 AND outcome = 'accepted'`, regB).Scan(&at); err != nil || !at.Equal(hourAgo.Add(5*time.Minute)) {
		t.Errorf("B's check-in stored at %s (%v), want %s", at, err, hourAgo.Add(5*time.Minute))
	}
	if n := fx.count(`SELECT count(*) FROM scans WHERE device_id = $1`, fx.device.ID); n != 3 {
		t.Errorf("%d scans recorded, want 3 (none lost, the unreadable one not taken)", n)
	}
	again := fx.dev.do("POST", "/api/desk/sync", batch)
	if again.status != http.StatusOK || !bytes.Equal(again.raw, a.raw) {
		t.Errorf("the same batch again:\n%s\nwant\n%s", again.raw, a.raw)
	}
	if n := fx.count(`SELECT count(*) FROM scans WHERE device_id = $1`, fx.device.ID); n != 3 {
		t.Errorf("%d scans after the batch came again, want 3", n)
	}
	if a := fx.dev.do("POST", "/api/desk/sync", map[string]any{"scans": make([]map[string]any, 1001)}); a.status != http.StatusUnprocessableEntity {
		t.Errorf("a sync of 1,001 scans: %d", a.status)
	}
}

// The valid tokens and the revocation list are signed by the portal's key over the body as
// sent (the test checks the signature with the key the meeting's answer gave), with an ETag: the
// same list again is 304, and a cancellation moves the token from one list to the other.
func TestDeviceAPISignedLists(t *testing.T) {
	t.Parallel()
	fx := newAPIFixture(t)
	reg, code := fx.confirmed(delegateSM)
	var m struct {
		Keys []struct {
			ID      uint16 `json:"id"`
			Ed25519 string `json:"ed25519"`
		} `json:"keys"`
	}
	fx.dev.do("GET", "/api/desk/meeting", nil).decode(t, &m)
	keys := map[uint16]ed25519.PublicKey{}
	for _, k := range m.Keys {
		b, err := base64.StdEncoding.DecodeString(k.Ed25519)
		if err != nil {
			t.Fatal(err)
		}
		keys[k.ID] = b
	}
	verified := func(a apiAnswer) bool {
		t.Helper()
		key, err := strconv.Atoi(a.header.Get("Plenary-Signature-Key"))
		if err != nil {
			return false
		}
		sig, err := base64.StdEncoding.DecodeString(a.header.Get("Plenary-Signature"))
		return err == nil && domain.VerifyList(keys, uint16(key), a.raw, sig)
	}
	tok, err := domain.VerifyToken(keys, code, fx.now)
	if err != nil {
		t.Fatal(err)
	}

	valid := fx.dev.do("GET", "/api/desk/valid", nil)
	var v struct {
		Meeting int64                `json:"meeting"`
		Tokens  []service.ValidToken `json:"tokens"`
	}
	valid.decode(t, &v)
	if valid.status != http.StatusOK || v.Meeting != fx.demo || !verified(valid) {
		t.Fatalf("valid list: %d %v %s", valid.status, valid.header, valid.raw)
	}
	found := false
	for _, vt := range v.Tokens {
		if vt.ID == tok.ID {
			found = vt.Registration == reg && vt.Name != "" && vt.Kind == "confirmation"
		}
	}
	if !found {
		t.Errorf("the confirmation's token is not on the valid list: %s", valid.raw)
	}
	tampered := valid
	tampered.raw = bytes.Replace(valid.raw, []byte(`"meeting":`), []byte(`"meeting": `), 1)
	if verified(tampered) {
		t.Error("a changed list still verifies")
	}
	etag := valid.header.Get("ETag")
	if a := fx.dev.do("GET", "/api/desk/valid", nil, "If-None-Match", etag); a.status != http.StatusNotModified || len(a.raw) != 0 {
		t.Errorf("the same list again: %d", a.status)
	}

	revoked := fx.dev.do("GET", "/api/desk/revoked", nil)
	if revoked.status != http.StatusOK || !verified(revoked) || strings.Contains(string(revoked.raw), `"id":`+strconv.FormatInt(tok.ID, 10)+`,`) {
		t.Fatalf("revocation list before: %d %s", revoked.status, revoked.raw)
	}
	owner := fx.actorOf(delegateSM)
	if err := fx.svc.Registrations.Cancel(context.Background(), postgres.Audit{ActorID: owner.ID}, owner, reg); err != nil {
		t.Fatal(err)
	}
	after := fx.dev.do("GET", "/api/desk/revoked", nil, "If-None-Match", revoked.header.Get("ETag"))
	var rl struct {
		Revoked []service.RevokedToken `json:"revoked"`
	}
	after.decode(t, &rl)
	if after.status != http.StatusOK || !verified(after) || after.header.Get("ETag") == revoked.header.Get("ETag") {
		t.Fatalf("revocation list after the cancellation: %d %s", after.status, after.raw)
	}
	onList := false
	for _, rt := range rl.Revoked {
		onList = onList || (rt.ID == tok.ID && rt.Reason == "cancelled")
	}
	if !onList {
		t.Errorf("the cancelled registration's token is not on the revocation list: %s", after.raw)
	}
	if a := fx.dev.do("GET", "/api/desk/valid", nil, "If-None-Match", etag); a.status != http.StatusOK || strings.Contains(string(a.raw), `"id":`+strconv.FormatInt(tok.ID, 10)+`,`) {
		t.Errorf("the valid list after the cancellation: %d %s", a.status, a.raw)
	}
	// And a scan of the cancelled registration's code is refused, recorded.
	a := fx.dev.do("POST", "/api/desk/redeem", map[string]any{"nonce": "late-1", "code": code})
	var s apiScan
	a.decode(t, &s)
	if a.status != http.StatusOK || s.Outcome != "refused" || s.Message == "" {
		t.Errorf("the cancelled code: %d %s", a.status, a.raw)
	}
}

// A device at a room's door (a list the secretariat added, with exits scanned) names the list:
// the entry, then the exit, are recorded on it with their messages; the meeting's answer lists it.
func TestDeviceAPIRoomList(t *testing.T) {
	t.Parallel()
	fx := newAPIFixture(t)
	room, err := fx.svc.Desk.SaveCheckInList(context.Background(), postgres.Audit{ActorID: fx.sec.ID}, fx.sec, domain.CheckInList{
		MeetingID: fx.demo, Kind: domain.RoomList, Name: domain.Text{"en": "Room C"}, MultiEntry: true, Exits: true})
	if err != nil {
		t.Fatal(err)
	}
	if a := fx.dev.do("GET", "/api/desk/meeting", nil); !strings.Contains(string(a.raw), `"name":"Room C","multi_entry":true`) {
		t.Errorf("the meeting's lists: %s", a.raw)
	}
	reg, code := fx.confirmed(delegateSM)
	for i, c := range []struct{ dir, msg string }{{"in", "desk.checked_in"}, {"out", "api.exit_recorded"}} {
		a := fx.dev.do("POST", "/api/desk/redeem", map[string]any{"nonce": "room-" + strconv.Itoa(i), "code": code, "list": room.ID, "direction": c.dir})
		var s apiScan
		a.decode(t, &s)
		if a.status != http.StatusOK || s.Outcome != "accepted" || s.Message != fx.ts.cat.For("en").T(c.msg) {
			t.Errorf("%s: %d %s", c.dir, a.status, a.raw)
		}
	}
	if n := fx.count(`SELECT count(*) FROM scans WHERE list_id = $1 AND registration_id = $2 AND outcome = 'accepted'`, room.ID, reg); n != 2 {
		t.Errorf("%d passages on the room's list, want 2", n)
	}
	if a := fx.dev.do("POST", "/api/desk/redeem", map[string]any{"nonce": "room-x", "code": code, "list": room.ID + 1000}); a.status != http.StatusNotFound {
		t.Errorf("a list of no meeting: %d %s", a.status, a.raw)
	}
}
