package service_test

import (
	"bytes"
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// Posting through the documents service: a form refused for a field takes no number and keeps
// its file for its owner; sent again with that file, it is numbered first; a refused revision
// leaves no file; the next document is numbered next, with no gap.
func TestDocumentsAreNumberedWithoutGapsAndKeepNothingRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	docs := w.svc.Documents.WithFiles(w.files())
	m, err := w.db.MeetingDetailByID(ctx, w.meeting)
	if err != nil {
		t.Fatal(err)
	}
	actor := w.actor(focalMS)
	form, err := docs.Form(ctx, actor, m)
	if err != nil || !form.Access.Submit || form.Own == nil {
		t.Fatalf("form: %+v, %v; want the focal point allowed to post for their organisation", form, err)
	}
	qs, _ := domain.ParseQuestions(m, "Q20/13")
	req := domain.DocumentRequest{Type: domain.Contribution, Title: "", Sources: []int64{form.Own.ID}, QuestionIDs: qs}
	pdf := []byte("%PDF-1.7\n% a contribution\n%%EOF\n")
	file := func(name string, b []byte) service.FileIn {
		return service.FileIn{Body: bytes.NewReader(b), Name: name, Max: 1 << 20}
	}
	a := service.Audit{ActorID: actor.ID}

	res, err := docs.Submit(ctx, a, actor, m, req, file("c.pdf", pdf), true)
	if e, ok := domain.AsError(err); !ok || e.Fields["title"] == "" {
		t.Fatalf("submit without a title: %v; want a field error on the title", err)
	}
	if res.Attached == nil || res.Attached.FileName != "c.pdf" || res.Attached.Size != int64(len(pdf)) {
		t.Fatalf("the refused form's file is not kept: %+v", res.Attached)
	}
	if n := w.count(`SELECT count(*) FROM documents`); n != 0 {
		t.Fatalf("%d documents after a refused form", n)
	}
	// Someone else cannot use the kept file.
	other := w.actor(delegateMS)
	if _, err := docs.Submit(ctx, a, other, m, req, service.FileIn{Kept: res.Attached.Key, Max: 1 << 20}, true); err == nil {
		t.Error("another account posted with the kept file")
	}

	req.Title = "Fixed title"
	res, err = docs.Submit(ctx, a, actor, m, req, service.FileIn{Kept: res.Attached.Key, Max: 1 << 20}, true)
	if err != nil || res.Doc.Number != 1 {
		t.Fatalf("submit again with the kept file: %+v, %v; want C1", res.Doc, err)
	}
	if n := w.count(`SELECT count(*) FROM blobs WHERE pending_until IS NOT NULL`); n != 0 {
		t.Errorf("%d pending files after the form succeeded", n)
	}
	if n := w.count(`SELECT count(*) FROM document_files f JOIN blobs b ON b.key = f.blob_key WHERE b.size = $1`, len(pdf)); n != 1 {
		t.Errorf("the document's file is not the kept one (%d)", n)
	}

	// A revision whose file is refused leaves nothing.
	before := w.count(`SELECT count(*) FROM blob_objects`)
	if _, err := docs.Revise(ctx, a, actor, res.Doc.ID, file("r.exe", []byte("MZ not a document"))); err == nil {
		t.Error("a revision with an executable was accepted")
	}
	if after := w.count(`SELECT count(*) FROM blob_objects`); after != before {
		t.Errorf("a refused revision left %d objects", after-before)
	}
	next, err := docs.Revise(ctx, a, actor, res.Doc.ID, file("r.pdf", pdf))
	if err != nil || next.Revision != 1 {
		t.Fatalf("revision: %+v, %v", next, err)
	}

	req.Title = "Second"
	res, err = docs.Submit(ctx, a, actor, m, req, file("d.pdf", pdf), true)
	if err != nil || res.Doc.Number != 2 {
		t.Fatalf("second document: %+v, %v; want C2", res.Doc, err)
	}
	if n := w.count(`SELECT count(*) FROM blobs WHERE pending_until IS NOT NULL`); n != 0 {
		t.Errorf("%d pending files left", n)
	}
}
