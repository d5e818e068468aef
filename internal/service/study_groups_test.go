package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// TestStudyGroups: the secretariat changes a study group's fields and working parties, each
// change audited; a focal point is refused and nothing is written.
func TestStudyGroups(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var sg int64
	if err := w.db.Pool.QueryRow(ctx, `SELECT study_group_id FROM meetings WHERE id = $1`, w.meeting).Scan(&sg); err != nil {
		t.Fatal(err)
	}
	groups := w.svc.StudyGroups
	g, err := groups.Detail(ctx, sg)
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != sg || len(g.WorkingParties) != w.count(`SELECT count(*) FROM working_parties WHERE study_group_id = $1`, sg) ||
		len(g.Questions) != w.count(`SELECT count(*) FROM questions WHERE study_group_id = $1`, sg) {
		t.Fatalf("detail of %d: %+v, not the database's working parties and Questions", sg, g)
	}
	if _, err := groups.Detail(ctx, -1); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("a missing study group: %v, want NotFound", err)
	}

	audits := func() int {
		return w.count(`SELECT count(*) FROM audit_events WHERE entity = 'study_group' AND entity_id = $1`, sg)
	}
	before := audits()
	focal := w.actor(focalSM)
	changed := g.StudyGroup
	changed.Chair = "Ms Chair Changed"
	if err := groups.Update(ctx, service.Audit{ActorID: focal.ID}, focal, changed); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point changes the study group: %v, want Forbidden", err)
	}
	if err := groups.SaveWorkingParties(ctx, service.Audit{ActorID: focal.ID}, focal, sg, nil); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point saves working parties: %v, want Forbidden", err)
	}
	if err := groups.SaveQuestions(ctx, service.Audit{ActorID: focal.ID}, focal, sg, nil); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point saves Questions: %v, want Forbidden", err)
	}
	if n := audits(); n != before {
		t.Errorf("%d audit events after the refusals, want %d", n, before)
	}

	sec := w.actor(secretariat)
	if err := groups.Update(ctx, service.Audit{ActorID: sec.ID}, sec, changed); err != nil {
		t.Fatal(err)
	}
	wp := domain.WorkingParty{Number: 97, Code: "WP97", Title: domain.Text{"en": "A new working party"}}
	if err := groups.SaveWorkingParties(ctx, service.Audit{ActorID: sec.ID}, sec, sg, []domain.RowEdit[domain.WorkingParty]{{Value: wp}}); err != nil {
		t.Fatal(err)
	}
	g2, err := groups.Detail(ctx, sg)
	if err != nil {
		t.Fatal(err)
	}
	if g2.Chair != "Ms Chair Changed" || len(g2.WorkingParties) != len(g.WorkingParties)+1 {
		t.Errorf("after the changes: chair %q, %d working parties (was %d)", g2.Chair, len(g2.WorkingParties), len(g.WorkingParties))
	}
	if n := w.count(`SELECT count(*) FROM working_parties WHERE study_group_id = $1 AND code = 'WP97'`, sg); n != 1 {
		t.Errorf("%d working parties WP97 in the database, want 1", n)
	}
	if n := audits(); n != before+2 {
		t.Errorf("%d audit events after two changes, want %d", n, before+2)
	}
}
