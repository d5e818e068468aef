package service_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// A delegate's photo is re-encoded and stored through the blob store, seen by its owner and not
// by a colleague; a new one replaces it (the old file goes); removing it removes the file.
func TestPhotoSetReplaceRemove(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	owner := w.actor(delegateSM)
	reg := w.approved(owner, w.actor(focalSM), domain.InPerson)
	desk := w.svc.Desk.WithFiles(w.files())
	var pb bytes.Buffer
	if err := png.Encode(&pb, image.NewRGBA(image.Rect(0, 0, 900, 1200))); err != nil {
		t.Fatal(err)
	}
	a := postgres.Audit{ActorID: owner.ID}
	p, err := desk.SetPhoto(ctx, a, owner, reg.ID, pb.Bytes(), domain.PhotoUploaded)
	if err != nil || p.Width != domain.PhotoWidth || p.Height != domain.PhotoHeight {
		t.Fatalf("set: %+v %v", p, err)
	}
	got, b, err := desk.OpenPhoto(ctx, owner, reg.ID)
	if err != nil || got.Key != p.Key || !isJPEG(b) {
		t.Fatalf("open: %v", err)
	}
	if _, _, err := desk.OpenPhoto(ctx, domain.NewActor(owner.ID+1000, reg.OrganisationID), reg.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("a stranger opens the photo: %v", err)
	}
	p2, err := desk.SetPhoto(ctx, a, owner, reg.ID, pb.Bytes(), domain.PhotoUploaded)
	if err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM registration_photos WHERE registration_id = $1 AND blob_key = $2`, reg.ID, p2.Key); n != 1 {
		t.Errorf("photo rows after replace: %d", n)
	}
	if n := w.count(`SELECT count(*) FROM blobs WHERE key = $1 AND (pending_until IS NULL OR pending_until > now())`, p.Key); n != 0 {
		t.Errorf("the replaced photo's file is still kept")
	}
	// Erased with the passport data's retention: not before the meeting is that long past.
	if recs, err := w.db.ErasePhotos(ctx, 30, w.now); err != nil || len(recs) != 0 {
		t.Fatalf("erase before the meeting: %v %v", recs, err)
	}
	if recs, err := w.db.ErasePhotos(ctx, 30, w.now.AddDate(2, 0, 0)); err != nil || len(recs) != 1 || recs[0].Key != p2.Key {
		t.Fatalf("erase two years on: %v %v", recs, err)
	}
	if n := w.count(`SELECT count(*) FROM registration_photos WHERE registration_id = $1`, reg.ID); n != 0 {
		t.Errorf("photo rows after erasure: %d", n)
	}
	p3, err := desk.SetPhoto(ctx, a, owner, reg.ID, pb.Bytes(), domain.PhotoUploaded)
	if err != nil {
		t.Fatal(err)
	}
	_ = p3
	if err := desk.RemovePhoto(ctx, a, owner, reg.ID); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM registration_photos WHERE registration_id = $1`, reg.ID); n != 0 {
		t.Errorf("photo rows after remove: %d", n)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action LIKE 'photo.%' AND entity_id = $1`, reg.ID); n != 5 {
		t.Errorf("photo audit events: %d, want 5 (set, set, erase, set, remove)", n)
	}
}

func isJPEG(b []byte) bool { return len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 }

// trickle is a client sending a file slowly, a few bytes a read; at each read it notes how many
// of the pool's connections are held.
type trickle struct {
	b    []byte
	pool interface{ AcquiredConns() int32 }
	held int32
}

func (r *trickle) Read(p []byte) (int, error) {
	if n := r.pool.AcquiredConns(); n > r.held {
		r.held = n
	}
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 4096)], r.b)
	r.b = r.b[n:]
	return n, nil
}

type poolStat struct{ db *postgres.DB }

func (s poolStat) AcquiredConns() int32 { return s.db.Pool.Stat().AcquiredConns() }

// ReceivePhoto holds no database connection while the client sends the file (it is received
// into a temporary file first); a desk's photo of another meeting's registration, and a file
// over the limit, are refused and store nothing.
func TestReceivePhoto(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	owner := w.actor(delegateSM)
	sec := w.actor(secretariat)
	reg := w.approved(owner, w.actor(focalSM), domain.InPerson)
	desk := w.svc.Desk.WithFiles(w.files())
	var pb bytes.Buffer
	if err := png.Encode(&pb, image.NewRGBA(image.Rect(0, 0, 600, 800))); err != nil {
		t.Fatal(err)
	}

	body := &trickle{b: pb.Bytes(), pool: poolStat{w.db}}
	if _, err := desk.ReceivePhoto(ctx, postgres.Audit{ActorID: owner.ID}, owner, reg.ID, service.PhotoIn{Body: body, Source: domain.PhotoUploaded}); err != nil {
		t.Fatal(err)
	}
	if len(body.b) != 0 {
		t.Fatalf("%d bytes left unread", len(body.b))
	}
	if body.held != 0 {
		t.Errorf("%d database connections held while the client sent the photo, want 0", body.held)
	}

	_, err := desk.ReceivePhoto(ctx, postgres.Audit{ActorID: sec.ID}, sec, reg.ID,
		service.PhotoIn{Body: bytes.NewReader(pb.Bytes()), Source: domain.PhotoAtDesk, Desk: "Desk 1", Meeting: w.meeting + 1000})
	if e, ok := domain.AsError(err); !ok || e.Code != domain.Conflict || e.Key != domain.RefuseWrongMeeting {
		t.Errorf("another meeting's desk: %v", err)
	}
	_, err = desk.ReceivePhoto(ctx, postgres.Audit{ActorID: owner.ID}, owner, reg.ID,
		service.PhotoIn{Body: io.MultiReader(bytes.NewReader(pb.Bytes()), bytes.NewReader(make([]byte, domain.PhotoMaxUpload))), Source: domain.PhotoUploaded})
	if e, ok := domain.AsError(err); !ok || e.Fields[domain.FieldPhoto] != "photo.too_large" {
		t.Errorf("a file over the limit: %v", err)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'photo.set' AND entity_id = $1`, reg.ID); n != 1 {
		t.Errorf("%d photos set, want the first only", n)
	}
}
