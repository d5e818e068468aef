package site

import (
	"context"
	"mime"
	"net/http"
	"strconv"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/visaletter"
	"plenary/web/view"
)

// passportInput is the visa part of a form: the box (on the registration form) and the passport
// data. Formats are checked here; what the data must be (every field, dates that make sense, a
// passport valid long enough) is the domain's.
type passportInput struct {
	Request        bool   `form:"visa_request"`
	Name           string `form:"passport_name" validate:"max=200"`
	BirthDate      string `form:"birth_date" validate:"date"`
	BirthPlace     string `form:"birth_place" validate:"max=200"`
	Nationality    string `form:"nationality" validate:"max=200"`
	Number         string `form:"passport_number" validate:"max=200"`
	Issued         string `form:"passport_issued" validate:"date"`
	Expires        string `form:"passport_expires" validate:"date"`
	IssuingCountry string `form:"issuing_country" validate:"max=200"`
	// Representation is the id of a Swiss representation of the secretariat's list.
	Representation string `form:"representation" validate:"max=20"`
	NativeName     string `form:"passport_name_native" validate:"max=200"`
}

func (in passportInput) passport() domain.Passport {
	d := func(s string) time.Time {
		t, _ := parseDay(s)
		return t
	}
	p := domain.Passport{Name: in.Name, BirthDate: d(in.BirthDate), BirthPlace: in.BirthPlace, Nationality: in.Nationality,
		Number: in.Number, Issued: d(in.Issued), Expires: d(in.Expires), IssuingCountry: in.IssuingCountry, NativeName: in.NativeName}
	if id, err := strconv.ParseInt(in.Representation, 10, 64); err == nil && id > 0 {
		p.RepresentationID = &id
	}
	return p
}

// passportForm fills a form with a request's passport data, for correcting them.
func passportForm(v domain.VisaLine) view.Form {
	f := view.NewForm()
	ymd := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	for k, val := range map[string]string{
		domain.FieldPassportName: v.Name, domain.FieldBirthDate: ymd(v.BirthDate), domain.FieldBirthPlace: v.BirthPlace,
		domain.FieldNationality: v.Nationality, domain.FieldPassportNumber: v.Number, domain.FieldIssued: ymd(v.Issued),
		domain.FieldExpires: ymd(v.Expires), domain.FieldIssuingCountry: v.IssuingCountry, domain.FieldNativeName: v.NativeName,
	} {
		f.Values[k] = val
	}
	if v.RepresentationID != nil {
		f.Values[domain.FieldRepresentation] = strconv.FormatInt(*v.RepresentationID, 10)
	}
	return f
}

// representations are the Swiss representations the forms offer (the secretariat's list, read
// when a form is shown; an empty list leaves the field to say that there is none).
func (s *Server) representations() []domain.Representation {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reps, err := s.svc.Representations.Offered(ctx)
	if err != nil {
		return nil
	}
	return reps
}

// visaOffer says whether a visa letter can still be asked for at meeting d (domain.VisaOffer),
// with the dates a request must respect.
func (s *Server) visaOffer(t *i18n.Translator, actor domain.Actor, d *domain.MeetingDetail) view.VisaOffer {
	dl := d.Deadline(domain.VisaSupportRequest)
	o := view.VisaOffer{Deadline: dl.Day, ValidUntil: domain.PassportValidUntil(d.Meeting), Representations: s.representations()}
	o.Closed = visaClosed(t, domain.VisaOffer(actor, d.Meeting, dl, s.opts.Now()), d.StudyGroup.Email)
	o.Open = o.Closed == ""
	return o
}

// visaClosed says, translated, why a visa request is not offered ("" when it is): the reason of
// domain.VisaOffer or domain.VisaRequestOffer, in the words of the page rather than the form's.
func visaClosed(t *i18n.Translator, offer domain.Capability, email string) string {
	switch offer.Key() {
	case "":
		return ""
	case "error.visa_meeting_over":
		return t.T("visa.closed_meeting_over")
	case "error.visa_deadline_passed":
		day, _ := offer.Reason.Args["Date"].(time.Time)
		return t.T("visa.closed", "Date", t.DateShort(day), "Email", email)
	case "error.not_live":
		return t.T("visa.closed_not_live")
	case "error.visa_forbidden":
		return t.T("visa.closed_not_yours")
	}
	return message(t, offer.Reason)
}

// visaPart reads the visa request part of the registration form into f: the passport data when
// the box is ticked (nil when not), or false when a field is missing or malformed. The domain's
// rules (in person only, before the deadline, passport valid long enough) are checked with the
// registration, in its transaction.
func (s *Server) visaPart(w http.ResponseWriter, r *http.Request, t *i18n.Translator, f *view.Form) (*domain.Passport, bool) {
	var in passportInput
	vf, err := decodeForm(w, r, &in)
	if err != nil {
		return nil, false
	}
	for k, v := range vf.Values {
		f.Values[k] = v
	}
	f.Order = append(f.Order, vf.Order...)
	if !in.Request {
		return nil, true
	}
	if !s.check(t, &in, &vf) {
		for k, v := range vf.Errors {
			f.Errors[k] = v
		}
		return nil, false
	}
	p := in.passport()
	return &p, true
}

// myVisa builds the visa part of a registration's card on the personal page.
func (s *Server) myVisa(actor domain.Actor, l domain.RegistrationLine, d *domain.MeetingDetail, visas map[int64]domain.VisaLine, now time.Time) view.MyVisa {
	m := view.MyVisa{RegistrationID: l.ID, Now: now}
	if v, ok := visas[l.ID]; ok {
		m.Visa = &v
	}
	dl := d.Deadline(domain.VisaSupportRequest)
	c := domain.VisaContext{Actor: actor, Registration: l.Registration, Meeting: d.Meeting, Deadline: dl, Now: now}
	if domain.VisaRequestOffer(c).Allowed {
		m.CanRequest = true
		m.Deadline = &dl.Day
	}
	return m
}

// visaPageData gathers one registration's visa page.
func (s *Server) visaPageData(r *http.Request) (view.VisaPageData, error) {
	var data view.VisaPageData
	id, err := idParam(r, "id")
	if err != nil {
		return data, err
	}
	actor := actorOf(r)
	vp, err := s.svc.Visas.Page(r.Context(), actor, id)
	if err != nil {
		return data, err
	}
	reg := vp.Registration
	d, err := s.meetingDetail(r.Context(), reg.MeetingSlug)
	if err != nil {
		return data, err
	}
	t := s.translator(r)
	data = view.VisaPageData{Registration: reg, Offer: s.visaOffer(t, actor, d), Now: s.opts.Now(), Form: view.NewForm(),
		Secretariat: actor.Can(domain.ManageVisas) && actor.ID != reg.AccountID}
	data.Visa, data.History = vp.Visa, vp.History
	v := data.Visa
	if v != nil && v.State.Live() {
		data.ShowPassport = domain.CanSeePassport(actor, v.VisaRequest)
		data.CanEdit = domain.PassportEdit(actor, v.VisaRequest).Allowed
		data.Reissue = data.CanEdit && v.State == domain.VisaIssued
		if data.CanEdit {
			data.Form = passportForm(*v)
		}
	} else {
		offer := domain.VisaRequestOffer(domain.VisaContext{Actor: actor, Registration: reg.Registration, Meeting: d.Meeting,
			Deadline: d.Deadline(domain.VisaSupportRequest), Now: data.Now})
		data.Offer.Closed = visaClosed(t, offer, d.StudyGroup.Email)
		data.CanRequest = offer.Allowed
		data.ShowPassport = v != nil && domain.CanSeePassport(actor, v.VisaRequest)
	}
	return data, nil
}

func (s *Server) visaTitle(r *http.Request) string { return s.translator(r).T("visa.title") }

// visaForm shows a registration's visa request, with the form to make it or correct it.
func (s *Server) visaForm(w http.ResponseWriter, r *http.Request) {
	data, err := s.visaPageData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.VisaPage(s.page(r, s.visaTitle(r)), data))
}

// visaSubmit makes a registration's visa request, or changes its passport data.
func (s *Server) visaSubmit(w http.ResponseWriter, r *http.Request) {
	data, err := s.visaPageData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	var in passportInput
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := func(status int) {
		data.Form = f
		s.render(w, r, status, view.VisaPage(s.page(r, s.visaTitle(r)), data))
	}
	if !data.Editing() {
		page(http.StatusConflict)
		return
	}
	if !s.check(t, &in, &f) {
		page(http.StatusUnprocessableEntity)
		return
	}
	if data.CanEdit {
		_, err := s.svc.Visas.UpdatePassport(r.Context(), auditOf(r), actorOf(r), data.Visa.ID, in.passport())
		if err != nil {
			if applyDomainError(t, err, &f) {
				page(statusOf(domain.ErrorCode(err)))
				return
			}
			s.fail(w, r, err)
			return
		}
		if data.Reissue {
			s.flash(r, "visa.reissued")
		} else {
			s.flash(r, "visa.saved")
		}
	} else {
		_, err := s.svc.Visas.Request(r.Context(), auditOf(r), actorOf(r), data.Registration.ID, in.passport())
		if err != nil {
			if applyDomainError(t, err, &f) {
				page(statusOf(domain.ErrorCode(err)))
				return
			}
			s.fail(w, r, err)
			return
		}
		s.flash(r, "visa.requested")
	}
	next := "/me#reg-" + itoa64(data.Registration.ID)
	if data.Secretariat {
		next = "/registrations/" + itoa64(data.Registration.ID) + "/visa"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// letterDownload sends the current letter of a request to its owner or the secretariat, as an
// attachment named by its reference.
func (s *Server) letterDownload(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.svc.Visas.Letter(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": visaletter.Filename(f.Reference)}))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(f.PDF)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.PDF)
}

// letterVerify is the public page a QR code on a letter points to: it confirms the letter is
// genuine (or says it was superseded, withdrawn or has expired) and shows nothing more than the
// holder's name, the meeting, its dates and the issue date.
func (s *Server) letterVerify(w http.ResponseWriter, r *http.Request) {
	c, err := s.svc.Visas.Verify(r.Context(), urlParam(r, "token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, view.VerifyPage(s.page(r, s.translator(r).T("verify.title")), view.VerifyData{Check: c}))
}
