package postgres_test

import (
	"context"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"plenary/internal/app"
	"plenary/internal/domain"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// secretariat is the demo secretariat account as an actor.
func secretariat(t *testing.T, db *postgres.DB) domain.Actor {
	t.Helper()
	a, _, err := db.Actor(context.Background(), secretariatID(t, db))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// meetings is the meetings' use cases on db, at a time before the letter's meeting, so that it can
// still be edited.
func meetings(db *postgres.DB) *service.Meetings {
	return app.NewServices(db, func() time.Time { return time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC) }).Meetings
}

func secretariatID(t *testing.T, db *postgres.DB) int64 {
	t.Helper()
	acc, err := db.AccountByEmail(context.Background(), "secretariat@plenary.test")
	if err != nil {
		t.Fatal(err)
	}
	return acc.ID
}

func TestCopyMeetingShiftsEveryDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	from := detail(t, db, letterSlug)
	a := postgres.Audit{ActorID: secretariatID(t, db), RemoteAddr: "192.0.2.1", RequestID: "req-copy"}
	first := time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC)
	id, err := meetings(db).Copy(ctx, a, secretariat(t, db), from.ID, "sg13-wp-2026-03", first, nil)
	if err != nil {
		t.Fatal(err)
	}
	to := detail(t, db, "sg13-wp-2026-03")
	if to.ID != id {
		t.Fatalf("copy id %d, detail id %d", id, to.ID)
	}
	shift := first.Sub(from.FirstDay)
	if ymd(to.FirstDay) != "2026-03-13" || ymd(to.LastDay) != "2026-03-13" {
		t.Errorf("copy runs %s..%s, want 2026-03-13", ymd(to.FirstDay), ymd(to.LastDay))
	}
	// A draft, its title not the original's in any language, its date-bearing texts to review.
	if to.Title["en"] != from.Title["en"]+" (March 2026)" || to.Title["zh"] != from.Title["zh"]+"（2026年3月）" || !maps.Equal(to.City, from.City) || to.CollectiveLetter != "" {
		t.Errorf("copy fields: title %v city %s letter %d chars", to.Title, to.City, len(to.CollectiveLetter))
	}
	if to.State != domain.MeetingDraft || strings.Join(to.Review, " ") != "purpose approved_by" {
		t.Errorf("copy is %s with %v to review, want a draft with the purpose and approved_by to review", to.State, to.Review)
	}
	if len(to.Sessions) != len(from.Sessions) {
		t.Fatalf("%d sessions copied, want %d", len(to.Sessions), len(from.Sessions))
	}
	for i := range from.Sessions {
		f, c := from.Sessions[i], to.Sessions[i]
		if !c.StartsAt.Equal(f.StartsAt.Add(shift)) || c.WorkingPartyID != f.WorkingPartyID {
			t.Errorf("session %d: %s (wp %d), want %s (wp %d)", i, c.StartsAt, c.WorkingPartyID, f.StartsAt.Add(shift), f.WorkingPartyID)
		}
		if c.StartsAt.Format("15:04") != f.StartsAt.Format("15:04") {
			t.Errorf("session %d moved its time of day: %s → %s", i, f.StartsAt.Format("15:04"), c.StartsAt.Format("15:04"))
		}
	}
	if len(to.DeskOpenings) != len(from.DeskOpenings) || !to.DeskOpenings[0].OpensAt.Equal(from.DeskOpenings[0].OpensAt.Add(shift)) {
		t.Errorf("desk openings %v, want %v shifted", to.DeskOpenings, from.DeskOpenings)
	}
	for k, d := range from.Overrides {
		if got := to.Overrides[k]; !got.Equal(d.Add(shift)) {
			t.Errorf("deadline %s = %s, want %s", k, ymd(got), ymd(d.Add(shift)))
		}
	}
	if len(to.ColocatedEvents) != 3 {
		t.Fatalf("%d co-located events copied", len(to.ColocatedEvents))
	}
	for i := range from.ColocatedEvents {
		f, c := from.ColocatedEvents[i], to.ColocatedEvents[i]
		if !c.FirstDay.Equal(f.FirstDay.Add(shift)) || !c.LastDay.Equal(f.LastDay.Add(shift)) {
			t.Errorf("co-located event %d: %s..%s, want %s..%s", i, ymd(c.FirstDay), ymd(c.LastDay), ymd(f.FirstDay.Add(shift)), ymd(f.LastDay.Add(shift)))
		}
	}
	if len(to.AgendaItems) != 44 || len(to.WorkItems) != 35 {
		t.Errorf("copied %d agenda items and %d work items, want 44 and 35", len(to.AgendaItems), len(to.WorkItems))
	}
	// The source is untouched.
	again := detail(t, db, letterSlug)
	if !again.Sessions[0].StartsAt.Equal(from.Sessions[0].StartsAt) || len(again.WorkItems) != 35 {
		t.Error("copying changed the source meeting")
	}
	trail, err := db.AuditTrail(ctx, "meeting", id)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 1 || trail[0].Action != "meeting.copied" || trail[0].ActorID == nil || *trail[0].ActorID != a.ActorID {
		t.Errorf("audit trail of the copy = %+v", trail)
	}

	_, err = meetings(db).Copy(ctx, a, secretariat(t, db), from.ID, "sg13-wp-2026-03", first, nil)
	if e, ok := domain.AsError(err); !ok || e.Code != domain.Invalid || e.Fields["slug"] != "error.slug_taken" {
		t.Errorf("copy to a taken slug: %v, want a slug field error", err)
	}
	_, err = meetings(db).Copy(ctx, a, secretariat(t, db), 999999, "sg13-wp-2030-01", first, nil)
	if domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("copy of a missing meeting: %v, want NotFound", err)
	}
}

func TestSaveSessionsUpdatesAddsDeletesAndAudits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	before := detail(t, db, letterSlug)
	actor := secretariatID(t, db)
	a := postgres.Audit{ActorID: actor, RemoteAddr: "192.0.2.7", RequestID: "req-sessions"}

	byWP := map[string]domain.Session{}
	for _, s := range before.Sessions {
		wp, _ := before.WorkingParty(s.WorkingPartyID)
		byWP[wp.Code] = s
	}
	wp4 := byWP["WP4/13"]
	wp4.StartsAt = time.Date(2025, 7, 25, 9, 30, 0, 0, time.UTC)
	end := time.Date(2025, 7, 25, 10, 15, 0, 0, time.UTC)
	wp4.EndsAt = &end
	wp4.Room = domain.Text{"en": "Room K"}
	wp1 := byWP["WP1/13"]
	extra := domain.Session{WorkingPartyID: wp1.WorkingPartyID, StartsAt: time.Date(2025, 7, 25, 17, 0, 0, 0, time.UTC), Room: domain.Text{"en": "Room D"}}

	sessions := func(edits []postgres.RowEdit[domain.Session]) error {
		d := detail(t, db, letterSlug)
		_, err := meetings(db).SaveSessions(ctx, a, secretariat(t, db), d.ID, d.SectionVersion(domain.SectionSessions), d.DefaultSessionMinutes(), edits)
		return err
	}
	err := sessions([]postgres.RowEdit[domain.Session]{
		{ID: wp4.ID, Value: wp4},
		{ID: 0, Value: extra},
		{ID: byWP["WP2/13"].ID, Delete: true},
		{ID: 0, Delete: true, Value: extra}, // a new row removed before saving: nothing to do
	})
	if err != nil {
		t.Fatal(err)
	}
	after := detail(t, db, letterSlug)
	if after.Version != before.Version+1 {
		t.Errorf("version %d → %d, want +1", before.Version, after.Version)
	}
	var got []string
	for _, s := range after.Sessions {
		wp, _ := after.WorkingParty(s.WorkingPartyID)
		line := wp.Code + " " + s.StartsAt.Format("15:04")
		if s.EndsAt != nil {
			line += "-" + s.EndsAt.Format("15:04")
		}
		if r := s.Room.In("en"); r != "" {
			line += " " + r
		}
		got = append(got, line)
	}
	want := "WP4/13 09:30-10:15 Room K,WP3/13 10:30,WP1/13 14:00,WP1/13 17:00 Room D"
	if strings.Join(got, ",") != want {
		t.Errorf("sessions = %v, want %s", got, want)
	}

	trail, err := db.AuditTrail(ctx, "meeting", before.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) == 0 {
		t.Fatal("no audit event")
	}
	last := trail[len(trail)-1]
	if last.Action != "meeting.save_sessions" || last.ActorID == nil || *last.ActorID != actor ||
		last.Detail["added"] != float64(1) || last.Detail["changed"] != float64(1) || last.Detail["removed"] != float64(1) {
		t.Errorf("audit event = %+v, want meeting.save_sessions by %d with a row added, one changed and one removed", last, actor)
	}
	var addr, reqID string
	if err := db.Pool.QueryRow(ctx, `SELECT remote_addr, request_id FROM audit_events WHERE id = $1`, last.ID).Scan(&addr, &reqID); err != nil {
		t.Fatal(err)
	}
	if addr != "192.0.2.7" || reqID != "req-sessions" {
		t.Errorf("audit event from %q request %q", addr, reqID)
	}

	// Nothing to save: no new version, no audit event.
	if err := sessions(nil); err != nil {
		t.Fatal(err)
	}
	if v := detail(t, db, letterSlug).Version; v != after.Version {
		t.Errorf("an empty save bumped the version to %d", v)
	}
	if tr, _ := db.AuditTrail(ctx, "meeting", before.ID); len(tr) != len(trail) {
		t.Errorf("an empty save wrote an audit event")
	}
}

func TestSaveSessionsIsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	before := detail(t, db, letterSlug)
	s := before.Sessions[0]
	moved := s
	moved.StartsAt = s.StartsAt.Add(time.Hour)
	other := detail(t, db, func() string {
		ms, _ := db.Meetings(ctx)
		for _, m := range ms {
			if m.Slug != letterSlug {
				return m.Slug
			}
		}
		t.Fatal("no demo meeting")
		return ""
	}())
	_, err := meetings(db).SaveSessions(ctx, postgres.Audit{}, secretariat(t, db), before.ID, before.SectionVersion(domain.SectionSessions),
		before.DefaultSessionMinutes(), []postgres.RowEdit[domain.Session]{
			{ID: s.ID, Value: moved},
			// A session of another meeting cannot be changed through this one.
			{ID: other.Sessions[0].ID, Value: moved},
		})
	if e, ok := domain.AsError(err); !ok || e.Code != domain.Conflict || e.Key != "error.row_gone" {
		t.Fatalf("err = %v, want Conflict error.row_gone", err)
	}
	after := detail(t, db, letterSlug)
	if !after.Sessions[0].StartsAt.Equal(s.StartsAt) || after.Version != before.Version {
		t.Error("a refused save changed the meeting")
	}
	if !detail(t, db, other.Slug).Sessions[0].StartsAt.Equal(other.Sessions[0].StartsAt) {
		t.Error("a refused save changed another meeting")
	}
}

func TestCreateAccountRefusesADuplicateEmailInAnyLetterCase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	hash, err := pgtest.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	acc := domain.Account{Email: "Ana.Silva@Example.org", GivenName: "Ana", FamilyName: "Silva",
		Gender: domain.Female, Language: "en"}
	id, err := db.CreateAccount(ctx, postgres.Audit{RemoteAddr: "192.0.2.3"}, acc, hash)
	if err != nil || id == 0 {
		t.Fatalf("create: id %d err %v", id, err)
	}
	for _, email := range []string{"ana.silva@example.org", "ANA.SILVA@EXAMPLE.ORG", "  Ana.Silva@Example.org "} {
		dup := acc
		dup.Email = email
		_, err := db.CreateAccount(ctx, postgres.Audit{}, dup, hash)
		e, ok := domain.AsError(err)
		if !ok || e.Code != domain.Conflict || e.Fields["email"] != "error.email_taken" {
			t.Errorf("create %q: %v, want a Conflict beside the email field", email, err)
		}
	}
	got, err := db.AccountByEmail(ctx, "ANA.silva@EXAMPLE.org")
	if err != nil || got.ID != id || got.Email != "Ana.Silva@Example.org" {
		t.Errorf("AccountByEmail in another case = %+v, %v", got, err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM accounts WHERE lower(email) = 'ana.silva@example.org'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d accounts with the email, want 1 (%v)", n, err)
	}
	// The account's own creation is audited as done by itself.
	trail, err := db.AuditTrail(ctx, "account", id)
	if err != nil || len(trail) != 1 || trail[0].Action != "account.create" || trail[0].ActorID == nil || *trail[0].ActorID != id {
		t.Errorf("audit trail = %+v, %v", trail, err)
	}
	if _, err := db.AccountByEmail(ctx, "nobody@example.org"); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("unknown email: %v, want NotFound", err)
	}
	if _, err := db.Account(ctx, 999999); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("unknown id: %v, want NotFound", err)
	}
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	now := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	limit := postgres.LoginLimit{Key: "account:ana@example.org", Max: 5, Window: 15 * time.Minute}
	other := postgres.LoginLimit{Key: "addr:192.0.2.9", Max: 20, Window: 15 * time.Minute}
	attempt := func(at time.Time, limits ...postgres.LoginLimit) postgres.LoginAttempt {
		t.Helper()
		a, err := db.BeginLogin(ctx, at, limits...)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	count := func(key string) int {
		t.Helper()
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM login_failures WHERE key = $1`, key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Five failed attempts are counted; the sixth is refused until the oldest leaves the window.
	for i := 0; i < 5; i++ {
		if a := attempt(now.Add(time.Duration(i)*time.Minute), limit, other); a.Blocked {
			t.Fatalf("attempt %d blocked with a limit of 5", i+1)
		}
	}
	a := attempt(now.Add(4*time.Minute), limit, other)
	if !a.Blocked {
		t.Fatal("not blocked after 5 failures")
	}
	if want := now.Add(15 * time.Minute); !a.Until.Equal(want) {
		t.Errorf("blocked until %s, want %s (the oldest failure leaves the window)", a.Until, want)
	}
	if count(limit.Key) != 5 || count(other.Key) != 5 {
		t.Errorf("a refused attempt was counted: %d, %d", count(limit.Key), count(other.Key))
	}
	// The address has its own, higher limit.
	if a := attempt(now.Add(4*time.Minute), other); a.Blocked {
		t.Error("the address is blocked after 5 failures with a limit of 20")
	}
	// Once the oldest failure leaves the window, four remain: not blocked.
	ok := attempt(now.Add(15*time.Minute+time.Second), limit, other)
	if ok.Blocked {
		t.Fatal("still blocked after the oldest failure left the window")
	}
	// A successful attempt is withdrawn from both counts and clears the account's failures.
	if err := db.LoginSucceeded(ctx, ok, limit.Key); err != nil {
		t.Fatal(err)
	}
	if count(limit.Key) != 0 || count(other.Key) != 6 {
		t.Errorf("after success: account %d (want 0), address %d (want 6)", count(limit.Key), count(other.Key))
	}
	// Failures older than a day are forgotten at the next attempt.
	attempt(now.Add(25*time.Hour), postgres.LoginLimit{Key: "addr:198.51.100.1", Max: 20, Window: 15 * time.Minute})
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM login_failures`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d failures kept, want only the new one (%v)", n, err)
	}
}

// Guesses sent in parallel cannot all pass the check: exactly the limit's worth are let through.
func TestLoginThrottleUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	now := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	limit := postgres.LoginLimit{Key: "account:eve@example.org", Max: 5, Window: 15 * time.Minute}
	var wg sync.WaitGroup
	var mu sync.Mutex
	through := 0
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := db.BeginLogin(ctx, now, limit)
			if err != nil {
				t.Error(err)
				return
			}
			if !a.Blocked {
				mu.Lock()
				through++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if through != 5 {
		t.Errorf("%d of 30 parallel attempts let through, want 5", through)
	}
}

// The meeting editor's use cases check the actor themselves: anyone else is refused and nothing
// changes, whatever the web layer in front.
func TestSecretariatOnlyMethodsRefuseOthers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	before := detail(t, db, letterSlug)
	focal, _, err := db.Actor(ctx, func() int64 {
		acc, err := db.AccountByEmail(ctx, "focal.sm@plenary.test")
		if err != nil {
			t.Fatal(err)
		}
		return acc.ID
	}())
	if err != nil {
		t.Fatal(err)
	}
	a := postgres.Audit{ActorID: focal.ID}
	s := before.Sessions[0]
	s.Room = domain.Text{"en": "Hijacked"}
	m := meetings(db)
	fields := domain.FieldsOf(before.Meeting)
	fields.Slug = "x"
	checks := map[string]error{}
	_, checks["save sessions"] = m.SaveSessions(ctx, a, focal, before.ID, before.SectionVersion(domain.SectionSessions), before.DefaultSessionMinutes(),
		[]postgres.RowEdit[domain.Session]{{ID: s.ID, Value: s}})
	_, checks["save details"] = m.SaveDetails(ctx, a, focal, before.ID, before.SectionVersion(domain.SectionDetails), fields, nil)
	_, checks["copy meeting"] = m.Copy(ctx, a, focal, before.ID, "sg13-stolen", before.FirstDay, nil)
	for what, err := range checks {
		if domain.ErrorCode(err) != domain.Forbidden {
			t.Errorf("%s by a focal point: %v, want Forbidden", what, err)
		}
	}
	after := detail(t, db, letterSlug)
	if after.Version != before.Version || !after.Sessions[0].Room.Equal(before.Sessions[0].Room) {
		t.Error("a refused change changed the meeting")
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE actor_id = $1`, focal.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d audit events for refused changes (%v)", n, err)
	}
}

// Every instance is told about a meeting under its old and its new address when it is renamed,
// and about a new meeting at once, so that no cache keeps a stale page or list.
func TestMeetingChangesAreNotified(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	sec := secretariat(t, db)
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN meeting_changed"); err != nil {
		t.Fatal(err)
	}
	heard := func(n int) map[string]bool {
		t.Helper()
		got := map[string]bool{}
		for range n {
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			note, err := conn.Conn().WaitForNotification(wctx)
			cancel()
			if err != nil {
				t.Fatalf("waiting for a notification: %v (heard %v)", err, got)
			}
			got[note.Payload] = true
		}
		return got
	}
	d := detail(t, db, letterSlug)
	in := domain.FieldsOf(d.Meeting)
	in.Slug = "sg13-renamed"
	if _, err := meetings(db).SaveDetails(ctx, postgres.Audit{ActorID: sec.ID}, sec, d.ID, d.SectionVersion(domain.SectionDetails), in, nil); err != nil {
		t.Fatal(err)
	}
	if got := heard(2); !got[letterSlug] || !got["sg13-renamed"] {
		t.Errorf("rename notified %v, want the old and the new address", got)
	}
	if _, err := meetings(db).Copy(ctx, postgres.Audit{ActorID: sec.ID}, sec, d.ID, "sg13-next", d.FirstDay.AddDate(0, 4, 0), nil); err != nil {
		t.Fatal(err)
	}
	if got := heard(1); !got["sg13-next"] {
		t.Errorf("copy notified %v, want sg13-next", got)
	}
}

// A row added and removed in the same form is not stored.
func TestSaveWorkingPartiesSkipsRowsAddedAndRemoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	sec := secretariat(t, db)
	d := detail(t, db, letterSlug)
	err := app.NewServices(db, time.Now).StudyGroups.SaveWorkingParties(ctx, postgres.Audit{ActorID: sec.ID}, sec, d.StudyGroupID, []postgres.RowEdit[domain.WorkingParty]{
		{ID: 0, Delete: true, Value: domain.WorkingParty{Number: 9, Code: "WP9/13", Title: domain.Text{"en": "Never"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM working_parties WHERE code = 'WP9/13'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows stored for a row added and removed (%v)", n, err)
	}
}

// Two agenda items may swap their numbers in one save; two left with one number in a working
// party are refused as such, beside nothing changed (not a failure of the database).
func TestAgendaNumbersSwapButNeverRepeat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	sec := secretariat(t, db)
	m := meetings(db)
	before := detail(t, db, letterSlug)
	var x, y domain.AgendaItem
	for i, it := range before.AgendaItems {
		if i > 0 && it.WorkingPartyID == before.AgendaItems[i-1].WorkingPartyID {
			x, y = before.AgendaItems[i-1], it
			break
		}
	}
	if x.ID == 0 {
		t.Fatal("no working party with two agenda items")
	}
	dup := y
	dup.Position = x.Position
	_, err := m.SaveAgenda(ctx, postgres.Audit{ActorID: sec.ID}, sec, before.ID, before.SectionVersion(domain.SectionAgenda),
		[]postgres.RowEdit[domain.AgendaItem]{{ID: y.ID, Value: dup}})
	if e, ok := domain.AsError(err); !ok || e.Code != domain.Invalid || e.Key != "error.agenda_position_taken" {
		t.Fatalf("two items numbered %d: %v, want Invalid error.agenda_position_taken", x.Position, err)
	}
	if after := detail(t, db, letterSlug); after.Version != before.Version {
		t.Error("a refused save changed the meeting")
	}

	sx, sy := x, y
	sx.Position, sy.Position = y.Position, x.Position
	if _, err := m.SaveAgenda(ctx, postgres.Audit{ActorID: sec.ID}, sec, before.ID, before.SectionVersion(domain.SectionAgenda),
		[]postgres.RowEdit[domain.AgendaItem]{{ID: x.ID, Value: sx}, {ID: y.ID, Value: sy}}); err != nil {
		t.Fatalf("swapping two numbers: %v", err)
	}
	pos := map[int64]int{}
	for _, it := range detail(t, db, letterSlug).AgendaItems {
		pos[it.ID] = it.Position
	}
	if pos[x.ID] != y.Position || pos[y.ID] != x.Position {
		t.Errorf("after the swap: %d at %d, %d at %d", x.ID, pos[x.ID], y.ID, pos[y.ID])
	}
}

// Working parties and Questions may swap their numbers and codes in one save, and a number freed
// by a removal may be taken by a new row in the same save; two rows left with one number are
// refused as such, nothing changed.
func TestStudyGroupRowsSwapNumbersButNeverRepeat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	sec := secretariat(t, db)
	sgs := app.NewServices(db, time.Now).StudyGroups
	sg := detail(t, db, letterSlug).StudyGroupID
	a := postgres.Audit{ActorID: sec.ID}
	wps := func() map[int64]domain.WorkingParty {
		t.Helper()
		rows, err := db.Pool.Query(ctx, `SELECT id, number, code FROM working_parties WHERE study_group_id = $1`, sg)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]domain.WorkingParty{}
		for rows.Next() {
			var w domain.WorkingParty
			if err := rows.Scan(&w.ID, &w.Number, &w.Code); err != nil {
				t.Fatal(err)
			}
			out[w.ID] = w
		}
		return out
	}
	before := wps()
	var x, y domain.WorkingParty
	for _, w := range before {
		switch {
		case x.ID == 0:
			x = w
		case y.ID == 0:
			y = w
		}
	}
	if y.ID == 0 {
		t.Fatal("fewer than two working parties")
	}
	title := domain.Text{"en": "Swapped"}
	sx := domain.WorkingParty{Number: y.Number, Code: y.Code, Title: title}
	sy := domain.WorkingParty{Number: x.Number, Code: x.Code, Title: title}
	if err := sgs.SaveWorkingParties(ctx, a, sec, sg, []postgres.RowEdit[domain.WorkingParty]{{ID: x.ID, Value: sx}, {ID: y.ID, Value: sy}}); err != nil {
		t.Fatalf("swapping two working parties' numbers and codes: %v", err)
	}
	after := wps()
	if after[x.ID].Number != y.Number || after[x.ID].Code != y.Code || after[y.ID].Number != x.Number || after[y.ID].Code != x.Code {
		t.Errorf("after the swap: %+v and %+v", after[x.ID], after[y.ID])
	}

	dup := domain.WorkingParty{Number: after[y.ID].Number, Code: "WP99/13", Title: title}
	err := sgs.SaveWorkingParties(ctx, a, sec, sg, []postgres.RowEdit[domain.WorkingParty]{{ID: x.ID, Value: dup}})
	if e, ok := domain.AsError(err); !ok || e.Code != domain.Invalid || e.Key != "sec.number_or_code_taken" {
		t.Fatalf("two working parties with one number: %v, want Invalid sec.number_or_code_taken", err)
	}
	if again := wps(); again[x.ID].Number != after[x.ID].Number || again[x.ID].Code != after[x.ID].Code || again[y.ID].Number != after[y.ID].Number {
		t.Error("a refused save changed the working parties")
	}

	// A Question removed and its number and code taken by a new one, in one save.
	qn, qcode := 900, "Q900/13"
	if err := sgs.SaveQuestions(ctx, a, sec, sg, []postgres.RowEdit[domain.Question]{{Value: domain.Question{Number: qn, Code: qcode, Title: domain.Text{"en": "Old"}}}}); err != nil {
		t.Fatal(err)
	}
	var qid int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM questions WHERE study_group_id = $1 AND number = $2`, sg, qn).Scan(&qid); err != nil {
		t.Fatal(err)
	}
	if err := sgs.SaveQuestions(ctx, a, sec, sg, []postgres.RowEdit[domain.Question]{
		{ID: qid, Delete: true}, {Value: domain.Question{Number: qn, Code: qcode, Title: domain.Text{"en": "Anew"}}},
	}); err != nil {
		t.Fatalf("a Question's number taken again in the save that removed it: %v", err)
	}
	var title2 string
	if err := db.Pool.QueryRow(ctx, `SELECT title->>'en' FROM questions WHERE study_group_id = $1 AND number = $2`, sg, qn).Scan(&title2); err != nil || title2 != "Anew" {
		t.Errorf("Question %d: %q (%v)", qn, title2, err)
	}
}
