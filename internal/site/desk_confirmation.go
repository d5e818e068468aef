package site

import (
	"mime"
	"net/http"
	"strconv"
	"time"

	"plenary/internal/badge"
	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/web/view"
)

// confirmation reads the confirmation of the registration in the URL, for its owner, a focal
// point of its organisation or the secretariat: the desk service issues or reuses its token.
func (s *Server) confirmation(r *http.Request) (view.ConfirmationData, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return view.ConfirmationData{}, err
	}
	c, err := s.svc.Desk.Confirmation(r.Context(), auditOf(r), actorOf(r), id)
	if err != nil {
		return view.ConfirmationData{}, err
	}
	line, err := s.svc.Registrations.Line(r.Context(), actorOf(r), id)
	if err != nil {
		return view.ConfirmationData{}, err
	}
	m, err := s.svc.Meetings.Detail(r.Context(), c.Meeting.ID)
	if err != nil {
		return view.ConfirmationData{}, err
	}
	t := s.translator(r)
	lang := t.Lang.Tag
	d := view.ConfirmationData{
		RegistrationID: id, Reference: c.Reference, Name: line.Name(), Organisation: view.LineOrg(t, line), Country: t.Country(line.Country),
		MeetingTitle: m.Title.In(lang), MeetingSlug: m.Slug, Dates: t.DateRange(m.FirstDay, m.LastDay), Mode: c.Registration.Mode,
		Code: c.Code, QR: view.QROf(c.Code),
	}
	if d.Mode == domain.InPerson {
		for _, o := range m.DeskOpenings {
			d.DeskHours = append(d.DeskHours, view.DeskHours(t, o, m.DeskPlace.In(lang)))
		}
	} else {
		d.RemoteTool, d.RemoteLink, d.RemoteRules = m.RemoteTool, m.RemoteLink, m.RemoteRules.In(lang)
	}
	return d, nil
}

// confirmationShow is the printable confirmation page.
func (s *Server) confirmationShow(w http.ResponseWriter, r *http.Request) {
	d, err := s.confirmation(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, view.ConfirmationPage(s.page(r, s.translator(r).T("desk.confirmation_title")), d))
}

// confirmationPDF sends the confirmation as a PDF attachment, in the reader's language.
func (s *Server) confirmationPDF(w http.ResponseWriter, r *http.Request) {
	d, err := s.confirmation(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fonts, err := badge.DefaultFonts()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pdf, err := badge.RenderConfirmation(fonts, confirmationPDFOf(s.translator(r), d, s.opts.Now()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "confirmation-" + strconv.FormatInt(d.RegistrationID, 10) + ".pdf"}))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(pdf)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(pdf)
}

// confirmationPDFOf is the confirmation as the PDF prints it, its labels in t's language.
func confirmationPDFOf(t *i18n.Translator, d view.ConfirmationData, now time.Time) badge.Confirmation {
	c := badge.Confirmation{
		Title: t.T("desk.confirmation_title"), Issued: now,
		Rows: [][2]string{
			{t.T("desk.reference"), d.Reference}, {t.T("desk.name"), d.Name}, {t.T("desk.organisation"), d.Organisation},
			{t.T("desk.meeting"), d.MeetingTitle}, {t.T("desk.dates"), d.Dates}, {t.T("lists.mode"), t.T("mode." + string(d.Mode))},
		},
	}
	if d.Mode == domain.InPerson {
		c.DeskHeading = t.T("desk.collect_badge")
		c.Desk = append(append([]string{}, d.DeskHours...), t.T("desk.bring_id"))
		c.Code, c.CodeNote = d.Code, t.T("desk.code_note")
	} else {
		c.RemoteHeading = t.T("reg.remote_link")
		if d.RemoteLink != "" {
			line := d.RemoteLink
			if d.RemoteTool != "" {
				line = t.Label(d.RemoteTool) + line
			}
			c.Remote = append(c.Remote, line)
		} else {
			c.Remote = append(c.Remote, t.T("reg.remote_link_none"))
		}
		if d.RemoteRules != "" {
			c.Remote = append(c.Remote, d.RemoteRules)
		}
		c.Remote = append(c.Remote, t.T("desk.remote_no_badge"))
	}
	return c
}
