package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"plenary/internal/blob"
	"plenary/internal/blob/pgblob"
	"plenary/internal/domain"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

var docNow = time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)

var docPDF = []byte("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n")

func docActor(t *testing.T, db *postgres.DB, email string) domain.Actor {
	t.Helper()
	acc, err := db.AccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := db.Actor(context.Background(), acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// docFiles is the files service over the test database's PostgreSQL blob store.
func docFiles(db *postgres.DB) *service.Files {
	return service.NewFiles(blob.NewStores(pgblob.New(db.Pool)), db, nil, 4)
}

// attach receives and stores a file as the site does before the document's transaction, for
// the account by (0: none).
func attach(t *testing.T, files *service.Files, name string, body []byte, by int64) *postgres.AttachedFile {
	t.Helper()
	u, err := files.Receive(bytes.NewReader(body), name, 10<<20)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer u.Close()
	if err := u.Check(10 << 20); err != nil {
		t.Errorf("%s: %v", name, err)
		return nil
	}
	rec, err := files.Stage(context.Background(), u, "documents", by)
	if err != nil {
		t.Error(err)
		return nil
	}
	return &postgres.AttachedFile{Key: rec.Key, Name: u.Name}
}

func docQuestion(t *testing.T, m *domain.MeetingDetail, n int) int64 {
	t.Helper()
	for _, q := range m.Questions {
		if q.Number == n {
			return q.ID
		}
	}
	t.Fatalf("no Q%d", n)
	return 0
}

// Numbers under concurrency: 100 contributions posted at once get 100 distinct, consecutive
// numbers, and the submissions refused on the way (a source that does not exist, found once the
// number is taken) take none and claim no file: their files stay pending, for the sweep.
func TestNumbersUnderConcurrentSubmissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	m := detail(t, db, letterSlug)
	focal := docActor(t, db, "focal.ms@plenary.test")
	req := domain.DocumentRequest{Type: domain.Contribution, Sources: []int64{focal.OrganisationID},
		QuestionIDs: []int64{docQuestion(t, m, 20)}}

	const n, refused = 100, 20
	files := docFiles(db)
	var wg sync.WaitGroup
	start := make(chan struct{})
	numbers := make(chan int, n)
	errs := make(chan error, n+refused)
	for i := 0; i < n+refused; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			r := req
			r.Title = fmt.Sprintf("Contribution %d", i)
			if i%6 == 5 {
				r.Sources = []int64{focal.OrganisationID, 1 << 40}
			}
			file := attach(t, files, "c.pdf", docPDF, focal.ID)
			d, err := db.PostDocument(ctx, postgres.Audit{ActorID: focal.ID}, focal, m.ID, r, file, docNow)
			if i%6 == 5 {
				if domain.ErrorCode(err) != domain.Invalid {
					errs <- fmt.Errorf("submission %d with a bad file: %v", i, err)
				}
				return
			}
			if err != nil {
				errs <- fmt.Errorf("submission %d: %w", i, err)
				return
			}
			numbers <- d.Number
		}(i)
	}
	close(start)
	wg.Wait()
	close(numbers)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var got []int
	for x := range numbers {
		got = append(got, x)
	}
	sort.Ints(got)
	if len(got) != n {
		t.Fatalf("%d numbers, want %d", len(got), n)
	}
	for i, x := range got {
		if x != i+1 {
			t.Fatalf("numbers %v…: want 1..%d, each once", got[:min(len(got), i+3)], n)
		}
	}
	var rows, last int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), max(number) FROM documents WHERE doc_type = 'C'`).Scan(&rows, &last); err != nil {
		t.Fatal(err)
	}
	var orphans, pending int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pending_until IS NULL AND NOT EXISTS (SELECT 1 FROM document_files f WHERE f.blob_key = b.key)),
			count(*) FILTER (WHERE pending_until IS NOT NULL) FROM blobs b`).Scan(&orphans, &pending); err != nil {
		t.Fatal(err)
	}
	if rows != n || last != n || orphans != 0 || pending != refused {
		t.Errorf("%d documents up to C%d, %d stored files belonging to none, %d pending; want %d, C%d, 0, %d", rows, last, orphans, pending, n, n, refused)
	}
	// Each type has its own sequence, and TDs share one across their series.
	sec := docActor(t, db, "secretariat@plenary.test")
	for i, suffix := range []string{"WP1", "GEN", "PLEN"} {
		d, err := db.PostDocument(ctx, postgres.Audit{}, sec, m.ID, domain.DocumentRequest{Type: domain.TemporaryDocument,
			Suffix: suffix, Title: "TD " + suffix, SourceText: "TSB"}, nil, docNow)
		if err != nil {
			t.Fatal(err)
		}
		if d.Number != i+1 || d.Label("SG13") != fmt.Sprintf("SG13-TD%d/%s", i+1, suffix) {
			t.Errorf("TD %s = %s", suffix, d.Label("SG13"))
		}
	}
}

// Numbers belong to the study group and its study period: a second meeting of the same period
// continues the sequence; a new period starts again at 1.
func TestNumbersFollowTheStudyPeriod(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	sec := docActor(t, db, "secretariat@plenary.test")
	letter := detail(t, db, letterSlug)
	id2, err := meetings(db).Copy(ctx, postgres.Audit{}, sec, letter.ID, "sg13-wp-2026-01", time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	post := func(meeting int64) string {
		t.Helper()
		d, err := db.PostDocument(ctx, postgres.Audit{}, sec, meeting, domain.DocumentRequest{Type: domain.Report, Title: "R", SourceText: "TSB"}, nil, docNow)
		if err != nil {
			t.Fatal(err)
		}
		return d.StudyPeriod + " " + d.Ref()
	}
	got := []string{post(letter.ID), post(id2), post(letter.ID)}
	if _, err := db.Pool.Exec(ctx, `UPDATE study_groups SET study_period = '2029-2032' WHERE id = $1`, letter.StudyGroupID); err != nil {
		t.Fatal(err)
	}
	got = append(got, post(id2))
	if strings.Join(got, "|") != "2025-2028 R1|2025-2028 R2|2025-2028 R3|2029-2032 R1" {
		t.Errorf("numbers = %v", got)
	}
}

// A revision keeps the number and every earlier file; the content reader serves any range.
func TestRevisionsKeepEveryFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	m := detail(t, db, letterSlug)
	focal := docActor(t, db, "focal.ms@plenary.test")
	req := domain.DocumentRequest{Type: domain.Contribution, Title: "Y.CNAO", Sources: []int64{focal.OrganisationID},
		QuestionIDs: []int64{docQuestion(t, m, 20)}}
	big := append(append([]byte{}, docPDF...), bytes.Repeat([]byte("0123456789"), 250_000)...) // 2.5 MB: three chunks
	files := docFiles(db)
	d, err := db.PostDocument(ctx, postgres.Audit{}, focal, m.ID, req, attach(t, files, "c.pdf", big, 0), docNow)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		body := append(append([]byte{}, docPDF...), fmt.Sprintf("revision %d", i)...)
		r, err := db.ReviseDocument(ctx, postgres.Audit{}, focal, d.ID, *attach(t, files, fmt.Sprintf("c-rev%d.pdf", i), body, 0), docNow)
		if err != nil {
			t.Fatal(err)
		}
		if r.Number != d.Number || r.Revision != i {
			t.Errorf("revision %d: number %d revision %d", i, r.Number, r.Revision)
		}
	}
	dd, err := db.Document(ctx, m.ID, domain.Contribution, d.Number)
	if err != nil {
		t.Fatal(err)
	}
	if len(dd.Files) != 3 || dd.Files[0].FileName != "c.pdf" || dd.Files[2].FileName != "c-rev2.pdf" || dd.Revision != 2 {
		t.Fatalf("files %+v, revision %d", dd.Files, dd.Revision)
	}
	f, err := db.DocumentFile(ctx, focal, m.ID, domain.Contribution, d.Number, 0)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := files.Open(ctx, f.Backend, f.BlobKey, f.FileSize)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for _, c := range []struct{ off, n int }{{0, 10}, {pgblob.ChunkSize - 3, 7}, {2*pgblob.ChunkSize + 5, 100}, {len(big) - 4, 4}, {17, 2 * pgblob.ChunkSize}} {
		if _, err := rd.Seek(int64(c.off), io.SeekStart); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, c.n)
		if _, err := io.ReadFull(rd, buf); err != nil {
			t.Fatalf("read %d bytes at %d: %v", c.n, c.off, err)
		}
		if !bytes.Equal(buf, big[c.off:c.off+c.n]) {
			t.Errorf("bytes at %d differ", c.off)
		}
	}
	if _, err := rd.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	if _, err := io.Copy(&all, rd); err != nil || !bytes.Equal(all.Bytes(), big) {
		t.Errorf("read whole: %v, %d bytes", err, all.Len())
	}
	// Another member may not revise it; nor anyone once it is withdrawn.
	other := docActor(t, db, "focal.sm@plenary.test")
	if err := db.CheckRevise(ctx, other, d.ID, docNow); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("another organisation's focal point may revise: %v", err)
	}
	if _, err := db.ReviseDocument(ctx, postgres.Audit{}, other, d.ID, *attach(t, files, "x.pdf", docPDF, 0), docNow); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("another organisation's focal point revises: %v", err)
	}
	sec := docActor(t, db, "secretariat@plenary.test")
	if err := db.WithdrawDocument(ctx, postgres.Audit{}, sec, d.ID, docNow); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReviseDocument(ctx, postgres.Audit{}, focal, d.ID, *attach(t, files, "x.pdf", docPDF, 0), docNow); domain.ErrorCode(err) != domain.Conflict {
		t.Errorf("revising a withdrawn document: %v", err)
	}
	trail, err := db.AuditTrail(ctx, "document", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "document.post,document.revise,document.revise,document.withdraw" {
		t.Errorf("audit trail = %v", actions)
	}
}

// The store itself refuses a document's file to anyone the domain does not let read it.
func TestDocumentFileChecksTheReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	m := detail(t, db, letterSlug)
	focal := docActor(t, db, "focal.ms@plenary.test")
	req := domain.DocumentRequest{Type: domain.Contribution, Title: "Y.CNAO", Sources: []int64{focal.OrganisationID},
		QuestionIDs: []int64{docQuestion(t, m, 20)}}
	d, err := db.PostDocument(ctx, postgres.Audit{}, focal, m.ID, req, attach(t, docFiles(db), "c.pdf", docPDF, 0), docNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DocumentFile(ctx, domain.Visitor, m.ID, domain.Contribution, d.Number, -1); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a visitor reads the file: %v, want Forbidden", err)
	}
	if _, err := db.ArchiveDocuments(ctx, domain.Visitor, m.StudyGroupID, postgres.DocumentFilter{MeetingID: m.ID}); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a visitor lists the archive: %v, want Forbidden", err)
	}
	if _, err := db.DocumentFile(ctx, focal, m.ID, domain.Contribution, d.Number, -1); err != nil {
		t.Errorf("the focal point reads the file: %v", err)
	}
}
