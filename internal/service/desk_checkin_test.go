package service_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strconv"
	"sync"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// deskStaff names an account desk staff of the open meeting and returns its actor.
func (w *world) deskStaff(email string) domain.Actor {
	w.t.Helper()
	acc, err := w.db.AccountByEmail(context.Background(), email)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.db.Pool.Exec(context.Background(), `INSERT INTO account_roles (account_id, role, meeting_id) VALUES ($1, 'desk_staff', $2)`, acc.ID, w.meeting); err != nil {
		w.t.Fatal(err)
	}
	return w.actor(email)
}

// 40 desks redeem the same code at once: exactly one check-in is recorded, the 39 others are
// recorded as duplicates that say when and where the person was checked in.
func TestRedeemFortyDesksAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, focal := w.actor(delegateSM), w.actor(focalSM)
	reg := w.approved(delegate, focal, domain.InPerson)
	c, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	staff := w.deskStaff(delegateMS)
	const desks = 40
	results := make([]service.ScanResult, desks)
	errs := make([]error, desks)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range desks {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			results[i], errs[i] = w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: staff.ID}, staff,
				service.Scan{MeetingID: w.meeting, Code: c.Code, Desk: "Desk " + string(rune('A'+i%26))})
		}()
	}
	start.Done()
	done.Wait()
	accepted, duplicates := 0, 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("desk %d: %v", i, errs[i])
		}
		switch r.Outcome {
		case domain.ScanAccepted:
			accepted++
		case domain.ScanDuplicate:
			duplicates++
			if r.Refusal != domain.RefuseAlready || r.Args["Desk"] == nil {
				t.Errorf("duplicate says %q %v", r.Refusal, r.Args)
			}
		default:
			t.Errorf("desk %d: %+v", i, r)
		}
	}
	if accepted != 1 || duplicates != desks-1 {
		t.Fatalf("%d accepted, %d duplicates; want 1 and %d", accepted, duplicates, desks-1)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE registration_id = $1 AND outcome = 'accepted'`, reg.ID); n != 1 {
		t.Errorf("%d check-ins stored, want 1", n)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE registration_id = $1`, reg.ID); n != desks {
		t.Errorf("%d scans stored, want every one of the %d", n, desks)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE entity_id = $1 AND action = 'scan.record' AND (detail->>'staff')::bigint = $2 AND detail->>'desk' LIKE 'Desk %'`, reg.ID, staff.ID); n != desks {
		t.Errorf("%d scans audited with desk and staff member, want %d", n, desks)
	}
}

// A nonce sent again returns the first answer and records nothing more; an offline scan made
// an hour ago arrives with its own time; the same person scanned offline by a second device
// arrives late as a recorded duplicate.
func TestRedeemNonceReplayAndOfflineScans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, focal := w.actor(delegateSM), w.actor(focalSM)
	reg := w.approved(delegate, focal, domain.InPerson)
	c, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	staff := w.deskStaff(delegateMS)
	w.now = w.now.Add(2 * time.Hour)
	offline := w.now.Add(-time.Hour).Truncate(time.Second)
	scan := service.Scan{MeetingID: w.meeting, Code: c.Code, Desk: "Scanner 1", DeviceID: 7, Nonce: "n-1", At: offline}
	first, err := w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: staff.ID}, staff, scan)
	if err != nil || first.Outcome != domain.ScanAccepted {
		t.Fatalf("first: %+v %v", first, err)
	}
	if !first.At.Equal(offline) {
		t.Errorf("scan recorded at %s, want its own time %s", first.At, offline)
	}
	again, err := w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: staff.ID}, staff, scan)
	if err != nil || !again.Replayed || again.Outcome != first.Outcome || again.ScanID != first.ScanID || !again.At.Equal(first.At) {
		t.Fatalf("replay: %+v %v, want the first answer %+v", again, err, first)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE registration_id = $1`, reg.ID); n != 1 {
		t.Errorf("%d scans after a replay, want 1", n)
	}
	second := scan
	second.DeviceID, second.Desk, second.At = 8, "Scanner 2", offline.Add(10*time.Minute)
	dup, err := w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: staff.ID}, staff, second)
	if err != nil || dup.Outcome != domain.ScanDuplicate {
		t.Fatalf("late duplicate: %+v %v", dup, err)
	}
	if at, _ := dup.Args["At"].(time.Time); !at.Equal(offline) || dup.Args["Desk"] != "Scanner 1" {
		t.Errorf("duplicate names %v, want the first scan's time and desk", dup.Args)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE registration_id = $1 AND outcome = 'duplicate' AND device_id = 8`, reg.ID); n != 1 {
		t.Error("the late duplicate is not recorded")
	}
	// A future time from a device's wrong clock is taken as now.
	future := second
	future.Nonce, future.At = "n-2", w.now.Add(time.Hour)
	if r, _ := w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: staff.ID}, staff, future); !r.At.Equal(w.now) {
		t.Errorf("future scan at %s, want now %s", r.At, w.now)
	}

	// Someone who is not desk staff of this meeting may not redeem.
	if _, err := w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, scan); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("delegate redeeming: %v", err)
	}
}

// A cancelled registration's code is refused at the desk, and so is a code of another meeting.
func TestRedeemRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, focal := w.actor(delegateSM), w.actor(focalSM)
	reg := w.approved(delegate, focal, domain.InPerson)
	c, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	sec := w.actor(secretariat)
	var other int64
	if err := w.db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE id <> $1 ORDER BY id LIMIT 1`, w.meeting).Scan(&other); err != nil {
		t.Fatal(err)
	}
	r, err := w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: sec.ID}, sec, service.Scan{MeetingID: other, Code: c.Code})
	if err != nil || r.Refusal != domain.RefuseWrongMeeting {
		t.Errorf("other meeting: %+v %v", r, err)
	}
	if err := w.svc.Registrations.Cancel(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID); err != nil {
		t.Fatal(err)
	}
	r, err = w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: sec.ID}, sec, service.Scan{MeetingID: w.meeting, Code: c.Code})
	if err != nil || r.Outcome != domain.ScanRefused || r.Refusal != "desk.refuse.revoked" {
		t.Errorf("cancelled: %+v %v", r, err)
	}
	// Found by name (no code), the cancelled registration is refused as cancelled.
	r, err = w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: sec.ID}, sec, service.Scan{MeetingID: w.meeting, Registration: reg.ID})
	if err != nil || r.Refusal != domain.RefuseCancelled {
		t.Errorf("cancelled, by name: %+v %v", r, err)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE registration_id = $1 AND outcome = 'accepted'`, reg.ID); n != 0 {
		t.Errorf("%d check-ins of a cancelled registration", n)
	}
}

// Scans that arrive together share a transaction and are judged in the order they came: the
// same person scanned twice in the batch is checked in once (the second scan is a duplicate
// naming the first's desk), a nonce sent twice in the batch gets the first answer and records
// nothing more, another person in the batch is checked in; each scan recorded is audited.
func TestRedeemBatchJudgesInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	p1, c1 := w.confirmed(delegateSM, focalSM)
	p2, c2 := w.confirmed(delegateMS, focalMS)
	sec := w.actor(secretariat)
	a := postgres.Audit{ActorID: sec.ID}
	res, errs := w.svc.Desk.RedeemTogether(ctx, a, sec, []service.Scan{
		{MeetingID: w.meeting, Code: c1.Code, Desk: "Desk A", Nonce: "b-1"},
		{MeetingID: w.meeting, Code: c1.Code, Desk: "Desk B", Nonce: "b-2"},
		{MeetingID: w.meeting, Code: c1.Code, Desk: "Desk A", Nonce: "b-1"},
		{MeetingID: w.meeting, Code: c2.Code, Desk: "Desk C", Nonce: "b-3"},
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("scan %d: %v", i, err)
		}
	}
	if res[0].Outcome != domain.ScanAccepted || res[0].ScanID == 0 || res[0].Replayed {
		t.Errorf("first scan: %+v", res[0])
	}
	if res[1].Outcome != domain.ScanDuplicate || res[1].Refusal != domain.RefuseAlready || res[1].Args["Desk"] != "Desk A" {
		t.Errorf("second scan of the same person in the batch: %+v, want a duplicate naming Desk A", res[1])
	}
	if !res[2].Replayed || res[2].ScanID != res[0].ScanID || res[2].Outcome != domain.ScanAccepted || !res[2].At.Equal(res[0].At) {
		t.Errorf("nonce replayed in the batch: %+v, want the first answer %+v", res[2], res[0])
	}
	if res[3].Outcome != domain.ScanAccepted || res[3].Registration != p2.ID || res[3].Person == nil {
		t.Errorf("other person: %+v", res[3])
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE registration_id = $1 AND outcome = 'accepted'`, p1.ID); n != 1 {
		t.Errorf("%d check-ins of the person scanned twice, want 1", n)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE nonce LIKE 'b-%'`); n != 3 {
		t.Errorf("%d scans stored, want 3 (the replay records nothing)", n)
	}
	if n := w.count(`SELECT count(*) FROM audit_events e JOIN scans s ON s.id = (e.detail->>'scan')::bigint
		WHERE e.action = 'scan.record' AND s.nonce LIKE 'b-%' AND e.entity_id = s.registration_id AND e.actor_id = $1`, sec.ID); n != 3 {
		t.Errorf("%d scans audited, want 3", n)
	}
	// The replay of a nonce from an earlier batch reads the stored answer.
	again, err := w.svc.Desk.Redeem(ctx, a, sec, service.Scan{MeetingID: w.meeting, Code: c2.Code, Desk: "Desk C", Nonce: "b-3"})
	if err != nil || !again.Replayed || again.ScanID != res[3].ScanID {
		t.Errorf("later replay: %+v %v, want %+v", again, err, res[3])
	}
}

// A scan that fails in the store fails alone: the batch's transaction fails as a whole, and each
// of its scans is tried again alone, so that the others are recorded.
func TestRedeemBatchOneFailingScanDoesNotFailTheOthers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	p1 := w.approved(w.actor(delegateSM), w.actor(focalSM), domain.InPerson)
	p2 := w.approved(w.actor(delegateMS), w.actor(focalMS), domain.InPerson)
	// The store refuses any scan at "Broken desk".
	if _, err := w.db.Pool.Exec(ctx, `CREATE FUNCTION refuse_broken() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.desk = 'Broken desk' THEN RAISE EXCEPTION 'broken desk'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse_broken BEFORE INSERT ON scans FOR EACH ROW EXECUTE FUNCTION refuse_broken()`); err != nil {
		t.Fatal(err)
	}
	sec := w.actor(secretariat)
	res, errs := w.svc.Desk.RedeemTogether(ctx, postgres.Audit{ActorID: sec.ID}, sec, []service.Scan{
		{MeetingID: w.meeting, Registration: p1.ID, Desk: "Desk A", Nonce: "f-1"},
		{MeetingID: w.meeting, Registration: p2.ID, Desk: "Broken desk", Nonce: "f-2"},
		{MeetingID: w.meeting, Registration: p2.ID, Desk: "Desk C", Nonce: "f-3"},
	})
	if errs[0] != nil || res[0].Outcome != domain.ScanAccepted {
		t.Errorf("first scan: %+v %v", res[0], errs[0])
	}
	if errs[1] == nil {
		t.Errorf("the broken scan: %+v, want its error", res[1])
	}
	if errs[2] != nil || res[2].Outcome != domain.ScanAccepted {
		t.Errorf("third scan: %+v %v", res[2], errs[2])
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE nonce LIKE 'f-%'`); n != 2 {
		t.Errorf("%d scans stored, want the 2 that did not fail", n)
	}
}

// A nonce a device sends again while its first scan is being recorded (two batches at once)
// gets the first answer: 40 copies of one scan at once record one scan.
func TestRedeemSameNonceAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	reg := w.approved(w.actor(delegateSM), w.actor(focalSM), domain.InPerson)
	sec := w.actor(secretariat)
	const copies = 40
	results := make([]service.ScanResult, copies)
	errs := make([]error, copies)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range copies {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			results[i], errs[i] = w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: sec.ID}, sec,
				service.Scan{MeetingID: w.meeting, Registration: reg.ID, Desk: "Scanner", DeviceID: 9, Nonce: "same"})
		}()
	}
	start.Done()
	done.Wait()
	replayed := 0
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("copy %d: %v", i, errs[i])
		}
		if results[i].ScanID != results[0].ScanID || results[i].Outcome != domain.ScanAccepted {
			t.Errorf("copy %d: %+v, want the first answer %+v", i, results[i], results[0])
		}
		if results[i].Replayed {
			replayed++
		}
	}
	if replayed != copies-1 {
		t.Errorf("%d replayed, want %d", replayed, copies-1)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE nonce = 'same'`); n != 1 {
		t.Errorf("%d scans stored, want 1", n)
	}
}

// A code that names a genuine token (its id, registration and meeting) under a signature the
// portal did not make is refused online, whether the token was stored with its digest (the code
// is compared with it) or not (issued before digests were kept: the signature is checked), and
// nothing of the person it claims is told; the genuine codes are accepted.
func TestRedeemForgedCodeRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	p1, c1 := w.confirmed(delegateSM, focalSM)
	p2, c2 := w.confirmed(delegateMS, focalMS)
	// The second as a token issued before digests were kept.
	if _, err := w.db.Pool.Exec(ctx, `UPDATE desk_tokens SET digest = NULL WHERE id = $1`, c2.Token.ID); err != nil {
		t.Fatal(err)
	}
	_, forger, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sec := w.actor(secretariat)
	a := postgres.Audit{ActorID: sec.ID}
	for _, c := range []service.Confirmation{c1, c2} {
		forged := c.Token.Sign(forger)
		if forged == c.Code {
			t.Fatal("the forger's key signs as the portal's")
		}
		for _, nonce := range []string{"", "forged-" + strconv.FormatInt(c.Token.ID, 10)} {
			r, err := w.svc.Desk.Redeem(ctx, a, sec, service.Scan{MeetingID: w.meeting, Code: forged, Desk: "Desk F", Nonce: nonce})
			if err != nil || r.Outcome != domain.ScanRefused || r.Refusal != "desk.refuse.signature" {
				t.Errorf("forged code of token %d: %+v %v, want refused for its signature", c.Token.ID, r, err)
			}
			if r.Registration != 0 || r.Token != 0 || r.Person != nil {
				t.Errorf("forged code of token %d tells %+v", c.Token.ID, r)
			}
		}
		// And in one batch with the genuine code of the same person, before it.
		res, errs := w.svc.Desk.RedeemTogether(ctx, a, sec, []service.Scan{
			{MeetingID: w.meeting, Code: forged, Desk: "Desk F"},
			{MeetingID: w.meeting, Code: c.Code, Desk: "Desk G"},
		})
		if errs[0] != nil || errs[1] != nil {
			t.Fatal(errs)
		}
		if res[0].Refusal != "desk.refuse.signature" || res[0].Registration != 0 || res[0].Person != nil {
			t.Errorf("forged code in a batch: %+v", res[0])
		}
		if res[1].Outcome != domain.ScanAccepted || res[1].Registration != c.Registration.ID || res[1].Token != c.Token.ID || res[1].Person == nil {
			t.Errorf("genuine code of token %d: %+v, want accepted", c.Token.ID, res[1])
		}
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE desk = 'Desk F' AND refusal = 'desk.refuse.signature'
		AND registration_id IS NULL AND token_id IS NULL`); n != 6 {
		t.Errorf("%d forged scans recorded naming no one, want 6", n)
	}
	if n := w.count(`SELECT count(*) FROM audit_events e JOIN scans s ON s.id = (e.detail->>'scan')::bigint
		WHERE e.action = 'scan.record' AND s.desk = 'Desk F' AND e.entity = 'scan'`); n != 6 {
		t.Errorf("%d forged scans audited, want 6", n)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE registration_id = ANY($1) AND outcome = 'accepted'`, []int64{p1.ID, p2.ID}); n != 2 {
		t.Errorf("%d check-ins, want 2", n)
	}
}

// Every token is stored with the digest of the text issued: the confirmation's, the badge's and
// the reprinted badge's; the reprinted badge's old code is refused, its new one accepted.
func TestIssuedTokensKeepTheirDigest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	reg, c := w.confirmed(delegateSM, focalSM)
	sec := w.actor(secretariat)
	a := postgres.Audit{ActorID: sec.ID}
	b1, code1, err := w.svc.Desk.PrintBadge(ctx, a, sec, w.meeting, reg.ID, "Desk A")
	if err != nil {
		t.Fatal(err)
	}
	b2, code2, err := w.svc.Desk.PrintBadge(ctx, a, sec, w.meeting, reg.ID, "Desk A")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id   int64
		code string
	}{{c.Token.ID, c.Code}, {b1.ID, code1}, {b2.ID, code2}} {
		var d []byte
		if err := w.db.Pool.QueryRow(ctx, `SELECT digest FROM desk_tokens WHERE id = $1`, tc.id).Scan(&d); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(d, domain.TokenDigest(tc.code)) {
			t.Errorf("token %d stored with digest %x, its code's is %x", tc.id, d, domain.TokenDigest(tc.code))
		}
	}
	r, err := w.svc.Desk.Redeem(ctx, a, sec, service.Scan{MeetingID: w.meeting, Code: code1, Desk: "Desk A"})
	if err != nil || r.Refusal != "desk.refuse.revoked" || r.Registration != reg.ID {
		t.Errorf("reprinted badge's old code: %+v %v, want refused as revoked", r, err)
	}
	r, err = w.svc.Desk.Redeem(ctx, a, sec, service.Scan{MeetingID: w.meeting, Code: code2, Desk: "Desk A"})
	if err != nil || r.Outcome != domain.ScanAccepted || r.Token != b2.ID {
		t.Errorf("new badge's code: %+v %v, want accepted", r, err)
	}
}

// A scan is judged by the token's revocation at the scan's own time: an old badge scanned offline
// before it was reprinted, and sent an hour later, was valid when scanned and counts; the same
// old badge scanned offline after the reprint is refused as revoked; online, it is refused.
func TestOfflineScanOfABadgeRevokedLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate := w.actor(delegateSM)
	reg := w.approved(delegate, w.actor(focalSM), domain.InPerson)
	sec := w.actor(secretariat)
	a := postgres.Audit{ActorID: sec.ID}
	_, old, err := w.svc.Desk.PrintBadge(ctx, a, sec, w.meeting, reg.ID, "Desk A")
	if err != nil {
		t.Fatal(err)
	}
	printed := w.now
	room, err := w.svc.Desk.SaveCheckInList(ctx, a, sec, domain.CheckInList{MeetingID: w.meeting, Kind: domain.RoomList,
		Name: domain.Text{"en": "Room D"}, MultiEntry: true})
	if err != nil {
		t.Fatal(err)
	}
	// The badge is lost and reprinted half an hour later; the room's scanner was offline.
	w.now = printed.Add(30 * time.Minute)
	if _, _, err := w.svc.Desk.PrintBadge(ctx, a, sec, w.meeting, reg.ID, "Desk A"); err != nil {
		t.Fatal(err)
	}
	w.now = printed.Add(90 * time.Minute)
	before := service.Scan{MeetingID: w.meeting, ListID: room.ID, Code: old, Desk: "Room D scanner", Nonce: "before", At: printed.Add(10 * time.Minute)}
	if r, err := w.svc.Desk.Redeem(ctx, a, sec, before); err != nil || r.Outcome != domain.ScanAccepted {
		t.Errorf("old badge scanned offline before the reprint: %+v %v, want accepted", r, err)
	}
	after := before
	after.Nonce, after.At = "after", printed.Add(40*time.Minute)
	if r, err := w.svc.Desk.Redeem(ctx, a, sec, after); err != nil || r.Refusal != "desk.refuse.revoked" {
		t.Errorf("old badge scanned offline after the reprint: %+v %v, want refused as revoked", r, err)
	}
	online := before
	online.Nonce, online.At = "online", time.Time{}
	if r, err := w.svc.Desk.Redeem(ctx, a, sec, online); err != nil || r.Refusal != "desk.refuse.revoked" {
		t.Errorf("old badge scanned online after the reprint: %+v %v, want refused as revoked", r, err)
	}
}
