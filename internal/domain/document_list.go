package domain

// The read side of the documents: what lists and pages show. The store fills these; the
// documents service hands them to the web layer, and the views show them.

// DocumentLine is a document with its latest file and what a list shows beside it.
type DocumentLine struct {
	Document
	DocumentFile
	SGCode        string   `db:"sg_code"`
	WPCode        string   `db:"wp_code"`
	SourceNames   string   `db:"source_names"`
	QuestionCodes []string `db:"question_codes"`
}

// Label is the document's full number.
func (l DocumentLine) Label() string { return l.Document.Label(l.SGCode) }

// Source is what the list shows as the document's source: its organisations and any other source.
func (l DocumentLine) Source() string {
	switch {
	case l.SourceNames == "":
		return l.SourceText
	case l.SourceText == "":
		return l.SourceNames
	}
	return l.SourceNames + "; " + l.SourceText
}

// DocumentDetail is a document with everything its page shows.
type DocumentDetail struct {
	DocumentLine
	// Sources are the ids of the source organisations, in order.
	Sources []int64
	// Files are every revision's file, the original first.
	Files         []DocumentFile
	SubmitterName string
}

// DocumentSort orders a list of documents.
type DocumentSort string

// The orders of the list.
const (
	SortByNumber DocumentSort = "number"
	SortByDate   DocumentSort = "date"
	SortByTitle  DocumentSort = "title"
)

// DocumentFilter selects a meeting's documents.
type DocumentFilter struct {
	MeetingID      int64
	Type           DocType
	WorkingPartyID int64
	QuestionID     int64
	// Search is looked for in titles, whatever the case.
	Search string
	Sort   DocumentSort
	// Page counts from 1; PerPage 0 means every document on one page.
	Page    int
	PerPage int
	// WithFileOnly keeps the documents with a file that are not withdrawn (for the archive).
	WithFileOnly bool
}

// DocumentPage is one page of a list of documents.
type DocumentPage struct {
	Lines   []DocumentLine
	Total   int
	Page    int
	PerPage int
}

// Pages is the number of pages.
func (p DocumentPage) Pages() int {
	if p.PerPage == 0 || p.Total == 0 {
		return 1
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// AttachedFile is a file received and stored beforehand (pending in the blobs registry) that a
// document's transaction claims, under the name it had.
type AttachedFile struct {
	Key  string
	Name string
}

// MyDocument is a document a person submitted, with its meeting.
type MyDocument struct {
	DocumentLine
	MeetingSlug string `db:"meeting_slug"`
}
