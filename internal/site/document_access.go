package site

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"plenary/internal/domain"
)

// defaultDocumentMaxBytes is the size limit of a document file when none is configured.
const defaultDocumentMaxBytes = 50 << 20

// documentsPerPage is the length of a page of the list of documents.
const documentsPerPage = 100

func (s *Server) documentMaxBytes() int64 {
	if s.opts.DocumentMaxBytes > 0 {
		return s.opts.DocumentMaxBytes
	}
	return defaultDocumentMaxBytes
}

// documentAccess says what the request's actor may do with the meeting's documents.
func (s *Server) documentAccess(r *http.Request, m *domain.MeetingDetail) (domain.DocumentAccess, domain.Membership, error) {
	return s.svc.Documents.Access(r.Context(), actorOf(r), m)
}

// refuseDocuments answers a request the actor may not make: a visitor is sent to sign in first,
// anyone else is told why not.
func (s *Server) refuseDocuments(w http.ResponseWriter, r *http.Request, acc domain.DocumentAccess) {
	key := acc.Reason
	if key == "" {
		key = "error.forbidden"
	}
	s.documentRefused(w, r, domain.Errorf(domain.Forbidden, key))
}

// documentRefused answers a failed document request: a visitor refused is sent to sign in first;
// anything else is an error page.
func (s *Server) documentRefused(w http.ResponseWriter, r *http.Request, err error) {
	if domain.ErrorCode(err) == domain.Forbidden && !actorOf(r).SignedIn() {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.fail(w, r, err)
}

// documentOf loads the meeting named by {slug} and the document named by {doc} ("C12").
func (s *Server) documentOf(r *http.Request) (*domain.MeetingDetail, *domain.DocumentDetail, error) {
	m, err := s.visibleMeeting(r, urlParam(r, "slug"))
	if err != nil {
		return nil, nil, err
	}
	d, err := s.svc.Documents.Find(r.Context(), m, urlParam(r, "doc"))
	return m, d, err
}

func documentPath(slug string, ref string) string { return "/meetings/" + slug + "/documents/" + ref }

// documentFilter reads the list's filter from the query: ?type=C&wp=wp1&question=20&q=…&sort=date&page=2.
// Unknown values are ignored rather than refused: the list is shown unfiltered on that point.
func documentFilter(m *domain.MeetingDetail, q url.Values) (domain.DocumentFilter, map[string]string) {
	f := domain.DocumentFilter{MeetingID: m.ID, PerPage: documentsPerPage, Sort: domain.SortByNumber}
	vals := map[string]string{}
	if t := domain.DocType(strings.ToUpper(q.Get("type"))); t.Valid() {
		f.Type = t
		vals["type"] = string(t)
	}
	if wp, ok := m.WorkingPartyBySlug(q.Get("wp")); ok {
		f.WorkingPartyID = wp.ID
		vals["wp"] = wp.Slug()
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(q.Get("question")), "Q")); err == nil {
		for _, x := range m.Questions {
			if x.Number == n {
				f.QuestionID = x.ID
				vals["question"] = strconv.Itoa(n)
			}
		}
	}
	if s := strings.TrimSpace(q.Get("q")); s != "" {
		if runeLen(s) > 200 {
			s = string([]rune(s)[:200])
		}
		f.Search = s
		vals["q"] = s
	}
	switch domain.DocumentSort(q.Get("sort")) {
	case domain.SortByDate:
		f.Sort = domain.SortByDate
		vals["sort"] = string(f.Sort)
	case domain.SortByTitle:
		f.Sort = domain.SortByTitle
		vals["sort"] = string(f.Sort)
	}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 && p < 100000 {
		f.Page = p
	}
	return f, vals
}

// filterQuery encodes the filter's values (not the page) for links that keep it.
func filterQuery(vals map[string]string) string {
	q := url.Values{}
	for _, k := range []string{"type", "wp", "question", "q", "sort"} {
		if v := vals[k]; v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

// contentDisposition names a download as an attachment (RFC 6266): an ASCII fallback for old
// clients and the UTF-8 name in filename*, without bidirectional controls or other format
// characters (they would let "cod.exe" pass for "exe.doc").
func contentDisposition(name string) string {
	// Names stored before format characters were stripped at upload lose them here too.
	name = domain.CleanFileName(name)
	var ascii, enc strings.Builder
	for _, r := range name {
		if r < 0x20 || r >= 0x7F || r == '"' || r == '\\' || r == '%' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}

// isAttrChar reports whether b may stand unescaped in an RFC 8187 value.
func isAttrChar(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
