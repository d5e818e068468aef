package site

import (
	"bufio"
	"encoding/csv"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/web/view"
)

// exportFormat is the kind of file a list is downloaded as.
type exportFormat int

const (
	exportCSV exportFormat = iota
	exportXLSX
)

// rowSource feeds an export its rows, one at a time, from a query that streams them: a list is
// never held whole in memory.
type rowSource func(emit func(values []any) error) error

// exportTimeLayout is how a CSV export writes times: in the meeting's local time, each row naming
// its meeting's time zone.
const exportTimeLayout = "2006-01-02 15:04:05"

// localTime is a time of day in a meeting's time zone, as an export writes it (a spreadsheet cell
// has no zone: it shows the wall clock).
type localTime struct{ time.Time }

func inZone(at time.Time, zone string) localTime { return localTime{at.In(domain.Location(zone))} }

// wall is the local time as a UTC instant with the same wall clock, which is what a spreadsheet
// library turns into a date serial.
func (l localTime) wall() time.Time {
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// registrationHeader names the columns of a registrations export.
func registrationHeader(t *i18n.Translator) []string {
	return []string{
		t.T("reg.meeting"), t.T("field.family_name"), t.T("field.given_name"), t.T("field.email"),
		t.T("field.organisation"), t.T("lists.country"), t.T("lists.mode"), t.T("reg.state"), t.T("reg.late"),
		t.T("reg.function_title"), t.T("lists.registered_at"), t.T("lists.decided_at"), t.T("lists.time_zone"), t.T("reg.reason"),
	}
}

func registrationRecord(t *i18n.Translator, l domain.RegistrationLine) []any {
	var decided any
	if l.DecidedAt != nil {
		decided = inZone(*l.DecidedAt, l.MeetingTimeZone)
	}
	return []any{
		l.MeetingSlug, l.FamilyName, l.GivenName, l.Email, l.OrgName, l.Country,
		t.T("mode." + string(l.Mode)), t.T("state." + string(l.State)), yesNo(t, l.Late),
		l.FunctionTitle, inZone(l.CreatedAt, l.MeetingTimeZone), decided, l.MeetingTimeZone, l.Reason,
	}
}

func yesNo(t *i18n.Translator, b bool) string {
	if b {
		return t.T("lists.yes")
	}
	return t.T("lists.no")
}

// exportRegistrations downloads the registrations matching f.
func (s *Server) exportRegistrations(w http.ResponseWriter, r *http.Request, format exportFormat, name string, f domain.RegistrationFilter) {
	t := s.translator(r)
	rows := func(emit func([]any) error) error {
		return s.svc.Registrations.Each(r.Context(), actorOf(r), f, func(l domain.RegistrationLine) error {
			return emit(registrationRecord(t, l))
		})
	}
	s.export(w, r, format, name, t.T("lists.sheet_registrations"), registrationHeader(t), rows)
}

// exportParticipants downloads a meeting's list of participants made on basis.
func (s *Server) exportParticipants(w http.ResponseWriter, r *http.Request, format exportFormat, name string, meetingID int64, basis domain.ParticipantBasis) {
	t := s.translator(r)
	header := []string{t.T("field.organisation"), t.T("lists.country"), t.T("field.family_name"), t.T("field.given_name"), t.T("lists.mode")}
	rows := func(emit func([]any) error) error {
		return s.svc.Figures.EachParticipant(r.Context(), actorOf(r), meetingID, basis, func(l domain.RegistrationLine) error {
			return emit([]any{view.LineOrg(t, l), l.Country, l.FamilyName, l.GivenName, t.T("mode." + string(l.Mode))})
		})
	}
	s.export(w, r, format, name, t.T("lists.participants"), header, rows)
}

func (s *Server) export(w http.ResponseWriter, r *http.Request, format exportFormat, name, sheet string, header []string, rows rowSource) {
	if format == exportXLSX {
		s.writeXLSX(w, r, name+".xlsx", sheet, header, rows)
		return
	}
	s.writeCSV(w, r, name+".csv", header, rows)
}

// downloadHeaders marks a response as a file to save, never to keep in a cache.
func downloadHeaders(w http.ResponseWriter, contentType, filename string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Cache-Control", "no-store")
}

// lazyResponse sends the status and headers with the first bytes of the body, so that a query
// failing before any row is written can still become an error page.
type lazyResponse struct {
	w       http.ResponseWriter
	started bool
	start   func()
}

func (l *lazyResponse) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.start()
	}
	return l.w.Write(p)
}

// writeCSV streams a CSV file: UTF-8 with a byte order mark, so that Excel shows Chinese and
// accented names correctly, and CRLF line ends.
func (s *Server) writeCSV(w http.ResponseWriter, r *http.Request, filename string, header []string, rows rowSource) {
	lr := &lazyResponse{w: w, start: func() {
		downloadHeaders(w, "text/csv; charset=utf-8", filename)
		w.WriteHeader(http.StatusOK)
	}}
	bw := bufio.NewWriterSize(lr, 64<<10)
	_, err := bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err == nil {
		err = cw.Write(header)
	}
	record := make([]string, len(header))
	if err == nil {
		err = rows(func(values []any) error {
			for i, v := range values {
				record[i] = csvCell(v)
			}
			return cw.Write(record)
		})
	}
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err == nil {
		err = bw.Flush()
	}
	s.endDownload(w, r, lr.started, err)
}

// csvCell writes one value. Text that a spreadsheet would take for a formula is prefixed with
// an apostrophe, so that a name like "=HYPERLINK(…)" stays text when the file is opened.
func csvCell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case localTime:
		return v.Format(exportTimeLayout)
	case string:
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			return "'" + v
		}
		return v
	default:
		return ""
	}
}

// writeXLSX builds an Excel workbook with excelize's stream writer, which keeps the rows in a
// temporary file rather than in memory once they are many, and sends it.
func (s *Server) writeXLSX(w http.ResponseWriter, r *http.Request, filename, sheet string, header []string, rows rowSource) {
	f := excelize.NewFile()
	defer func() {
		if err := f.Close(); err != nil {
			s.log.Warn("export: close workbook", "id", requestIDOf(r), "err", err)
		}
	}()
	err := s.fillWorkbook(f, sheet, header, rows)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	downloadHeaders(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename)
	w.WriteHeader(http.StatusOK)
	s.endDownload(w, r, true, f.Write(w))
}

func (s *Server) fillWorkbook(f *excelize.File, sheet string, header []string, rows rowSource) error {
	sheet = sheetName(sheet)
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	layout := "yyyy-mm-dd hh:mm"
	when, err := f.NewStyle(&excelize.Style{CustomNumFmt: &layout})
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(header), 18); err != nil {
		return err
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	row := 1
	err = rows(func(values []any) error {
		row++
		out := make([]any, len(values))
		for i, v := range values {
			switch v := v.(type) {
			case localTime:
				out[i] = excelize.Cell{StyleID: when, Value: v.wall()}
			default:
				out[i] = v
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, out)
	})
	if err != nil {
		return err
	}
	return sw.Flush()
}

// sheetName makes a worksheet name Excel accepts: at most 31 characters, none of []:*?/\.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, s)
	if rs := []rune(s); len(rs) > 31 {
		s = string(rs[:31])
	}
	if s == "" {
		return "Sheet1"
	}
	return s
}

// endDownload reports a failed download: as an error page while nothing was sent, otherwise by
// breaking the connection, so that a cut-off file is not taken for a whole one.
func (s *Server) endDownload(w http.ResponseWriter, r *http.Request, started bool, err error) {
	if err == nil {
		return
	}
	if !started {
		s.fail(w, r, err)
		return
	}
	if r.Context().Err() == nil && err != io.ErrClosedPipe {
		s.log.Error("export failed", "id", requestIDOf(r), "path", r.URL.Path, "err", err)
	}
	panic(http.ErrAbortHandler)
}
