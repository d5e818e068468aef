package domain

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DocType is the type of a meeting document; its value is the letters of the document's number
// (SG13-C12, SG13-TD45/WP1, SG13-LS3, SG13-R2).
type DocType string

// The document types.
const (
	Contribution      DocType = "C"
	TemporaryDocument DocType = "TD"
	LiaisonStatement  DocType = "LS"
	Report            DocType = "R"
)

// DocTypes lists the types in the order the list of documents shows them.
var DocTypes = []DocType{Contribution, TemporaryDocument, LiaisonStatement, Report}

// Valid reports whether t is a known type.
func (t DocType) Valid() bool {
	return t == Contribution || t == TemporaryDocument || t == LiaisonStatement || t == Report
}

// DocState is where a document stands: registered (numbered, no file yet), posted, withdrawn.
type DocState string

// The document states.
const (
	DocRegistered DocState = "registered"
	DocPosted     DocState = "posted"
	DocWithdrawn  DocState = "withdrawn"
)

// The TD suffixes besides the working parties' (WP1 …).
const (
	SuffixGeneral = "GEN"
	SuffixPlenary = "PLEN"
)

// The directions and purposes of a liaison statement.
const (
	Incoming       = "incoming"
	Outgoing       = "outgoing"
	ForAction      = "action"
	ForInformation = "information"
)

// Document is a numbered document of a meeting: a contribution, a TD, a liaison statement or a
// report. Its number belongs to the study group's study period and never changes; revisions keep
// it.
type Document struct {
	ID             int64     `db:"id"`
	MeetingID      int64     `db:"meeting_id"`
	StudyGroupID   int64     `db:"study_group_id"`
	StudyPeriod    string    `db:"study_period"`
	Type           DocType   `db:"doc_type"`
	Number         int       `db:"number"`
	Suffix         string    `db:"td_suffix"`
	LSDirection    string    `db:"ls_direction"`
	LSPurpose      string    `db:"ls_purpose"`
	Title          string    `db:"title"`
	SourceText     string    `db:"source_text"`
	WorkingPartyID *int64    `db:"working_party_id"`
	AgendaItemID   *int64    `db:"agenda_item_id"`
	WorkItemID     *int64    `db:"work_item_id"`
	State          DocState  `db:"state"`
	Late           bool      `db:"late"`
	NoTranslation  bool      `db:"no_translation"`
	Revision       int       `db:"revision"`
	SubmittedBy    *int64    `db:"submitted_by"`
	SubmittedAt    time.Time `db:"submitted_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

// Ref is the document's short name in URLs: "C12", "TD45", "LS3".
func (d Document) Ref() string { return DocRef(d.Type, d.Number) }

// Label is the document's full number: "SG13-TD45/WP1".
func (d Document) Label(sgCode string) string { return DocLabel(sgCode, d.Type, d.Number, d.Suffix) }

// DocRef is the short name of a document in URLs: "C12".
func DocRef(t DocType, n int) string { return string(t) + strconv.Itoa(n) }

// DocLabel is a document's full number: "SG13-C12", "SG13-TD45/WP1".
func DocLabel(sgCode string, t DocType, n int, suffix string) string {
	s := sgCode + "-" + DocRef(t, n)
	if suffix != "" {
		s += "/" + suffix
	}
	return s
}

// RevisionLabel names a revision: "" for the original, "Rev.1" …
func RevisionLabel(rev int) string {
	if rev <= 0 {
		return ""
	}
	return "Rev." + strconv.Itoa(rev)
}

// ParseDocRef reads a short name ("C12", "td45"); ok is false for anything else.
func ParseDocRef(s string) (DocType, int, bool) {
	s = strings.ToUpper(s)
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	t := DocType(s[:i])
	if !t.Valid() || i == len(s) || s[i] < '1' || s[i] > '9' {
		return "", 0, false
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil {
		return "", 0, false
	}
	return t, n, true
}

// Membership is what the document rules need to know of an account's affiliation: its
// organisation and whether the affiliation is confirmed.
type Membership struct {
	Organisation *Organisation
	// Confirmed is true when a focal point of the organisation confirmed the affiliation (on the
	// members page or by approving a registration), when the organisation approves automatically,
	// or when the account is a focal point of it; the secretariat needs no confirmation.
	Confirmed bool
}

// DocumentAccess says what an actor may do with a meeting's documents, and when not, why (a
// catalogue key).
type DocumentAccess struct {
	// Read is the right to download files.
	Read bool
	// Submit is the right to post contributions.
	Submit bool
	// Secretariat may post every type, edit, link and withdraw.
	Secretariat bool
	Reason      string
}

// AccessToDocuments decides what an actor may do with the documents of a meeting of study group
// sg. The documents are for the members of the sector only (the letter: "available only to ITU-T
// members"): a confirmed delegate of an organisation that may take part in the study group's
// meetings — a Member State, a Sector Member, an Academia member, an Associate of that study
// group, and also an observer such as the State of Palestine under Resolution 99, which the
// letter invites and which takes part in the work with the right to submit contributions. An
// organisation of kind "other" has no access: its delegates come through the secretariat.
func AccessToDocuments(a Actor, m Membership, sg int64) DocumentAccess {
	switch {
	case a.Can(ManageDocuments):
		return DocumentAccess{Read: true, Submit: true, Secretariat: true}
	case !a.SignedIn():
		return DocumentAccess{Reason: "doc.access_sign_in"}
	case m.Organisation == nil:
		return DocumentAccess{Reason: "doc.access_no_organisation"}
	case !MayTakePart(*m.Organisation, sg):
		return DocumentAccess{Reason: "doc.access_not_member"}
	case !m.Confirmed && !a.IsFocalPointOf(m.Organisation.ID):
		return DocumentAccess{Reason: "doc.access_unconfirmed"}
	}
	return DocumentAccess{Read: true, Submit: true}
}

// CanConfirmMember reports whether actor may confirm (or withdraw the confirmation of) an
// account's affiliation to org: a focal point of org, or the secretariat.
func CanConfirmMember(a Actor, org int64) bool {
	return a.CanFor(ConfirmMembers, org)
}

// MaxTitle and MaxSourceText bound a document's title and free-text source, in characters.
const (
	MaxTitle      = 400
	MaxSourceText = 200
)

// DocumentRequest is what the form of a new document (or of a document's details) asks for.
type DocumentRequest struct {
	Type        DocType
	Suffix      string
	LSDirection string
	LSPurpose   string
	Title       string
	// Sources are organisation ids, in order; SourceText is a source that is not one.
	Sources        []int64
	SourceText     string
	QuestionIDs    []int64
	WorkingPartyID *int64
	AgendaItemID   *int64
	WorkItemID     *int64
}

// DocumentContext is what the rules need to know about a document being posted.
type DocumentContext struct {
	Actor      Actor
	Membership Membership
	Meeting    *MeetingDetail
	Now        time.Time
}

// NewDocument checks a new document against every rule and returns it (without its number, which
// the store gives). withFile says whether a file comes with it: a member's contribution needs
// one; the secretariat may register a number first and post the file later. A contribution posted
// after the contributions deadline is late (not refused), and after the deadline of contributions
// needing translation it is not translated.
func NewDocument(c DocumentContext, req DocumentRequest, withFile bool) (Document, error) {
	acc := AccessToDocuments(c.Actor, c.Membership, c.Meeting.StudyGroupID)
	if !acc.Submit {
		return Document{}, Errorf(Forbidden, acc.Reason)
	}
	if !acc.Secretariat && req.Type != Contribution {
		return Document{}, Errorf(Forbidden, "error.doc_type_secretariat")
	}
	fields := checkDocument(c, req, acc.Secretariat)
	if !withFile && !acc.Secretariat {
		fields["file"] = "error.doc_file_required"
	}
	if len(fields) > 0 {
		return Document{}, FieldErrors(fields)
	}
	d := Document{
		MeetingID: c.Meeting.ID, StudyGroupID: c.Meeting.StudyGroupID, StudyPeriod: c.Meeting.StudyGroup.StudyPeriod,
		Type: req.Type, State: DocRegistered, SubmittedAt: c.Now, UpdatedAt: c.Now,
		SubmittedBy: &c.Actor.ID,
	}
	applyRequest(&d, c.Meeting, req)
	if withFile {
		d.State = DocPosted
	}
	if withFile {
		flagPosting(&d, c.Meeting, c.Now)
	}
	return d, nil
}

// flagPosting marks a contribution whose text is posted at now: late after the contributions
// deadline, not for translation after the translation deadline. A number registered without a
// file is flagged when its file is posted.
func flagPosting(d *Document, m *MeetingDetail, now time.Time) {
	if d.Type != Contribution {
		return
	}
	loc := m.Location()
	d.Late = m.Deadline(Contributions).Passed(now, loc)
	d.NoTranslation = m.Deadline(ContributionsForTranslation).Passed(now, loc)
}

// EditDocument changes a document's details: the secretariat only. The type and number never
// change.
func EditDocument(a Actor, m *MeetingDetail, d Document, req DocumentRequest, now time.Time) (Document, error) {
	if !a.Can(ManageDocuments) {
		return d, Errorf(Forbidden, "error.doc_edit_forbidden")
	}
	req.Type = d.Type
	if fields := checkDocument(DocumentContext{Actor: a, Meeting: m, Now: now}, req, true); len(fields) > 0 {
		return d, FieldErrors(fields)
	}
	applyRequest(&d, m, req)
	d.UpdatedAt = now
	return d, nil
}

// Withdraw withdraws a document: the secretariat only. Its number stays taken and its files stay.
func Withdraw(a Actor, d Document, now time.Time) (Document, error) {
	if !a.Can(ManageDocuments) {
		return d, Errorf(Forbidden, "error.doc_withdraw_forbidden")
	}
	if d.State == DocWithdrawn {
		return d, Errorf(Conflict, "error.doc_withdrawn")
	}
	d.State = DocWithdrawn
	d.UpdatedAt = now
	return d, nil
}

// CanRevise reports whether actor may post a new revision of d (or its first file): the
// secretariat, or — for a contribution — its submitter or a focal point of one of its source
// organisations, while they have access to the documents.
func CanRevise(a Actor, acc DocumentAccess, d Document, sources []int64) bool {
	if acc.Secretariat {
		return true
	}
	if !acc.Submit || d.Type != Contribution {
		return false
	}
	if d.SubmittedBy != nil && *d.SubmittedBy == a.ID {
		return true
	}
	for _, o := range sources {
		if a.IsFocalPointOf(o) {
			return true
		}
	}
	return false
}

// Revise checks a new file for d and returns the document after it: the first file of a
// registered document is its original (revision 0), every later one the next revision. A
// contribution's revision posted after the contributions deadline is late.
func Revise(a Actor, acc DocumentAccess, m *MeetingDetail, d Document, sources []int64, now time.Time) (Document, bool, error) {
	if !CanRevise(a, acc, d, sources) {
		return d, false, Errorf(Forbidden, "error.doc_revise_forbidden")
	}
	if d.State == DocWithdrawn {
		return d, false, Errorf(Conflict, "error.doc_withdrawn")
	}
	if d.State == DocRegistered {
		d.State = DocPosted
		d.Revision = 0
		flagPosting(&d, m, now)
	} else {
		d.Revision++
	}
	d.UpdatedAt = now
	late := d.Type == Contribution && m.Deadline(Contributions).Passed(now, m.Location())
	return d, late, nil
}

func applyRequest(d *Document, m *MeetingDetail, req DocumentRequest) {
	d.Title = strings.TrimSpace(req.Title)
	d.SourceText = strings.TrimSpace(req.SourceText)
	d.Suffix, d.LSDirection, d.LSPurpose = "", "", ""
	switch req.Type {
	case TemporaryDocument:
		d.Suffix = strings.ToUpper(req.Suffix)
	case LiaisonStatement:
		d.LSDirection, d.LSPurpose = req.LSDirection, req.LSPurpose
	}
	d.WorkingPartyID = req.WorkingPartyID
	if wp, ok := suffixWorkingParty(m, d.Suffix); ok {
		d.WorkingPartyID = &wp.ID
	}
	if d.WorkingPartyID == nil {
		d.WorkingPartyID = onlyWorkingPartyOf(m, req.QuestionIDs)
	}
	d.AgendaItemID, d.WorkItemID = req.AgendaItemID, req.WorkItemID
}

// checkDocument returns the field errors of a request.
func checkDocument(c DocumentContext, req DocumentRequest, secretariat bool) map[string]string {
	m := c.Meeting
	fields := map[string]string{}
	if !req.Type.Valid() {
		fields["type"] = "error.doc_type_required"
	}
	title := strings.TrimSpace(req.Title)
	switch {
	case title == "":
		fields["title"] = "error.doc_title_required"
	case utf8.RuneCountInString(title) > MaxTitle:
		fields["title"] = "error.doc_title_too_long"
	case strings.ContainsFunc(title, unicode.IsControl):
		fields["title"] = "error.doc_title_control"
	}
	if utf8.RuneCountInString(strings.TrimSpace(req.SourceText)) > MaxSourceText {
		fields["source_text"] = "error.doc_source_too_long"
	}
	switch req.Type {
	case Contribution:
		if len(req.Sources) == 0 {
			fields["sources"] = "error.doc_sources_required"
		} else if org := c.Membership.Organisation; !secretariat && org != nil && !containsID(req.Sources, org.ID) {
			fields["sources"] = "error.doc_sources_own"
		}
		if len(req.QuestionIDs) == 0 {
			fields["questions"] = "error.doc_questions_required"
		}
	case TemporaryDocument:
		if !validSuffix(m, req.Suffix) {
			fields["suffix"] = "error.doc_suffix_required"
		}
	case LiaisonStatement:
		if req.LSDirection != Incoming && req.LSDirection != Outgoing {
			fields["ls_direction"] = "error.doc_ls_direction_required"
		}
		if req.LSPurpose != ForAction && req.LSPurpose != ForInformation {
			fields["ls_purpose"] = "error.doc_ls_purpose_required"
		}
	}
	if req.Type != Contribution && len(req.Sources) == 0 && strings.TrimSpace(req.SourceText) == "" && fields["source_text"] == "" {
		fields["source_text"] = "error.doc_source_required"
	}
	for _, q := range req.QuestionIDs {
		if !hasQuestion(m, q) {
			fields["questions"] = "error.doc_question_unknown"
		}
	}
	if req.WorkingPartyID != nil {
		if _, ok := m.WorkingParty(*req.WorkingPartyID); !ok {
			fields["working_party"] = "error.doc_wp_unknown"
		}
	}
	if (req.AgendaItemID != nil || req.WorkItemID != nil) && !secretariat {
		fields["agenda_item"] = "error.doc_link_secretariat"
	}
	if req.AgendaItemID != nil && !hasAgendaItem(m, *req.AgendaItemID) {
		fields["agenda_item"] = "error.doc_agenda_item_unknown"
	}
	if req.WorkItemID != nil && !hasWorkItem(m, *req.WorkItemID) {
		fields["work_item"] = "error.doc_work_item_unknown"
	}
	return fields
}

// TDSuffixes lists the suffixes a TD of meeting m may carry: GEN, PLEN and one per working party.
func TDSuffixes(m *MeetingDetail) []string {
	out := []string{SuffixGeneral, SuffixPlenary}
	for _, w := range m.WorkingParties {
		out = append(out, "WP"+strconv.Itoa(w.Number))
	}
	return out
}

func validSuffix(m *MeetingDetail, s string) bool {
	for _, x := range TDSuffixes(m) {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func suffixWorkingParty(m *MeetingDetail, suffix string) (WorkingParty, bool) {
	if !strings.HasPrefix(suffix, "WP") {
		return WorkingParty{}, false
	}
	for _, w := range m.WorkingParties {
		if "WP"+strconv.Itoa(w.Number) == suffix {
			return w, true
		}
	}
	return WorkingParty{}, false
}

// onlyWorkingPartyOf returns the working party of the Questions when they all belong to one.
func onlyWorkingPartyOf(m *MeetingDetail, qs []int64) *int64 {
	var wp *int64
	for _, id := range qs {
		for _, q := range m.Questions {
			if q.ID != id {
				continue
			}
			if q.WorkingPartyID == nil || (wp != nil && *wp != *q.WorkingPartyID) {
				return nil
			}
			wp = q.WorkingPartyID
		}
	}
	return wp
}

func hasQuestion(m *MeetingDetail, id int64) bool {
	for _, q := range m.Questions {
		if q.ID == id {
			return true
		}
	}
	return false
}

func hasAgendaItem(m *MeetingDetail, id int64) bool {
	for _, a := range m.AgendaItems {
		if a.ID == id {
			return true
		}
	}
	return false
}

func hasWorkItem(m *MeetingDetail, id int64) bool {
	for _, w := range m.WorkItems {
		if w.ID == id {
			return true
		}
	}
	return false
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// ParseQuestions reads the Questions typed in a form ("Q20/13, Q23/13", "20 23", "q20") against
// the study group's Questions. It returns their ids, or the first text that names none of them.
func ParseQuestions(m *MeetingDetail, s string) ([]int64, string) {
	var out []int64
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
		code := strings.ToUpper(tok)
		code = strings.TrimPrefix(code, "Q")
		if i := strings.IndexByte(code, '/'); i >= 0 {
			if code[i+1:] != strings.TrimPrefix(strings.ToUpper(m.StudyGroup.Code), "SG") {
				return nil, tok
			}
			code = code[:i]
		}
		n, err := strconv.Atoi(code)
		if err != nil {
			return nil, tok
		}
		found := false
		for _, q := range m.Questions {
			if q.Number == n {
				found = true
				if !containsID(out, q.ID) {
					out = append(out, q.ID)
				}
			}
		}
		if !found {
			return nil, tok
		}
	}
	return out, ""
}

// AgendaDocument is a document linked to an agenda item or a work item, as the agenda shows it.
type AgendaDocument struct {
	ID           int64    `db:"id"`
	Type         DocType  `db:"doc_type"`
	Number       int      `db:"number"`
	Suffix       string   `db:"td_suffix"`
	Revision     int      `db:"revision"`
	Title        string   `db:"title"`
	State        DocState `db:"state"`
	AgendaItemID *int64   `db:"agenda_item_id"`
	WorkItemID   *int64   `db:"work_item_id"`
}

// Ref is the document's short name in URLs.
func (d AgendaDocument) Ref() string { return DocRef(d.Type, d.Number) }

// Label is the document's full number.
func (d AgendaDocument) Label(sgCode string) string {
	return DocLabel(sgCode, d.Type, d.Number, d.Suffix)
}

// DocumentsOfAgendaItem returns the documents linked to an agenda item.
func (d MeetingDetail) DocumentsOfAgendaItem(id int64) []AgendaDocument {
	var out []AgendaDocument
	for _, x := range d.AgendaDocuments {
		if x.AgendaItemID != nil && *x.AgendaItemID == id {
			out = append(out, x)
		}
	}
	return out
}

// DocumentsOfWorkItem returns the documents linked to a work item.
func (d MeetingDetail) DocumentsOfWorkItem(id int64) []AgendaDocument {
	var out []AgendaDocument
	for _, x := range d.AgendaDocuments {
		if x.WorkItemID != nil && *x.WorkItemID == id {
			out = append(out, x)
		}
	}
	return out
}

// FileKind is a kind of file the portal accepts: office documents of every common format, PDF,
// plain text and ZIP archives.
type FileKind struct {
	Ext         string
	ContentType string
	// magic is how the file starts; nil for plain text, which is checked otherwise.
	magic [][]byte
}

var (
	magicPDF = []byte("%PDF-")
	magicZip = []byte("PK\x03\x04")
	magicOLE = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicRTF = []byte(`{\rtf`)
)

// FileKinds lists the accepted files by extension.
var FileKinds = []FileKind{
	{".pdf", "application/pdf", [][]byte{magicPDF}},
	{".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", [][]byte{magicZip}},
	{".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [][]byte{magicZip}},
	{".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", [][]byte{magicZip}},
	{".doc", "application/msword", [][]byte{magicOLE}},
	{".xls", "application/vnd.ms-excel", [][]byte{magicOLE}},
	{".ppt", "application/vnd.ms-powerpoint", [][]byte{magicOLE}},
	{".odt", "application/vnd.oasis.opendocument.text", [][]byte{magicZip}},
	{".ods", "application/vnd.oasis.opendocument.spreadsheet", [][]byte{magicZip}},
	{".odp", "application/vnd.oasis.opendocument.presentation", [][]byte{magicZip}},
	{".rtf", "application/rtf", [][]byte{magicRTF}},
	{".zip", "application/zip", [][]byte{magicZip}},
	{".txt", "text/plain; charset=utf-8", nil},
}

// SniffBytes is how much of a file's beginning CheckFile looks at.
const SniffBytes = 512

// KindOf returns the accepted kind of a file name, by its extension.
func KindOf(name string) (FileKind, bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return FileKind{}, false
	}
	ext := strings.ToLower(name[i:])
	for _, k := range FileKinds {
		if k.Ext == ext {
			return k, true
		}
	}
	return FileKind{}, false
}

// CleanFileName keeps the last part of a path a browser may send ("C:\fakepath\c12.docx"),
// without control characters, and at most 200 characters with its extension kept. Format
// characters go too (Unicode category Cf: the bidirectional controls such as the right-to-left
// override U+202E, zero-width spaces and joiners, the byte order mark): in a name they serve only
// to make "cod.exe" look like "exe.doc", and the name is sent back in downloads.
func CleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 200 {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i >= 0 && len(name)-i <= 10 {
			ext = name[i:]
		}
		name = string(r[:200-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

// CheckFileName checks a file's name before its content arrives: it must be there and have an
// accepted extension.
func CheckFileName(name string) (FileKind, error) {
	if name == "" {
		return FileKind{}, FieldErrors(map[string]string{"file": "error.doc_file_required"})
	}
	k, ok := KindOf(name)
	if !ok {
		return FileKind{}, FieldErrors(map[string]string{"file": "error.doc_file_type"})
	}
	return k, nil
}

// CheckFile checks a file once it has arrived: not empty, not over max bytes, and its first
// bytes (head, up to SniffBytes) what its extension says: %PDF for a PDF, a ZIP header for
// OOXML and ODF files, the OLE header for legacy Office files, UTF-8 text for .txt.
func CheckFile(name string, size, max int64, head []byte) error {
	k, err := CheckFileName(name)
	if err != nil {
		return err
	}
	field := func(key string) error { return FieldErrors(map[string]string{"file": key}) }
	switch {
	case size == 0:
		return field("error.doc_file_empty")
	case size > max:
		return field("error.doc_file_too_large")
	}
	if k.magic == nil {
		if !plainText(head, size <= int64(len(head))) {
			return field("error.doc_file_mismatch")
		}
		return nil
	}
	for _, m := range k.magic {
		if bytes.HasPrefix(head, m) {
			return nil
		}
	}
	return field("error.doc_file_mismatch")
}

// plainText reports whether head looks like UTF-8 text: no NUL or other control characters
// besides tab, line breaks and form feed; a character cut at the end of head is allowed unless
// head is the whole file.
func plainText(head []byte, whole bool) bool {
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	for len(head) > 0 {
		r, n := utf8.DecodeRune(head)
		if r == utf8.RuneError && n <= 1 {
			return !whole && !utf8.FullRune(head)
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7F {
			return false
		}
		head = head[n:]
	}
	return true
}

// DocumentFile is the file of one revision of a document: the original as uploaded, with its
// SHA-256. A document without file yet has FileID 0.
type DocumentFile struct {
	FileID       int64     `db:"file_id"`
	FileRevision int       `db:"file_revision"`
	FileName     string    `db:"file_name"`
	FileType     string    `db:"content_type"`
	FileSize     int64     `db:"file_size"`
	FileSHA256   string    `db:"sha256"`
	FileCRC32    int64     `db:"crc32"`
	FileLate     bool      `db:"file_late"`
	FileAt       time.Time `db:"uploaded_at"`
	// BlobKey and Backend say where the bytes are (internal/blob).
	BlobKey string `db:"blob_key"`
	Backend string `db:"backend"`
}

// HasFile reports whether there is a file.
func (f DocumentFile) HasFile() bool { return f.FileID != 0 }
