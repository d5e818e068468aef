package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
)

// TestVisasReadsAndRefusals: the secretariat reads a meeting's queue and export; a focal point
// is refused both (Forbidden); a letter that does not exist is NotFound for anyone, and a
// token too long is NotFound without a read. (The writes are driven by the store's visa tests,
// internal/postgres/visa*_test.go, through these use cases.)
func TestVisasReadsAndRefusals(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	visas := w.svc.Visas
	focal, sec := w.actor(focalSM), w.actor(secretariat)
	f := domain.VisaFilter{MeetingID: w.meeting}
	q, err := visas.Queue(ctx, sec, f)
	if err != nil {
		t.Fatal(err)
	}
	if q.Meeting == nil || q.Meeting.ID != w.meeting {
		t.Fatalf("queue of meeting %d: %+v", w.meeting, q.Meeting)
	}
	want := w.count(`SELECT count(*) FROM visa_requests WHERE meeting_id = $1`, w.meeting)
	if len(q.Queue.Lines) != want {
		t.Errorf("%d lines in the queue, the database has %d", len(q.Queue.Lines), want)
	}
	n := 0
	if err := visas.Export(ctx, sec, f, func(domain.VisaLine) error { n++; return nil }); err != nil || n != want {
		t.Errorf("export: %d lines (%v), want %d", n, err, want)
	}
	if _, err := visas.Queue(ctx, focal, f); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point reads the queue: %v, want Forbidden", err)
	}
	if err := visas.Export(ctx, focal, f, func(domain.VisaLine) error { return nil }); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point exports the queue: %v, want Forbidden", err)
	}
	if _, err := visas.Letter(ctx, sec, -1); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("a missing letter: %v, want NotFound", err)
	}
	long := make([]byte, 65)
	for i := range long {
		long[i] = 'a'
	}
	if _, err := visas.Verify(ctx, string(long)); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("a token of 65 characters: %v, want NotFound", err)
	}

}
