package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// A meeting's letter settings are saved by the secretariat, audited in the same transaction; a
// save over a newer version, and any save or read by a focal point, change nothing.
func TestLetterSettingsAreSavedOnceAndAudited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	letters := w.svc.Letters
	sec, focal := w.actor(secretariat), w.actor(focalSM)
	scope := domain.LetterScope{MeetingID: w.meeting}
	st, err := letters.Get(ctx, sec, scope)
	if err != nil {
		t.Fatal(err)
	}
	audits := func() int {
		return w.count(`SELECT count(*) FROM audit_events WHERE action = 'letter_settings.save' AND entity = 'meeting' AND entity_id = $1`, w.meeting)
	}
	before := audits()
	st.SignatoryName, st.SignatoryTitle = "A. Person", "Counsellor"
	if err := letters.Save(ctx, service.Audit{ActorID: focal.ID}, focal, scope, st, domain.SignatureKeep); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point's save: %v, want forbidden", err)
	}
	if _, err := letters.Get(ctx, focal, scope); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point's read: %v, want forbidden", err)
	}
	if err := letters.Save(ctx, service.Audit{ActorID: sec.ID}, sec, scope, st, domain.SignatureKeep); err != nil {
		t.Fatal(err)
	}
	got, err := letters.Get(ctx, sec, scope)
	if err != nil || got.SignatoryName != "A. Person" || got.Version != st.Version+1 {
		t.Errorf("after the save: %+v, %v; want the signatory and the next version", got, err)
	}
	if n := audits(); n != before+1 {
		t.Errorf("%d save events, want %d", n, before+1)
	}
	stale := st // read at the version before the save
	stale.SignatoryName = "Someone Else"
	if err := letters.Save(ctx, service.Audit{ActorID: sec.ID}, sec, scope, stale, domain.SignatureKeep); domain.ErrorCode(err) != domain.Conflict {
		t.Errorf("a save over a newer version: %v, want a conflict", err)
	}
	if again, _ := letters.Get(ctx, sec, scope); again.SignatoryName != "A. Person" || audits() != before+1 {
		t.Errorf("the refused save changed something: %+v, %d events", again, audits())
	}
}
