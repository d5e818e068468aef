package site

import (
	"net/http"

	"plenary/internal/domain"
	"plenary/web/view"
)

// The secretariat registers a meeting's scanner devices: a name gives a one-time code, shown
// once, that the device exchanges for its token (api_desk.go); a device can be revoked.

func (s *Server) devicesData(r *http.Request) (view.DevicesData, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return view.DevicesData{}, err
	}
	m, err := s.svc.Meetings.Detail(r.Context(), id)
	if err != nil {
		return view.DevicesData{}, err
	}
	devices, err := s.svc.Devices.List(r.Context(), actorOf(r), id)
	if err != nil {
		return view.DevicesData{}, err
	}
	t := s.translator(r)
	now := s.opts.Now()
	loc := m.Location()
	d := view.DevicesData{MeetingID: id, MeetingTitle: m.Title.In(t.Lang.Tag)}
	for _, dev := range devices {
		st := dev.State(now)
		row := view.DeviceRow{ID: dev.ID, Name: dev.Name, ClientName: dev.ClientName, State: string(st),
			StateText: t.T("device.state." + string(st)), CanRevoke: st != domain.DeviceRevoked}
		if !dev.LastSeen.IsZero() {
			at := dev.LastSeen.In(loc)
			row.LastSeen = t.DateShort(at) + " " + t.Clock(at)
		}
		d.Devices = append(d.Devices, row)
	}
	return d, nil
}

func (s *Server) devicesTitle(r *http.Request, d view.DevicesData) string {
	return s.translator(r).T("device.title", "Meeting", d.MeetingTitle)
}

func (s *Server) devicesPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.devicesData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.DevicesPage(s.page(r, s.devicesTitle(r, d)), d))
}

// devicesAdd registers a device and shows its code on the page it answers with (not through a
// redirect: the code is shown once and kept nowhere).
func (s *Server) devicesAdd(w http.ResponseWriter, r *http.Request) {
	d, err := s.devicesData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := r.PostFormValue("name")
	t := s.translator(r)
	dev, code, err := s.svc.Devices.Create(r.Context(), auditOf(r), actorOf(r), d.MeetingID, name)
	if err != nil {
		if e, ok := domain.AsError(err); ok && len(e.Fields) > 0 {
			d.Name, d.NameError = name, t.T(e.Fields["name"])
			s.render(w, r, http.StatusUnprocessableEntity, view.DevicesPage(s.page(r, s.devicesTitle(r, d)), d))
			return
		}
		s.fail(w, r, err)
		return
	}
	if d, err = s.devicesData(r); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.svc.Meetings.Detail(r.Context(), d.MeetingID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	until := dev.CodeExpires.In(m.Location())
	d.NewCode, d.NewName, d.NewUntil = code, dev.Name, t.Clock(until)+" ("+m.TimeZone+")"
	s.render(w, r, http.StatusOK, view.DevicesPage(s.page(r, s.devicesTitle(r, d)), d))
}

func (s *Server) devicesRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dev, err := idParam(r, "device")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.Devices.Revoke(r.Context(), auditOf(r), actorOf(r), id, dev); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "device.revoked_flash")
	http.Redirect(w, r, "/secretariat/meetings/"+itoa64(id)+"/devices", http.StatusSeeOther)
}
