package service

import (
	"context"
	"io"
	"time"

	"plenary/internal/blob"
	"plenary/internal/domain"
)

// DocumentStore is what the documents use cases need of the store: reads outside any
// transaction, and the writes, each one short transaction of the store that numbers, records,
// audits and claims the file staged before it (internal/postgres/documents.go).
type DocumentStore interface {
	Membership(ctx context.Context, actor domain.Actor) (domain.Membership, error)
	Organisations(ctx context.Context) ([]domain.Organisation, error)
	Documents(ctx context.Context, f domain.DocumentFilter) (domain.DocumentPage, error)
	Document(ctx context.Context, meetingID int64, t domain.DocType, n int) (*domain.DocumentDetail, error)
	// DocumentsBy lists the documents an account submitted, newest first.
	DocumentsBy(ctx context.Context, accountID int64) ([]domain.MyDocument, error)
	// DocumentFile returns a revision's file (rev < 0: the latest) after checking that actor
	// may read it.
	DocumentFile(ctx context.Context, actor domain.Actor, meetingID int64, t domain.DocType, n, rev int) (domain.DocumentLine, error)
	// ArchiveDocuments lists the documents of f with a file, after checking that actor may read them.
	ArchiveDocuments(ctx context.Context, actor domain.Actor, studyGroupID int64, f domain.DocumentFilter) (domain.DocumentPage, error)
	CheckDocument(ctx context.Context, actor domain.Actor, meetingID int64, req domain.DocumentRequest, withFile bool, now time.Time) error
	PostDocument(ctx context.Context, a Audit, actor domain.Actor, meetingID int64, req domain.DocumentRequest, file *domain.AttachedFile, now time.Time) (domain.Document, error)
	CheckRevise(ctx context.Context, actor domain.Actor, docID int64, now time.Time) error
	ReviseDocument(ctx context.Context, a Audit, actor domain.Actor, docID int64, file domain.AttachedFile, now time.Time) (domain.Document, error)
	UpdateDocument(ctx context.Context, a Audit, actor domain.Actor, docID int64, req domain.DocumentRequest, now time.Time) error
	WithdrawDocument(ctx context.Context, a Audit, actor domain.Actor, docID int64, now time.Time) error
}

// Documents are the use cases of a meeting's documents: the list, a document's page, its files
// and the archive, posting (numbered in the transaction that claims the file received before),
// revisions, the secretariat's edits and withdrawal. The files themselves go through Files:
// received in full before any transaction, and streamed to clients with no connection held.
type Documents struct {
	store DocumentStore
	files *Files
	now   Clock
}

// NewDocuments builds the documents use cases; WithFiles gives them their files.
func NewDocuments(store DocumentStore, now Clock) *Documents {
	if now == nil {
		now = time.Now
	}
	return &Documents{store: store, now: now}
}

// WithFiles returns the use cases over files (the app's blob stores).
func (d *Documents) WithFiles(f *Files) *Documents {
	c := *d
	c.files = f
	return &c
}

// Files is the files service the documents are stored with.
func (d *Documents) Files() *Files { return d.files }

// Access says what actor may do with the documents of a meeting, and the membership it follows from.
func (d *Documents) Access(ctx context.Context, actor domain.Actor, m *domain.MeetingDetail) (domain.DocumentAccess, domain.Membership, error) {
	if !actor.SignedIn() {
		return domain.AccessToDocuments(actor, domain.Membership{}, m.StudyGroupID), domain.Membership{}, nil
	}
	mem, err := d.store.Membership(ctx, actor)
	if err != nil {
		return domain.DocumentAccess{}, mem, err
	}
	return domain.AccessToDocuments(actor, mem, m.StudyGroupID), mem, nil
}

// DocumentList is a page of a meeting's list of documents, for an actor.
type DocumentList struct {
	Page   domain.DocumentPage
	Access domain.DocumentAccess
}

// List returns one page of a meeting's documents as filtered, with what actor may do.
func (d *Documents) List(ctx context.Context, actor domain.Actor, m *domain.MeetingDetail, f domain.DocumentFilter) (DocumentList, error) {
	acc, _, err := d.Access(ctx, actor, m)
	if err != nil {
		return DocumentList{}, err
	}
	f.MeetingID = m.ID
	page, err := d.store.Documents(ctx, f)
	return DocumentList{Page: page, Access: acc}, err
}

// DocumentView is a document's page for an actor.
type DocumentView struct {
	Doc       *domain.DocumentDetail
	Access    domain.DocumentAccess
	CanRevise bool
}

// Find returns the document of a meeting numbered ref ("C12", "TD3").
func (d *Documents) Find(ctx context.Context, m *domain.MeetingDetail, ref string) (*domain.DocumentDetail, error) {
	t, n, ok := domain.ParseDocRef(ref)
	if !ok {
		return nil, domain.Errorf(domain.NotFound, "error.doc_not_found")
	}
	return d.store.Document(ctx, m.ID, t, n)
}

// Show returns a document's page for actor: the document, what actor may do with the meeting's
// documents, and whether actor may post a revision of this one (the domain decides).
func (d *Documents) Show(ctx context.Context, actor domain.Actor, m *domain.MeetingDetail, doc *domain.DocumentDetail) (DocumentView, error) {
	acc, _, err := d.Access(ctx, actor, m)
	if err != nil {
		return DocumentView{}, err
	}
	return DocumentView{Doc: doc, Access: acc,
		CanRevise: doc.State != domain.DocWithdrawn && domain.CanRevise(actor, acc, doc.Document, doc.Sources)}, nil
}

// DocumentForm is what the form of a new document (or of a document's details) offers actor.
type DocumentForm struct {
	Access        domain.DocumentAccess
	Own           *domain.Organisation
	Organisations []domain.Organisation
	// Late and NoTranslation say that a contribution posted now is late, and not translated.
	Late, NoTranslation bool
}

// Form returns what the form of a new document offers actor, and whether actor may post one.
func (d *Documents) Form(ctx context.Context, actor domain.Actor, m *domain.MeetingDetail) (DocumentForm, error) {
	acc, mem, err := d.Access(ctx, actor, m)
	if err != nil {
		return DocumentForm{}, err
	}
	now, loc := d.now(), m.Location()
	f := DocumentForm{Access: acc, Own: mem.Organisation,
		Late:          m.Deadline(domain.Contributions).Passed(now, loc),
		NoTranslation: m.Deadline(domain.ContributionsForTranslation).Passed(now, loc)}
	f.Organisations, err = d.store.Organisations(ctx)
	return f, err
}

// File returns the record of a document's file (rev < 0: the latest revision's) once actor is
// found to be allowed to read it; Open then reads its bytes with no connection held.
func (d *Documents) File(ctx context.Context, actor domain.Actor, m *domain.MeetingDetail, ref string, rev int) (domain.DocumentLine, error) {
	t, n, ok := domain.ParseDocRef(ref)
	if !ok {
		return domain.DocumentLine{}, domain.Errorf(domain.NotFound, "error.doc_not_found")
	}
	return d.store.DocumentFile(ctx, actor, m.ID, t, n, rev)
}

// Open reads a document's file from its backend.
func (d *Documents) Open(ctx context.Context, f domain.DocumentFile) (*blob.Reader, error) {
	return d.files.Open(ctx, f.Backend, f.BlobKey, f.FileSize)
}

// Archive lists the posted documents of the meeting's list as filtered, each with its latest
// file, once actor is found to be allowed to read them.
func (d *Documents) Archive(ctx context.Context, actor domain.Actor, m *domain.MeetingDetail, f domain.DocumentFilter) (domain.DocumentPage, error) {
	f.MeetingID, f.Sort = m.ID, domain.SortByNumber
	return d.store.ArchiveDocuments(ctx, actor, m.StudyGroupID, f)
}

// FileIn is a form's file as it arrives from the client: Body unread (nil or an empty Name when
// no file was chosen), and Kept the key of a file kept from the same form refused before.
type FileIn struct {
	Body io.Reader
	Name string
	Kept string
	// Max is the size limit.
	Max int64
}

func (in FileIn) chosen() bool { return in.Body != nil && in.Name != "" }

// attach receives the form's file (received in full, checked, stored as pending for actor), or
// else returns the file kept from the form sent before, or nil when there is neither. A new file
// replaces the kept one. A file that cannot be accepted comes back as a field error; nothing of
// it is kept.
func (d *Documents) attach(ctx context.Context, actor domain.Actor, in FileIn) (*blob.Record, error) {
	if !in.chosen() {
		if in.Kept == "" {
			return nil, nil
		}
		rec, err := d.files.Staged(ctx, in.Kept, actor.ID)
		if err != nil {
			return nil, err
		}
		return &rec, nil
	}
	u, err := d.files.Receive(in.Body, in.Name, in.Max)
	if err != nil {
		return nil, err
	}
	defer u.Close()
	if err := u.Check(in.Max); err != nil {
		return nil, err
	}
	rec, err := d.files.Stage(ctx, u, "documents", actor.ID)
	if err != nil {
		return nil, err
	}
	if in.Kept != "" {
		if old, err := d.files.Staged(ctx, in.Kept, actor.ID); err == nil {
			d.files.Discard(ctx, old)
		}
	}
	return &rec, nil
}

// Submitted is what came of a new document's form: the document when it was posted, and, when
// it was refused, the file kept for the form to be sent again (nil when there is none).
type Submitted struct {
	Doc      domain.Document
	Attached *blob.Record
}

// Submit posts a new document of meeting m. The file is received and stored first (whatever the
// other fields say, so that a refused form keeps it and every problem is named at once); then
// one short transaction of the store checks the request against the domain's rules, numbers the
// document (so that a refused form takes no number and numbers have no gap) and claims the file.
// post false says the form had fields that could not even be read: the file is received and kept
// all the same, and nothing is posted. A refused form's file is kept (Submitted.Attached) until
// it is sent again or its time runs out, when the files' sweep removes it.
func (d *Documents) Submit(ctx context.Context, a Audit, actor domain.Actor, m *domain.MeetingDetail, req domain.DocumentRequest, in FileIn, post bool) (Submitted, error) {
	var res Submitted
	att, err := d.attach(ctx, actor, in)
	if fe, ok := domain.AsError(err); ok && len(fe.Fields) > 0 {
		// The file is refused: the other fields are checked too, to name every problem.
		if e, ok := domain.AsError(d.store.CheckDocument(ctx, actor, m.ID, req, true, d.now())); ok {
			for k, v := range e.Fields {
				if _, set := fe.Fields[k]; !set {
					fe.Fields[k] = v
				}
			}
		}
	}
	if err == nil && post {
		var file *domain.AttachedFile
		if att != nil {
			file = &domain.AttachedFile{Key: att.Key, Name: att.FileName}
		}
		res.Doc, err = d.store.PostDocument(ctx, a, actor, m.ID, req, file, d.now())
		if err == nil {
			return res, nil
		}
	}
	if att != nil {
		if kerr := d.files.Keep(context.WithoutCancel(ctx), att.Key); kerr != nil {
			d.files.Log.Warn("keep an attached file", "id", a.RequestID, "err", kerr)
		} else {
			res.Attached = att
		}
	}
	return res, err
}

// CheckRevise says whether actor may post a new revision of a document now, before its file is
// received; Revise checks again in its transaction.
func (d *Documents) CheckRevise(ctx context.Context, actor domain.Actor, docID int64) error {
	return d.store.CheckRevise(ctx, actor, docID, d.now())
}

// Revise posts a new revision of a document (or the first file of a registered one): the file is
// received and stored first, then one short transaction records the revision and claims it. A
// refused revision leaves no file behind.
func (d *Documents) Revise(ctx context.Context, a Audit, actor domain.Actor, docID int64, in FileIn) (domain.Document, error) {
	if !in.chosen() {
		return domain.Document{}, domain.FieldErrors(map[string]string{"file": "error.doc_file_required"})
	}
	in.Kept = ""
	att, err := d.attach(ctx, actor, in)
	if err != nil {
		return domain.Document{}, err
	}
	next, err := d.store.ReviseDocument(ctx, a, actor, docID, domain.AttachedFile{Key: att.Key, Name: att.FileName}, d.now())
	if err != nil {
		d.files.Discard(context.WithoutCancel(ctx), *att)
	}
	return next, err
}

// Update changes a document's details (the secretariat).
func (d *Documents) Update(ctx context.Context, a Audit, actor domain.Actor, docID int64, req domain.DocumentRequest) error {
	return d.store.UpdateDocument(ctx, a, actor, docID, req, d.now())
}

// Withdraw withdraws a document (the secretariat).
func (d *Documents) Withdraw(ctx context.Context, a Audit, actor domain.Actor, docID int64) error {
	return d.store.WithdrawDocument(ctx, a, actor, docID, d.now())
}
