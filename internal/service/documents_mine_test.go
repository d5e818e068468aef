package service_test

import (
	"bytes"
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// A person's own page lists the documents they submitted, and only theirs; a visitor has none.
func TestMyDocumentsAreTheOnesISubmitted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	docs := w.svc.Documents.WithFiles(w.files())
	m, err := w.db.MeetingDetailByID(ctx, w.meeting)
	if err != nil {
		t.Fatal(err)
	}
	focal := w.actor(focalMS)
	form, err := docs.Form(ctx, focal, m)
	if err != nil || form.Own == nil {
		t.Fatalf("form: %+v, %v", form, err)
	}
	qs, _ := domain.ParseQuestions(m, "Q20/13")
	req := domain.DocumentRequest{Type: domain.Contribution, Title: "Mine to list", Sources: []int64{form.Own.ID}, QuestionIDs: qs}
	pdf := []byte("%PDF-1.7\n% a contribution\n%%EOF\n")
	res, err := docs.Submit(ctx, service.Audit{ActorID: focal.ID}, focal, m, req,
		service.FileIn{Body: bytes.NewReader(pdf), Name: "c.pdf", Max: 1 << 20}, true)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := docs.Mine(ctx, focal)
	if err != nil || len(mine) != 1 || mine[0].ID != res.Doc.ID || mine[0].Title != "Mine to list" || mine[0].MeetingSlug != m.Slug {
		t.Fatalf("the submitter's documents: %+v, %v; want the one submitted, with its meeting", mine, err)
	}
	if other, err := docs.Mine(ctx, w.actor(delegateMS)); err != nil || len(other) != 0 {
		t.Errorf("another account's documents: %+v, %v; want none", other, err)
	}
	if none, err := docs.Mine(ctx, domain.Visitor); err != nil || none != nil {
		t.Errorf("a visitor's documents: %+v, %v; want none", none, err)
	}
}
