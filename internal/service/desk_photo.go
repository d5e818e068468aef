package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"plenary/internal/blob"
	"plenary/internal/domain"
	"plenary/internal/photo"
)

// PhotoTx is what the photo's use cases do inside their transaction.
type PhotoTx interface {
	// SetPhoto makes a staged file the registration's photo, audited, and returns the record of
	// the file it replaces (made due for the sweep), if any.
	SetPhoto(ctx context.Context, a Audit, p domain.Photo) (*blob.Record, error)
	// RemovePhoto removes the registration's photo, audited, and returns its file's record.
	RemovePhoto(ctx context.Context, a Audit, registrationID int64, now time.Time) (*blob.Record, error)
}

// SetPhoto gives a registration its photo: raw (a JPEG or PNG as uploaded) is checked and
// re-encoded (photo.Process: no metadata kept), stored through the blob store, and recorded in
// one transaction that checks again who may (domain.CanSetPhoto: the delegate, the secretariat,
// the meeting's desk staff at the counter). The photo it replaces is removed after commit. A
// refusal stores nothing.
func (s *Desk) SetPhoto(ctx context.Context, a Audit, actor domain.Actor, registrationID int64, raw []byte, source domain.PhotoSource) (domain.Photo, error) {
	return s.setPhoto(ctx, a, actor, registrationID, raw, source, "", 0)
}

// PhotoIn is a photo as a client sends it: the file's body, who took it, and at which desk (for
// a photo taken at the counter; written in the audit event with the staff member).
type PhotoIn struct {
	Body   io.Reader
	Source domain.PhotoSource
	Desk   string
	// Meeting, when not 0, is the meeting whose desk takes the photo: a registration of
	// another meeting is refused (domain.RefuseWrongMeeting).
	Meeting int64
}

// ReceivePhoto reads a client's photo into a temporary file first (so that nothing, a database
// connection least of all, is held while a slow client sends it), then sets it as SetPhoto does.
// An empty file and one larger than domain.PhotoMaxUpload are refused as field errors.
func (s *Desk) ReceivePhoto(ctx context.Context, a Audit, actor domain.Actor, registrationID int64, in PhotoIn) (domain.Photo, error) {
	if s.files == nil {
		return domain.Photo{}, errors.New("service: the desk has no files service (DeskDeps.Files or WithFiles)")
	}
	u, err := s.files.Receive(in.Body, "photo", domain.PhotoMaxUpload)
	if err != nil {
		return domain.Photo{}, err
	}
	defer u.Close()
	switch {
	case u.Over:
		return domain.Photo{}, domain.FieldErrors(map[string]string{domain.FieldPhoto: "photo.too_large"})
	case u.Size == 0:
		return domain.Photo{}, domain.FieldErrors(map[string]string{domain.FieldPhoto: "photo.missing"})
	}
	raw := make([]byte, u.Size)
	if _, err := u.f.ReadAt(raw, 0); err != nil {
		return domain.Photo{}, fmt.Errorf("service: read the received photo: %w", err)
	}
	return s.setPhoto(ctx, a, actor, registrationID, raw, in.Source, in.Desk, in.Meeting)
}

func (s *Desk) setPhoto(ctx context.Context, a Audit, actor domain.Actor, registrationID int64, raw []byte, source domain.PhotoSource, desk string, meeting int64) (domain.Photo, error) {
	mayTake := func(r domain.Registration) error {
		if meeting != 0 && r.MeetingID != meeting {
			return domain.Errorf(domain.Conflict, domain.RefuseWrongMeeting)
		}
		return domain.CanSetPhoto(actor, r)
	}
	if s.files == nil {
		return domain.Photo{}, errors.New("service: the desk has no files service (DeskDeps.Files or WithFiles)")
	}
	// Who may is checked first, so that a stranger's upload is not even decoded.
	if err := s.tx(ctx, func(tx DeskTx) error {
		r, err := lockPhotoOf(ctx, tx, actor, registrationID)
		if err != nil {
			return err
		}
		return mayTake(r)
	}); err != nil {
		return domain.Photo{}, err
	}
	pic, err := photo.Process(raw)
	if err != nil {
		return domain.Photo{}, err
	}
	u, err := s.files.Receive(bytes.NewReader(pic.JPEG), "registration-photo.jpg", int64(len(pic.JPEG)))
	if err != nil {
		return domain.Photo{}, err
	}
	defer u.Close()
	rec, err := s.files.Stage(ctx, u, "photos", 0)
	if err != nil {
		return domain.Photo{}, err
	}
	p := domain.Photo{RegistrationID: registrationID, Key: rec.Key, Backend: rec.Backend, Size: rec.Size,
		Width: pic.Width, Height: pic.Height, Source: source, TakenBy: actor.ID, TakenAt: s.now(), Desk: desk}
	var old *blob.Record
	err = s.tx(ctx, func(tx DeskTx) error {
		old = nil
		r, err := lockPhotoOf(ctx, tx, actor, registrationID)
		if err != nil {
			return err
		}
		if err := mayTake(r); err != nil {
			return err
		}
		old, err = tx.SetPhoto(ctx, a, p)
		return err
	})
	if err != nil {
		s.files.Discard(context.WithoutCancel(ctx), rec)
		return domain.Photo{}, err
	}
	if old != nil {
		s.files.Discard(context.WithoutCancel(ctx), *old)
	}
	return p, nil
}

// lockPhotoOf locks registration id for a photo use case of actor's: a registration whose photo
// actor may not see is not found (whether it exists is not told).
func lockPhotoOf(ctx context.Context, tx registrationLocker, actor domain.Actor, id int64) (domain.Registration, error) {
	return lockSeen(ctx, tx, id, func(r domain.Registration) bool { return domain.CanSeePhoto(actor, r) })
}

// RemovePhoto removes a registration's photo, for whoever may set one (domain.CanRemovePhoto),
// whatever the registration's state.
func (s *Desk) RemovePhoto(ctx context.Context, a Audit, actor domain.Actor, registrationID int64) error {
	var old *blob.Record
	err := s.tx(ctx, func(tx DeskTx) error {
		old = nil
		r, err := lockPhotoOf(ctx, tx, actor, registrationID)
		if err != nil {
			return err
		}
		if err := domain.CanRemovePhoto(actor, r); err != nil {
			return err
		}
		old, err = tx.RemovePhoto(ctx, a, r.ID, s.now())
		return err
	})
	if err == nil && old != nil && s.files != nil {
		s.files.Discard(context.WithoutCancel(ctx), *old)
	}
	return err
}

// PhotoReads is what reading a photo needs of the store.
type PhotoReads interface {
	// RegistrationByID reads a registration (NotFound when there is none).
	RegistrationByID(ctx context.Context, id int64) (domain.Registration, error)
	// Photo reads a registration's photo (NotFound when it has none).
	Photo(ctx context.Context, registrationID int64) (domain.Photo, error)
}

// OpenPhoto returns a registration's photo and its bytes, for whoever may see it
// (domain.CanSeePhoto); NotFound otherwise, and when there is none.
func (s *Desk) OpenPhoto(ctx context.Context, actor domain.Actor, registrationID int64) (domain.Photo, []byte, error) {
	r, err := s.reads.RegistrationByID(ctx, registrationID)
	if err != nil {
		return domain.Photo{}, nil, err
	}
	if !domain.CanSeePhoto(actor, r) {
		return domain.Photo{}, nil, notFound()
	}
	p, err := s.reads.Photo(ctx, r.ID)
	if err != nil {
		return p, nil, err
	}
	if s.files == nil {
		return p, nil, errors.New("service: the desk has no files service (DeskDeps.Files or WithFiles)")
	}
	rd, err := s.files.Open(ctx, p.Backend, p.Key, p.Size)
	if err != nil {
		return p, nil, err
	}
	defer rd.Close()
	b := make([]byte, p.Size)
	if _, err := io.ReadFull(rd, b); err != nil {
		return p, nil, err
	}
	return p, b, nil
}

// PhotoView is what a reader may see and do of a registration's photo.
type PhotoView struct {
	// Photo is the photo, nil when there is none.
	Photo *domain.Photo
	// Set is nil when the reader may give it a photo, else why not (domain.CanSetPhoto).
	Set error
	// Remove says the reader may remove it (domain.CanRemovePhoto).
	Remove bool
}

// PhotoOf returns a registration's photo (without its bytes) and what the reader may do with
// it, for whoever may see it (domain.CanSeePhoto); to anyone else the registration is not found.
func (s *Desk) PhotoOf(ctx context.Context, actor domain.Actor, registrationID int64) (PhotoView, error) {
	r, err := s.reads.RegistrationByID(ctx, registrationID)
	if err != nil {
		return PhotoView{}, err
	}
	if !domain.CanSeePhoto(actor, r) {
		return PhotoView{}, notFound()
	}
	v := PhotoView{Set: domain.CanSetPhoto(actor, r), Remove: domain.CanRemovePhoto(actor, r) == nil}
	p, err := s.reads.Photo(ctx, r.ID)
	switch {
	case err == nil:
		v.Photo = &p
	case domain.ErrorCode(err) != domain.NotFound:
		return v, err
	}
	return v, nil
}
