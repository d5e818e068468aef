package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// TestOrganisations: the secretariat creates an organisation, renames it, names it in French,
// names a focal point (whom it affiliates) and removes them, each change audited in its own
// transaction; a focal point is refused every one and nothing is written; the domain's refusals
// (a name taken, an account of another organisation, one named already) change nothing.
func TestOrganisations(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	orgs := w.svc.Organisations
	focal := w.actor(focalSM)
	sec := w.actor(secretariat)
	fa, sa := service.Audit{ActorID: focal.ID}, service.Audit{ActorID: sec.ID}
	audits := func() int { return w.count(`SELECT count(*) FROM audit_events WHERE entity = 'organisation'`) }
	orgCount := func() int { return w.count(`SELECT count(*) FROM organisations`) }
	before, beforeOrgs := audits(), orgCount()

	own := focal.FocalOf()[0]
	f := domain.OrganisationFields{Name: "Acme Networks", Kind: domain.SectorMember, Country: "CH"}
	refusals := map[string]error{}
	_, refusals["create"] = orgs.Create(ctx, fa, focal, f)
	refusals["update"] = orgs.Update(ctx, fa, focal, own, f)
	refusals["name"] = orgs.SaveName(ctx, fa, focal, own, "fr", "Le mien")
	refusals["add focal point"] = orgs.AddFocalPoint(ctx, fa, focal, own, delegateSM)
	refusals["remove focal point"] = orgs.RemoveFocalPoint(ctx, fa, focal, own, focal.ID)
	_, refusals["list"] = orgs.List(ctx, focal)
	_, refusals["get"] = orgs.Get(ctx, focal, own)
	for what, err := range refusals {
		if domain.ErrorCode(err) != domain.Forbidden {
			t.Errorf("%s by a focal point: %v, want Forbidden", what, err)
		}
	}
	if n, m := audits(), orgCount(); n != before || m != beforeOrgs {
		t.Fatalf("after the refusals: %d audit events (was %d), %d organisations (was %d)", n, before, m, beforeOrgs)
	}

	id, err := orgs.Create(ctx, sa, sec, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgs.Create(ctx, sa, sec, f); fieldKey(err, "name") != "error.organisation_name_taken" {
		t.Errorf("a second Acme Networks: %v, want the name refused beside its field", err)
	}
	f.Name, f.AutoApproval = "Acme Networks AG", true
	if err := orgs.Update(ctx, sa, sec, id, f); err != nil {
		t.Fatal(err)
	}
	if err := orgs.Update(ctx, sa, sec, -1, f); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("update of a missing organisation: %v, want NotFound", err)
	}
	if err := orgs.SaveName(ctx, sa, sec, id, "fr", "Acme Réseaux SA"); err != nil {
		t.Fatal(err)
	}
	if err := orgs.SaveName(ctx, sa, sec, id, "fr", "Acme Réseaux SA"); err != nil {
		t.Fatal(err) // the same name again: nothing to write, nothing audited
	}
	o, err := orgs.Get(ctx, sec, id)
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "Acme Networks AG" || !o.AutoApproval || o.Names["fr"] != "Acme Réseaux SA" {
		t.Errorf("after the changes: %+v", o)
	}

	// A delegate of another organisation cannot be named; one without any can, and is
	// affiliated by it.
	if err := orgs.AddFocalPoint(ctx, sa, sec, id, delegateSM); fieldKey(err, "email") != "error.focal_point_other_organisation" {
		t.Errorf("a delegate of another organisation: %v", err)
	}
	if err := orgs.AddFocalPoint(ctx, sa, sec, id, "nobody@plenary.test"); fieldKey(err, "email") != "error.no_account_with_email" {
		t.Errorf("an address without an account: %v", err)
	}
	if _, err := w.db.Pool.Exec(ctx, `UPDATE accounts SET organisation_id = NULL WHERE email = $1`, delegateMS); err != nil {
		t.Fatal(err)
	}
	if err := orgs.AddFocalPoint(ctx, sa, sec, id, "DELEGATE.MS@plenary.test"); err != nil {
		t.Fatal(err)
	}
	if err := orgs.AddFocalPoint(ctx, sa, sec, id, delegateMS); fieldKey(err, "email") != "error.already_focal_point" {
		t.Errorf("named twice: %v", err)
	}
	ms := w.actor(delegateMS)
	if n := w.count(`SELECT count(*) FROM accounts WHERE id = $1 AND organisation_id = $2`, ms.ID, id); n != 1 {
		t.Error("the new focal point is not affiliated to the organisation")
	}
	if err := orgs.RemoveFocalPoint(ctx, sa, sec, id, ms.ID); err != nil {
		t.Fatal(err)
	}
	if err := orgs.RemoveFocalPoint(ctx, sa, sec, id, ms.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("removed twice: %v, want NotFound", err)
	}
	var actions []string
	rows, err := w.db.Pool.Query(ctx, `SELECT action FROM audit_events WHERE entity = 'organisation' AND entity_id = $1 AND actor_id = $2 ORDER BY id`, id, sec.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
	}
	want := []string{"organisation.create", "organisation.update", "organisation.name", "organisation.focal_point_add", "organisation.focal_point_remove"}
	if len(actions) != len(want) {
		t.Fatalf("audit trail %v, want %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Errorf("audit trail %v, want %v", actions, want)
			break
		}
	}
}

// TestMeetingCreate: the secretariat creates a draft meeting, audited meeting.create, and finds
// it in its history; a focal point is refused and nothing is written; an address taken is
// refused beside the slug field.
func TestMeetingCreate(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	d, err := w.svc.Meetings.Detail(ctx, w.meeting)
	if err != nil {
		t.Fatal(err)
	}
	f := domain.FieldsOf(d.Meeting)
	f.Slug, f.Title = "sg13-new-one", domain.Text{"en": "A new meeting"}
	focal, sec := w.actor(focalSM), w.actor(secretariat)
	meetings := func() int { return w.count(`SELECT count(*) FROM meetings`) }
	before := meetings()
	if _, err := w.svc.Meetings.Create(ctx, service.Audit{ActorID: focal.ID}, focal, f); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point creates a meeting: %v, want Forbidden", err)
	}
	if _, err := w.svc.Meetings.History(ctx, focal, w.meeting); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point reads a meeting's history: %v, want Forbidden", err)
	}
	if n := meetings(); n != before {
		t.Fatalf("%d meetings after the refusal, want %d", n, before)
	}
	id, err := w.svc.Meetings.Create(ctx, service.Audit{ActorID: sec.ID}, sec, f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.Meetings.Detail(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Slug != f.Slug || got.State != domain.MeetingDraft || got.Title["en"] != "A new meeting" {
		t.Errorf("created: slug %q, state %q, title %v", got.Slug, got.State, got.Title)
	}
	evs, err := w.svc.Meetings.History(ctx, sec, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Action != "meeting.create" || evs[0].ActorID == nil || *evs[0].ActorID != sec.ID {
		t.Errorf("history of the new meeting: %+v", evs)
	}
	if _, err := w.svc.Meetings.Create(ctx, service.Audit{ActorID: sec.ID}, sec, f); fieldKey(err, "slug") != "error.slug_taken" {
		t.Errorf("the same address again: %v, want it refused beside the slug", err)
	}
}

// fieldKey is the message key of a refusal beside field ("" when err is not one).
func fieldKey(err error, field string) string {
	e, ok := domain.AsError(err)
	if !ok {
		return ""
	}
	return e.Fields[field]
}
