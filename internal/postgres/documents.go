package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"plenary/internal/blob"
	"plenary/internal/domain"
	"plenary/internal/service"
)

const documentColumns = `d.id, d.meeting_id, d.study_group_id, d.study_period, d.doc_type, d.number,
	COALESCE(d.td_suffix, '') AS td_suffix, COALESCE(d.ls_direction, '') AS ls_direction, COALESCE(d.ls_purpose, '') AS ls_purpose,
	d.title, d.source_text, d.working_party_id, d.agenda_item_id, d.work_item_id, d.state, d.late, d.no_translation,
	d.revision, d.submitted_by, d.submitted_at, d.updated_at`

const fileColumns = `COALESCE(f.id, 0) AS file_id, COALESCE(f.revision, 0) AS file_revision, COALESCE(f.file_name, '') AS file_name,
	COALESCE(f.content_type, '') AS content_type, COALESCE(b.size, 0) AS file_size, COALESCE(b.sha256, '') AS sha256,
	COALESCE(b.crc32, 0) AS crc32, COALESCE(f.late, false) AS file_late, COALESCE(f.uploaded_at, d.submitted_at) AS uploaded_at,
	COALESCE(b.key, '') AS blob_key, COALESCE(b.backend, '') AS backend`

// documentLineSelect reads documents with their latest file and the names a list shows.
const documentLineSelect = `SELECT ` + documentColumns + `, ` + fileColumns + `, g.code AS sg_code, COALESCE(w.code, '') AS wp_code,
		COALESCE((SELECT string_agg(o.name, '; ' ORDER BY s.position) FROM document_sources s
			JOIN organisations o ON o.id = s.organisation_id WHERE s.document_id = d.id), '') AS source_names,
		COALESCE((SELECT array_agg(q.code ORDER BY q.number) FROM document_questions dq
			JOIN questions q ON q.id = dq.question_id WHERE dq.document_id = d.id), '{}') AS question_codes
	FROM documents d
	JOIN study_groups g ON g.id = d.study_group_id
	LEFT JOIN working_parties w ON w.id = d.working_party_id
	LEFT JOIN document_files f ON f.document_id = d.id AND f.revision = d.revision
	LEFT JOIN blobs b ON b.key = f.blob_key`

// The read models of the documents are the domain's (domain/document_list.go).
type (
	DocumentLine   = domain.DocumentLine
	DocumentDetail = domain.DocumentDetail
	DocumentSort   = domain.DocumentSort
	DocumentFilter = domain.DocumentFilter
	DocumentPage   = domain.DocumentPage
	AttachedFile   = domain.AttachedFile
)

var _ service.DocumentStore = (*DB)(nil)

// The orders of the list.
const (
	SortByNumber = domain.SortByNumber
	SortByDate   = domain.SortByDate
	SortByTitle  = domain.SortByTitle
)

// queueAgendaDocuments adds to a meeting's batch the documents linked to its agenda.
func queueAgendaDocuments(b *pgx.Batch, d *domain.MeetingDetail) {
	b.Queue(`SELECT id, doc_type, number, COALESCE(td_suffix, '') AS td_suffix, revision, title, state, agenda_item_id, work_item_id
			FROM documents WHERE meeting_id = $1 AND state <> 'withdrawn' AND (agenda_item_id IS NOT NULL OR work_item_id IS NOT NULL)
			ORDER BY array_position(ARRAY['C','TD','LS','R'], doc_type), number`, d.ID).
		Query(func(rows pgx.Rows) (err error) {
			d.AgendaDocuments, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.AgendaDocument])
			return err
		})
}

// CheckDocument checks a new document's request as PostDocument would, without posting it, so
// that a form refused for its file also names the other fields' problems.
func (db *DB) CheckDocument(ctx context.Context, actor domain.Actor, meetingID int64, req domain.DocumentRequest, withFile bool, now time.Time) error {
	m, err := db.MeetingDetailByID(ctx, meetingID)
	if err != nil {
		return err
	}
	mem, err := db.Membership(ctx, actor)
	if err != nil {
		return err
	}
	_, err = domain.NewDocument(domain.DocumentContext{Actor: actor, Membership: mem, Meeting: m, Now: now}, req, withFile)
	return err
}

// PostDocument gives a new document its number and records it, with its file (if any), in one
// short transaction: the file was received and stored before, and the transaction claims it, so
// that numbers come in sequence with no gap and a refused document takes none. Field errors come
// back as one *domain.Error.
func (db *DB) PostDocument(ctx context.Context, a Audit, actor domain.Actor, meetingID int64, req domain.DocumentRequest, file *AttachedFile, now time.Time) (domain.Document, error) {
	m, err := db.MeetingDetailByID(ctx, meetingID)
	if err != nil {
		return domain.Document{}, err
	}
	mem, err := db.Membership(ctx, actor)
	if err != nil {
		return domain.Document{}, err
	}
	c := domain.DocumentContext{Actor: actor, Membership: mem, Meeting: m, Now: now}
	req.Sources = uniqueIDs(req.Sources)
	req.QuestionIDs = uniqueIDs(req.QuestionIDs)
	d, err := domain.NewDocument(c, req, file != nil)
	if err != nil {
		return d, err
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		var content blob.Record
		if file != nil {
			if content, err = claimBlob(ctx, tx, file.Key); err != nil {
				return err
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO document_counters (study_group_id, study_period, doc_type, last_number)
			VALUES ($1, $2, $3, 1)
			ON CONFLICT (study_group_id, study_period, doc_type) DO UPDATE SET last_number = document_counters.last_number + 1
			RETURNING last_number`, d.StudyGroupID, d.StudyPeriod, string(d.Type)).Scan(&d.Number)
		if err != nil {
			return fmt.Errorf("postgres: number document: %w", err)
		}
		err = tx.QueryRow(ctx, `INSERT INTO documents (meeting_id, study_group_id, study_period, doc_type, number, td_suffix,
				ls_direction, ls_purpose, title, source_text, working_party_id, agenda_item_id, work_item_id, state, late,
				no_translation, revision, submitted_by, submitted_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7, ''), NULLIF($8, ''), $9, $10, $11, $12, $13, $14, $15, $16, 0, $17, $18, $18)
			RETURNING id`,
			d.MeetingID, d.StudyGroupID, d.StudyPeriod, string(d.Type), d.Number, d.Suffix, d.LSDirection, d.LSPurpose,
			d.Title, d.SourceText, d.WorkingPartyID, d.AgendaItemID, d.WorkItemID, string(d.State), d.Late, d.NoTranslation,
			d.SubmittedBy, now).Scan(&d.ID)
		if err != nil {
			return documentError(err)
		}
		if err := setDocumentLinks(ctx, tx, d.ID, req); err != nil {
			return err
		}
		if file != nil {
			if err := insertFile(ctx, tx, d.ID, 0, content.Key, file.Name, d.Late, actor.ID, now); err != nil {
				return err
			}
		}
		if err := bumpMeeting(ctx, tx, d.MeetingID); err != nil {
			return err
		}
		detail := map[string]any{"number": d.Label(m.StudyGroup.Code), "state": d.State, "late": d.Late, "meeting_id": d.MeetingID}
		if file != nil {
			detail["file"] = file.Name
			detail["size"] = content.Size
			detail["sha256"] = content.SHA256
		}
		return audit(ctx, tx, a, "document.post", "document", d.ID, detail)
	})
	if err != nil {
		return domain.Document{}, err
	}
	return d, nil
}

func insertFile(ctx context.Context, tx pgx.Tx, docID int64, rev int, key, name string, late bool, by int64, now time.Time) error {
	kind, _ := domain.KindOf(name)
	_, err := tx.Exec(ctx, `INSERT INTO document_files (document_id, revision, blob_key, file_name, content_type, late, uploaded_by, uploaded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, docID, rev, key, name, kind.ContentType, late, by, now)
	if isUniqueViolation(err, "") {
		return domain.Errorf(domain.Conflict, "error.doc_revision_taken")
	}
	if err != nil {
		return fmt.Errorf("postgres: store file: %w", err)
	}
	return nil
}

// setDocumentLinks replaces a document's source organisations and Questions.
func setDocumentLinks(ctx context.Context, tx pgx.Tx, id int64, req domain.DocumentRequest) error {
	if _, err := tx.Exec(ctx, `DELETE FROM document_sources WHERE document_id = $1`, id); err != nil {
		return fmt.Errorf("postgres: document sources: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM document_questions WHERE document_id = $1`, id); err != nil {
		return fmt.Errorf("postgres: document questions: %w", err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO document_sources (document_id, organisation_id, position)
		SELECT $1, u.o, u.i FROM unnest($2::bigint[]) WITH ORDINALITY AS u(o, i)`, id, uniqueIDs(req.Sources))
	if err != nil {
		if isForeignKeyViolation(err, "") {
			return domain.FieldErrors(map[string]string{"sources": "error.doc_source_unknown"})
		}
		return fmt.Errorf("postgres: document sources: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO document_questions (document_id, question_id) SELECT $1, q FROM unnest($2::bigint[]) AS q`,
		id, uniqueIDs(req.QuestionIDs))
	if err != nil {
		if isForeignKeyViolation(err, "") {
			return domain.FieldErrors(map[string]string{"questions": "error.doc_question_unknown"})
		}
		return fmt.Errorf("postgres: document questions: %w", err)
	}
	return nil
}

// documentError maps a constraint of the documents table to a message beside the field.
func documentError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		switch {
		case strings.Contains(pe.ConstraintName, "agenda_item"):
			return domain.FieldErrors(map[string]string{"agenda_item": "error.doc_agenda_item_unknown"})
		case strings.Contains(pe.ConstraintName, "work_item"):
			return domain.FieldErrors(map[string]string{"work_item": "error.doc_work_item_unknown"})
		case strings.Contains(pe.ConstraintName, "working_party"):
			return domain.FieldErrors(map[string]string{"working_party": "error.doc_wp_unknown"})
		}
	}
	return fmt.Errorf("postgres: store document: %w", err)
}

func uniqueIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	seen := map[int64]bool{}
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Document returns the document of a meeting with the given type and number.
func (db *DB) Document(ctx context.Context, meetingID int64, t domain.DocType, n int) (*DocumentDetail, error) {
	rows, _ := db.Pool.Query(ctx, documentLineSelect+` WHERE d.meeting_id = $1 AND d.doc_type = $2 AND d.number = $3`, meetingID, string(t), n)
	line, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[DocumentLine])
	if err != nil {
		return nil, notFound(err, "error.doc_not_found")
	}
	dd := &DocumentDetail{DocumentLine: line}
	b := &pgx.Batch{}
	b.Queue(`SELECT organisation_id FROM document_sources WHERE document_id = $1 ORDER BY position`, line.ID).
		Query(func(rows pgx.Rows) (err error) {
			dd.Sources, err = pgx.CollectRows(rows, pgx.RowTo[int64])
			return err
		})
	b.Queue(`SELECT `+fileColumns+` FROM document_files f JOIN blobs b ON b.key = f.blob_key
			JOIN documents d ON d.id = f.document_id WHERE f.document_id = $1 ORDER BY f.revision`, line.ID).
		Query(func(rows pgx.Rows) (err error) {
			dd.Files, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.DocumentFile])
			return err
		})
	b.Queue(`SELECT COALESCE((SELECT display_name FROM accounts WHERE id = $1), '')`, line.SubmittedBy).
		QueryRow(func(row pgx.Row) error { return row.Scan(&dd.SubmitterName) })
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("postgres: document: %w", err)
	}
	return dd, nil
}

// queryer is a pool or a transaction.
type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// lockDocument reads a document for update.
func lockDocument(ctx context.Context, tx pgx.Tx, id int64) (domain.Document, []int64, error) {
	return readDocument(ctx, tx, id, " FOR UPDATE")
}

// readDocument reads a document and its source organisations.
func readDocument(ctx context.Context, q queryer, id int64, lock string) (domain.Document, []int64, error) {
	rows, _ := q.Query(ctx, `SELECT `+documentColumns+` FROM documents d WHERE d.id = $1`+lock, id)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Document])
	if err != nil {
		return d, nil, notFound(err, "error.doc_not_found")
	}
	rows, _ = q.Query(ctx, `SELECT organisation_id FROM document_sources WHERE document_id = $1 ORDER BY position`, id)
	sources, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return d, nil, fmt.Errorf("postgres: document sources: %w", err)
	}
	return d, sources, nil
}

// CheckRevise says whether actor may post a new revision of a document now, before any file is
// received; the transaction of ReviseDocument checks again.
func (db *DB) CheckRevise(ctx context.Context, actor domain.Actor, docID int64, now time.Time) error {
	d, sources, err := readDocument(ctx, db.Pool, docID, "")
	if err != nil {
		return err
	}
	m, err := db.MeetingDetailByID(ctx, d.MeetingID)
	if err != nil {
		return err
	}
	mem, err := db.Membership(ctx, actor)
	if err != nil {
		return err
	}
	_, _, err = domain.Revise(actor, domain.AccessToDocuments(actor, mem, m.StudyGroupID), m, d, sources, now)
	return err
}

// ReviseDocument records a new revision of a document (or the first file of a registered one),
// keeping its number and every earlier file, in one short transaction that claims the file
// received and stored before.
func (db *DB) ReviseDocument(ctx context.Context, a Audit, actor domain.Actor, docID int64, file AttachedFile, now time.Time) (domain.Document, error) {
	d, _, err := readDocument(ctx, db.Pool, docID, "")
	if err != nil {
		return d, err
	}
	m, err := db.MeetingDetailByID(ctx, d.MeetingID)
	if err != nil {
		return d, err
	}
	mem, err := db.Membership(ctx, actor)
	if err != nil {
		return d, err
	}
	acc := domain.AccessToDocuments(actor, mem, m.StudyGroupID)
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		cur, sources, err := lockDocument(ctx, tx, docID)
		if err != nil {
			return err
		}
		next, late, err := domain.Revise(actor, acc, m, cur, sources, now)
		if err != nil {
			return err
		}
		content, err := claimBlob(ctx, tx, file.Key)
		if err != nil {
			return err
		}
		if err := insertFile(ctx, tx, docID, next.Revision, content.Key, file.Name, late, actor.ID, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET state = $2, revision = $3, late = $5, no_translation = $6, updated_at = $4 WHERE id = $1`,
			docID, string(next.State), next.Revision, now, next.Late, next.NoTranslation); err != nil {
			return fmt.Errorf("postgres: revise document: %w", err)
		}
		if err := bumpMeeting(ctx, tx, next.MeetingID); err != nil {
			return err
		}
		d = next
		return audit(ctx, tx, a, "document.revise", "document", docID, map[string]any{
			"revision": next.Revision, "file": file.Name, "size": content.Size, "sha256": content.SHA256, "late": late})
	})
	return d, err
}

// UpdateDocument changes a document's details (the secretariat's edit); its type and number stay.
func (db *DB) UpdateDocument(ctx context.Context, a Audit, actor domain.Actor, docID int64, req domain.DocumentRequest, now time.Time) error {
	if !actor.Can(domain.ManageDocuments) {
		return domain.Errorf(domain.Forbidden, "error.doc_edit_forbidden")
	}
	var meetingID int64
	if err := db.Pool.QueryRow(ctx, `SELECT meeting_id FROM documents WHERE id = $1`, docID).Scan(&meetingID); err != nil {
		return notFound(err, "error.doc_not_found")
	}
	m, err := db.MeetingDetailByID(ctx, meetingID)
	if err != nil {
		return err
	}
	req.Sources = uniqueIDs(req.Sources)
	req.QuestionIDs = uniqueIDs(req.QuestionIDs)
	return db.inTx(ctx, func(tx pgx.Tx) error {
		d, _, err := lockDocument(ctx, tx, docID)
		if err != nil {
			return err
		}
		d, err = domain.EditDocument(actor, m, d, req, now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE documents SET td_suffix = NULLIF($2, ''), ls_direction = NULLIF($3, ''), ls_purpose = NULLIF($4, ''),
				title = $5, source_text = $6, working_party_id = $7, agenda_item_id = $8, work_item_id = $9, updated_at = $10
			WHERE id = $1`, docID, d.Suffix, d.LSDirection, d.LSPurpose, d.Title, d.SourceText, d.WorkingPartyID,
			d.AgendaItemID, d.WorkItemID, now)
		if err != nil {
			return documentError(err)
		}
		if err := setDocumentLinks(ctx, tx, docID, req); err != nil {
			return err
		}
		if err := bumpMeeting(ctx, tx, d.MeetingID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "document.edit", "document", docID, map[string]any{"title": d.Title,
			"agenda_item_id": d.AgendaItemID, "work_item_id": d.WorkItemID})
	})
}

// WithdrawDocument withdraws a document: its number stays taken and its files stay.
func (db *DB) WithdrawDocument(ctx context.Context, a Audit, actor domain.Actor, docID int64, now time.Time) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		d, _, err := lockDocument(ctx, tx, docID)
		if err != nil {
			return err
		}
		d, err = domain.Withdraw(actor, d, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET state = 'withdrawn', updated_at = $2 WHERE id = $1`, docID, now); err != nil {
			return fmt.Errorf("postgres: withdraw document: %w", err)
		}
		if err := bumpMeeting(ctx, tx, d.MeetingID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "document.withdraw", "document", docID, nil)
	})
}

func filterWhere(f DocumentFilter) (string, []any) {
	conds := []string{"d.meeting_id = $1"}
	args := []any{f.MeetingID}
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if f.Type != "" {
		add("d.doc_type = $?", string(f.Type))
	}
	if f.WorkingPartyID != 0 {
		add("d.working_party_id = $?", f.WorkingPartyID)
	}
	if f.QuestionID != 0 {
		add("EXISTS (SELECT 1 FROM document_questions dq WHERE dq.document_id = d.id AND dq.question_id = $?)", f.QuestionID)
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		add(`d.title ILIKE '%' || $? || '%'`, escapeLike(s))
	}
	if f.WithFileOnly {
		conds = append(conds, "d.state = 'posted'")
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func filterOrder(f DocumentFilter) string {
	switch f.Sort {
	case SortByDate:
		return " ORDER BY d.submitted_at DESC, d.id DESC"
	case SortByTitle:
		return " ORDER BY lower(d.title), d.id"
	}
	return " ORDER BY array_position(ARRAY['C','TD','LS','R'], d.doc_type), d.number"
}

// Documents lists a meeting's documents, one page of them, with how many match in all.
func (db *DB) Documents(ctx context.Context, f DocumentFilter) (DocumentPage, error) {
	where, args := filterWhere(f)
	if f.Page < 1 {
		f.Page = 1
	}
	page := DocumentPage{Page: f.Page, PerPage: f.PerPage}
	// The page's rows are chosen first, on the documents alone, so that the names and files are
	// looked up for those rows only, however far the page is.
	limit := ""
	if f.PerPage > 0 {
		limit = fmt.Sprintf(" LIMIT %d OFFSET %d", f.PerPage, (f.Page-1)*f.PerPage)
	}
	q := `WITH page AS (SELECT d.id FROM documents d` + where + filterOrder(f) + limit + `) ` +
		strings.Replace(documentLineSelect, "FROM documents d", "FROM page JOIN documents d ON d.id = page.id", 1) + filterOrder(f)
	b := &pgx.Batch{}
	b.Queue(`SELECT count(*) FROM documents d`+where, args...).QueryRow(func(row pgx.Row) error { return row.Scan(&page.Total) })
	b.Queue(q, args...).Query(func(rows pgx.Rows) (err error) {
		page.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[DocumentLine])
		return err
	})
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return page, fmt.Errorf("postgres: documents: %w", err)
	}
	return page, nil
}

// DocumentFile returns the file of a document's revision; rev < 0 means the latest.
func (db *DB) DocumentFile(ctx context.Context, actor domain.Actor, meetingID int64, t domain.DocType, n, rev int) (DocumentLine, error) {
	q := documentLineSelect + ` WHERE d.meeting_id = $1 AND d.doc_type = $2 AND d.number = $3`
	args := []any{meetingID, string(t), n}
	if rev >= 0 {
		// The same columns, but the file of the revision asked for.
		q = strings.Replace(q, "f.revision = d.revision", "f.revision = $4", 1)
		args = append(args, rev)
	}
	rows, _ := db.Pool.Query(ctx, q, args...)
	line, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[DocumentLine])
	if err != nil {
		return line, notFound(err, "error.doc_not_found")
	}
	if err := db.readAccess(ctx, actor, line.StudyGroupID); err != nil {
		return DocumentLine{}, err
	}
	if !line.HasFile() {
		return line, domain.Errorf(domain.NotFound, "error.doc_file_not_found")
	}
	return line, nil
}

// ArchiveDocuments lists the documents of f with a file, for the archive of every file, after
// checking that actor may read them.
func (db *DB) ArchiveDocuments(ctx context.Context, actor domain.Actor, studyGroupID int64, f DocumentFilter) (DocumentPage, error) {
	if err := db.readAccess(ctx, actor, studyGroupID); err != nil {
		return DocumentPage{}, err
	}
	f.PerPage, f.Page, f.WithFileOnly = 0, 1, true
	return db.Documents(ctx, f)
}

// readAccess refuses actor the files of a study group's documents unless the domain's
// AccessToDocuments lets them read (confirmed members, focal points, the secretariat).
func (db *DB) readAccess(ctx context.Context, actor domain.Actor, studyGroupID int64) error {
	mem, err := db.Membership(ctx, actor)
	if err != nil {
		return err
	}
	if acc := domain.AccessToDocuments(actor, mem, studyGroupID); !acc.Read {
		key := acc.Reason
		if key == "" {
			key = "error.forbidden"
		}
		return domain.Errorf(domain.Forbidden, key)
	}
	return nil
}
