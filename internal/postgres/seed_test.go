package postgres_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/seed"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const letterSlug = "sg13-wp-2025-07"

// wantWorkItems is the letter's Annex A: every draft under its working party.
var wantWorkItems = map[string][]string{
	"WP1/13": {"Y.CNAO", "Y.LDT-reqs-funcs", "Y.IMT2020-MEVE-req-frame", "Y.IMT2020-STI-NS", "Y.FMSC-ConTrans", "Y.FMSC-LDS", "Y.FMSC-MEC", "Y.FMSC-InNetFL"},
	"WP2/13": {"Y.cdp-reqts", "Y.3601-rev", "Y.3505-rev", "Y.mc-arch", "Y.ccmm-reqts", "Y.ccimvc"},
	"WP3/13": {"Y.CPN-DF", "Y.NGNe-IBN-arch", "Y.Suppl.CPN-SR", "Y.Suppl.NGNe-UC-SCE", "Y.bDDN-MecArch-KC", "Y.bDDN-AM-COINO", "Y.ICN-INP", "Y.DTN-DataFrame"},
	"WP4/13": {"Y.supp.mlip", "Supp-Y.MBIMT2020-Gen", "Y.expBDtech-frame", "Y.det-FQ-fa", "Y.IMT-2020-qos-lstn-req", "Y.qos-req-ti", "Y.IMT-2020-qos-cnc-req", "Y.IMT2020-QoS-FMSC", "Y.QKDNi-qos-fa", "Y.QKDN-qos-sdnc", "Y.QKDN-qos-fr-req", "Y.QKD-orfr", "Y.QKD-rsff"},
}

func detail(t *testing.T, db *postgres.DB, slug string) *domain.MeetingDetail {
	t.Helper()
	d, err := db.MeetingDetail(context.Background(), slug)
	if err != nil {
		t.Fatalf("MeetingDetail(%s): %v", slug, err)
	}
	return d
}

func ymd(d time.Time) string { return d.Format("2006-01-02") }

func TestSeedLoadsTheLetterExactly(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := detail(t, db, letterSlug)

	if d.Title.In("en") != "Meetings of Working Parties 1/13, 2/13, 3/13 and 4/13" || d.Title.In("zh") != "第1/13、2/13、3/13和4/13工作组会议" {
		t.Errorf("title = %v", d.Title)
	}
	if ymd(d.FirstDay) != "2025-07-25" || ymd(d.LastDay) != "2025-07-25" || d.City.In("en") != "Geneva" || d.City.In("zh") != "日内瓦" || d.TimeZone != "Europe/Zurich" {
		t.Errorf("when/where = %s..%s %s %s", ymd(d.FirstDay), ymd(d.LastDay), d.City, d.TimeZone)
	}
	if strings.Join(d.Languages, ",") != "en" || d.Interpretation || d.Fellowships || !d.Paperless {
		t.Errorf("languages %v interpretation %v fellowships %v paperless %v, want en only, none, none, paperless",
			d.Languages, d.Interpretation, d.Fellowships, d.Paperless)
	}
	if d.StudyGroup.Code != "SG13" || d.StudyGroup.Email != "tsbsg13@itu.int" || d.StudyGroup.Phone != "+41 22 730 5126" {
		t.Errorf("study group = %+v", d.StudyGroup)
	}

	var codes []string
	for _, w := range d.WorkingParties {
		codes = append(codes, w.Code)
	}
	if strings.Join(codes, ",") != "WP1/13,WP2/13,WP3/13,WP4/13" {
		t.Fatalf("working parties = %v", codes)
	}

	var sessions []string
	for _, s := range d.Sessions {
		wp, _ := d.WorkingParty(s.WorkingPartyID)
		sessions = append(sessions, wp.Code+" "+s.StartsAt.Format("2006-01-02 15:04"))
	}
	want := "WP4/13 2025-07-25 09:00,WP3/13 2025-07-25 10:30,WP1/13 2025-07-25 14:00,WP2/13 2025-07-25 15:00"
	if strings.Join(sessions, ",") != want {
		t.Errorf("sessions = %v, want %s", sessions, want)
	}

	wantDeadlines := map[domain.DeadlineKind]string{
		domain.ContributionsForTranslation: "2025-05-25",
		domain.PreRegistration:             "2025-06-25",
		domain.VisaSupportRequest:          "2025-06-25",
		domain.Contributions:               "2025-07-01",
	}
	if len(d.Overrides) != 4 {
		t.Errorf("%d deadlines stored, want the letter's 4", len(d.Overrides))
	}
	dls := d.Deadlines()
	if len(dls) != 4 {
		t.Fatalf("%d deadlines, want 4", len(dls))
	}
	for _, dl := range dls {
		if ymd(dl.Day) != wantDeadlines[dl.Kind] {
			t.Errorf("deadline %s = %s, want %s", dl.Kind, ymd(dl.Day), wantDeadlines[dl.Kind])
		}
	}

	if len(d.ColocatedEvents) != 3 {
		t.Errorf("%d co-located events, want 3", len(d.ColocatedEvents))
	}
	for _, e := range d.ColocatedEvents {
		if e.Title.In("en") == "" || e.Title["zh"] == "" {
			t.Errorf("co-located event without en and zh titles: %v", e.Title)
		}
	}
	if len(d.DeskOpenings) == 0 {
		t.Error("no registration desk openings")
	}

	for _, w := range d.WorkingParties {
		items := d.AgendaOf(w.ID)
		if len(items) != 11 {
			t.Errorf("%s has %d agenda items, want 11", w.Code, len(items))
		}
		for i, it := range items {
			if it.Position != i+1 {
				t.Errorf("%s agenda item %d has position %d", w.Code, i+1, it.Position)
			}
		}
	}

	if len(d.WorkItems) != 35 {
		t.Errorf("%d work items, want 35", len(d.WorkItems))
	}
	got := map[string][]string{}
	for _, wi := range d.WorkItems {
		wp, ok := d.WorkingParty(wi.WorkingPartyID)
		if !ok {
			t.Errorf("work item %s has no working party", wi.Acronym)
			continue
		}
		got[wp.Code] = append(got[wp.Code], wi.Acronym)
		q := questionOf(d, wi.QuestionID)
		if q.WorkingPartyID == nil || *q.WorkingPartyID != wi.WorkingPartyID {
			t.Errorf("work item %s is under %s but its Question %s is not", wi.Acronym, wp.Code, q.Code)
		}
		if wi.Action != wi.Kind.DefaultAction() {
			t.Errorf("work item %s (%s) has action %s", wi.Acronym, wi.Kind, wi.Action)
		}
	}
	for wp, acr := range wantWorkItems {
		if strings.Join(got[wp], ",") != strings.Join(acr, ",") {
			t.Errorf("%s work items = %v, want %v (%d)", wp, got[wp], acr, len(acr))
		}
	}
	counts := map[string]int{}
	for wp, a := range got {
		counts[wp] = len(a)
	}
	if counts["WP1/13"] != 8 || counts["WP2/13"] != 6 || counts["WP3/13"] != 8 || counts["WP4/13"] != 13 {
		t.Errorf("work items per working party = %v, want 8, 6, 8, 13", counts)
	}
}

func questionOf(d *domain.MeetingDetail, id int64) domain.Question {
	for _, q := range d.Questions {
		if q.ID == id {
			return q
		}
	}
	return domain.Question{}
}

var countedTables = []string{"study_groups", "working_parties", "questions", "organisations", "organisation_study_groups",
	"accounts", "focal_points", "meetings", "desk_openings", "meeting_sessions", "colocated_events", "deadlines",
	"agenda_items", "work_items", "letter_settings"}

func tableCounts(t *testing.T, db *postgres.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range countedTables {
		var n int
		if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM `+tbl).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tbl] = n
	}
	return out
}

func TestSeedIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.EmptyURL(t), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.Pending(ctx); err != nil || n == 0 {
		t.Fatalf("an empty database has %d pending migrations (%v), want some", n, err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("after Migrate %d migrations pending (%v)", n, err)
	}
	now := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	res, err := seed.Load(ctx, db, true, now, pgtest.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if !res.MeetingCreated || !res.DemoCreated || len(res.Accounts) == 0 {
		t.Fatalf("first load = %+v, want the meeting, the demo meeting and accounts created", res)
	}
	first := tableCounts(t, db)
	if first["meetings"] != 2 || first["work_items"] != 70 || first["meeting_sessions"] != 8 {
		t.Errorf("after one load: %v, want 2 meetings (the letter's and the demo copy)", first)
	}
	for i := 0; i < 2; i++ {
		res, err := seed.Load(ctx, db, true, now, pgtest.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if res.MeetingCreated || res.DemoCreated {
			t.Errorf("load %d created again: %+v", i+2, res)
		}
		if again := tableCounts(t, db); !equalCounts(first, again) {
			t.Errorf("load %d changed the counts:\nbefore %v\nafter  %v", i+2, first, again)
		}
	}
	// Without demo data, the letter's meeting alone is loaded, once.
	db2, err := postgres.Open(ctx, pgtest.EmptyURL(t), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if _, err := db2.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := seed.Load(ctx, db2, false, now, pgtest.Hash); err != nil {
			t.Fatal(err)
		}
	}
	c := tableCounts(t, db2)
	if c["meetings"] != 1 || c["accounts"] != 0 || c["work_items"] != 35 || c["agenda_items"] != 44 {
		t.Errorf("letter only, loaded twice: %v", c)
	}
}

func equalCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

func TestDemoMeetingIsOpenForRegistration(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ms, err := db.Meetings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, m := range ms {
		slugs = append(slugs, m.Slug)
	}
	sort.Strings(slugs)
	if len(slugs) != 2 || slugs[0] != letterSlug {
		t.Fatalf("meetings = %v, want the letter's and one demo copy", slugs)
	}
	demo := detail(t, db, slugs[1])
	now := pgtest.SeededAt(t)
	if demo.FirstDay.Weekday() != time.Friday || demo.FirstDay.Sub(now) < 99*24*time.Hour {
		t.Errorf("demo meeting starts %s, want a Friday at least 100 days after %s", ymd(demo.FirstDay), ymd(now))
	}
	if len(demo.Overrides) != 0 {
		t.Errorf("demo deadlines %v, want the defaults", demo.Overrides)
	}
	if demo.Deadline(domain.PreRegistration).Passed(now, demo.Location()) {
		t.Error("the demo meeting's pre-registration deadline has passed")
	}
}
