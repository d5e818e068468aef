package site_test

import (
	"context"
	"net/http"
	"testing"
)

// TestStudyGroupPage: the secretariat's study group form refuses an empty English title beside
// the field, keeping what was typed, and saves through the use case; a delegate is refused.
func TestStudyGroupPage(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	ctx := context.Background()
	var sg int64
	var chair string
	if err := vs.db.Pool.QueryRow(ctx, `SELECT m.study_group_id, g.chair FROM meetings m JOIN study_groups g ON g.id = m.study_group_id
		WHERE m.id = $1`, vs.meetingID).Scan(&sg, &chair); err != nil {
		t.Fatal(err)
	}
	path := "/secretariat/study-groups/" + itoa(sg)
	sec := vs.browser()
	sec.login(secretariat)
	wantStatus(t, sec.get(path), http.StatusOK)

	p := sec.post(path, form("part", "main", "study_period", "2025-2028", "chair", "Typed Chair", "title-en", ""))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d := p.doc(t)
	if text(d.Find("#title-en-error")) == "" {
		t.Errorf("no message beside the English title:\n%s", p.body)
	}
	if v, _ := d.Find("#chair").Attr("value"); v != "Typed Chair" {
		t.Errorf("typed chair lost: %q", v)
	}
	var now string
	if err := vs.db.Pool.QueryRow(ctx, `SELECT chair FROM study_groups WHERE id = $1`, sg).Scan(&now); err != nil || now != chair {
		t.Fatalf("refused form changed the chair: %q (%v), was %q", now, err, chair)
	}

	p = sec.post(path, form("part", "main", "study_period", "2025-2028", "chair", "Typed Chair", "title-en", "Environment"))
	wantStatus(t, p, http.StatusSeeOther)
	if err := vs.db.Pool.QueryRow(ctx, `SELECT chair FROM study_groups WHERE id = $1`, sg).Scan(&now); err != nil || now != "Typed Chair" {
		t.Errorf("chair after saving: %q (%v)", now, err)
	}

	del := vs.browser()
	del.login("delegate.sm@plenary.test")
	if p := del.get(path); p.StatusCode == http.StatusOK {
		t.Errorf("a delegate sees the study group form")
	}
}
