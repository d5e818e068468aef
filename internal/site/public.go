package site

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"

	"plenary/internal/domain"
	"plenary/web/view"
)

// meetingDetail returns a meeting from the cache or the database.
func (s *Server) meetingDetail(ctx context.Context, slug string) (*domain.MeetingDetail, error) {
	if d, ok := s.pages.detail(slug); ok {
		return d, nil
	}
	// Requests that miss the cache together (a meeting just changed, or just made) share one
	// load, which the first of them leaving does not cancel.
	v, err, _ := s.loads.Do(slug, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		gen := s.pages.generation()
		d, err := s.svc.Meetings.BySlug(ctx, slug)
		if err != nil {
			return nil, err
		}
		s.pages.storeDetail(gen, slug, d)
		return d, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*domain.MeetingDetail), nil
}

// visibleMeeting is meetingDetail for a page of the meeting: a draft is shown to the secretariat
// alone (as a preview), and anyone else is told it does not exist.
func (s *Server) visibleMeeting(r *http.Request, slug string) (*domain.MeetingDetail, error) {
	d, err := s.meetingDetail(r.Context(), slug)
	if err != nil {
		return nil, err
	}
	if !domain.CanSeeMeeting(actorOf(r), d.Meeting) {
		return nil, domain.Errorf(domain.NotFound, "error.meeting_not_found")
	}
	return d, nil
}

// meetingID returns a meeting's id, from the cache or from a look-up of the id alone: an action
// needs no more; the pages load the whole meeting.
func (s *Server) meetingID(ctx context.Context, slug string) (int64, error) {
	if id, ok := s.pages.id(slug); ok {
		return id, nil
	}
	gen := s.pages.generation()
	id, err := s.svc.Meetings.IDOf(ctx, slug)
	if err != nil {
		return 0, err
	}
	s.pages.storeID(gen, slug, id)
	return id, nil
}

// publicPage serves a page anyone may see. For visitors the rendered bytes are cached until the
// meeting changes; signed-in users get it rendered with their own header.
func (s *Server) publicPage(w http.ResponseWriter, r *http.Request, slug string, build func(p view.Page) (templ.Component, error)) {
	p := s.page(r, "")
	cacheable := p.User == nil && p.Flash == ""
	key := pageKey{slug: slug, path: r.URL.Path, lang: p.Lang()}
	if cacheable && r.URL.RawQuery == "" {
		if b, ok := s.pages.page(key, p.Now); ok {
			w.Header().Set("Cache-Control", "no-cache")
			writeHTML(w, http.StatusOK, b)
			return
		}
	}
	gen := s.pages.generation()
	c, err := build(p)
	if err != nil {
		if cacheable && r.URL.RawQuery == "" && s.svc.Health.Unavailable(err) {
			// The database is away: the last copy of the page is better than an error, and no
			// change can have been made meanwhile through it.
			if b, ok := s.pages.good(key); ok {
				s.log.Warn("database unavailable: serving the last good copy", "id", requestIDOf(r), "path", r.URL.Path, "err", err)
				writeHTML(w, http.StatusOK, b)
				return
			}
		}
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	if cacheable && r.URL.RawQuery == "" {
		s.pages.storePage(gen, key, p.Now, buf.Bytes())
		s.pages.keepGood(key, buf.Bytes())
		w.Header().Set("Cache-Control", "no-cache")
	}
	writeHTML(w, http.StatusOK, buf.Bytes())
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.publicPage(w, r, "", func(p view.Page) (templ.Component, error) {
		ms, err := s.svc.Meetings.List(r.Context())
		if err != nil {
			return nil, err
		}
		var upcoming, past []domain.MeetingSummary
		for _, m := range ms {
			if m.State == domain.MeetingDraft {
				continue
			}
			if (domain.Meeting{LastDay: m.LastDay, TimeZone: m.TimeZone}).Past(p.Now) {
				past = append(past, m)
			} else {
				upcoming = append([]domain.MeetingSummary{m}, upcoming...)
			}
		}
		p.Title = p.T.T("home.title")
		return view.HomePage(p, upcoming, past), nil
	})
}

func (s *Server) meetingShow(w http.ResponseWriter, r *http.Request) {
	slug := urlParam(r, "slug")
	s.publicPage(w, r, slug, func(p view.Page) (templ.Component, error) {
		d, err := s.visibleMeeting(r, slug)
		if err != nil {
			return nil, err
		}
		p.Title = d.Title.In(p.Lang())
		mv := view.MeetingView{MeetingDetail: d, Missing: draftMissing(d)}
		// A signed-in person's page is never cached: it says where their registration stands.
		if a := actorOf(r); a.SignedIn() {
			mine, err := s.svc.Registrations.MineAt(r.Context(), a, d.ID)
			if err != nil {
				return nil, err
			}
			if mine != nil {
				mv.Mine = &view.MyMeetingStatus{ID: mine.ID, State: mine.State, Mode: mine.Mode}
			}
		}
		return view.MeetingPage(p, mv), nil
	})
}

func (s *Server) agendaShow(w http.ResponseWriter, r *http.Request) {
	slug := urlParam(r, "slug")
	wpSlug := strings.ToLower(urlParam(r, "wp"))
	s.publicPage(w, r, slug, func(p view.Page) (templ.Component, error) {
		d, err := s.visibleMeeting(r, slug)
		if err != nil {
			return nil, err
		}
		wps := d.WorkingParties
		all := wpSlug == ""
		if !all {
			wp, ok := d.WorkingPartyBySlug(wpSlug)
			if !ok {
				return nil, domain.Errorf(domain.NotFound, "error.wp_not_found")
			}
			wps = []domain.WorkingParty{wp}
			p.Title = p.T.T("agenda.title_wp", "WP", wp.Code)
		} else {
			p.Title = p.T.T("agenda.title")
		}
		return view.AgendaPage(p, view.MeetingView{MeetingDetail: d, Missing: draftMissing(d)}, wps, all), nil
	})
}

// draftMissing is what a draft lacks for publishing, for the preview's banner (nil when public).
func draftMissing(d *domain.MeetingDetail) []string {
	if d.Public() {
		return nil
	}
	return append([]string{}, domain.PublishMissing(*d)...)
}
