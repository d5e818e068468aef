package site

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/web/view"
)

// The room screens: /meetings/{slug}/screen (?room=, ?lang=, ?refresh=seconds) as a page, and the
// same data as JSON (Accept: application/json, or /meetings/{slug}/screen.json). A public
// meeting's screens are cached, like its other pages, until the meeting changes (its
// notification drops them) and at most for the minute they show.

const (
	screenRefreshMin = 5
	screenRefreshMax = 3600
)

func (s *Server) screenShow(w http.ResponseWriter, r *http.Request) {
	asJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	s.screen(w, r, asJSON)
}

func (s *Server) screenJSON(w http.ResponseWriter, r *http.Request) { s.screen(w, r, true) }

func (s *Server) screen(w http.ResponseWriter, r *http.Request, asJSON bool) {
	slug := urlParam(r, "slug")
	q := r.URL.Query()
	p := s.page(r, "")
	if l := q.Get("lang"); l != "" && s.cat.Has(l) {
		p.T = s.cat.For(l)
	}
	room := strings.TrimSpace(q.Get("room"))
	if len(room) > 100 {
		room = room[:100]
	}
	refresh := 0
	if n, err := strconv.Atoi(q.Get("refresh")); err == nil && n > 0 {
		refresh = min(max(n, screenRefreshMin), screenRefreshMax)
	}
	w.Header().Add("Vary", "Accept")
	// Read before the meeting: a page made from a meeting that changed meanwhile is not kept.
	gen := s.pages.generation()
	d, err := s.visibleMeeting(r, slug)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := p.Now
	format := "html"
	if asJSON {
		format = "json"
	}
	shown, unknown := domain.ScreenRoom(*d, room)
	// Only the meeting's own rooms are cached: a room typed at random would fill the cache.
	cacheable := d.Public() && !unknown
	key := pageKey{slug: slug, lang: p.Lang(),
		path: "screen\x00" + format + "\x00" + shown + "\x00" + strconv.Itoa(refresh) + "\x00" + now.Truncate(time.Minute).UTC().Format(time.RFC3339)}
	if cacheable {
		if b, ok := s.pages.page(key, now); ok {
			writeScreen(w, asJSON, b)
			return
		}
	}
	sc := domain.RoomScreen(*d, now, room)
	var buf bytes.Buffer
	if asJSON {
		if err := json.NewEncoder(&buf).Encode(screenJSONOf(d, sc, p.Lang())); err != nil {
			s.fail(w, r, err)
			return
		}
	} else {
		p.Title = p.T.T("screen.title", "Meeting", d.Title.In(p.Lang()))
		v := view.ScreenView{Slug: d.Slug, Title: d.Title.In(p.Lang()), City: d.City.In(p.Lang()), TimeZone: d.TimeZone, Screen: sc,
			Refresh: refresh, Preview: !d.Public()}
		if err := view.ScreenPage(p, v).Render(r.Context(), &buf); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if cacheable {
		s.pages.storePage(gen, key, now, buf.Bytes())
	}
	writeScreen(w, asJSON, buf.Bytes())
}

func writeScreen(w http.ResponseWriter, asJSON bool, b []byte) {
	w.Header().Set("Cache-Control", "no-cache")
	if !asJSON {
		writeHTML(w, http.StatusOK, b)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// The JSON of a room screen. Times are RFC 3339 in the meeting's time zone (its offset given);
// days are YYYY-MM-DD in that zone.
type screenDoc struct {
	Meeting     string          `json:"meeting"`
	Title       string          `json:"title"`
	Language    string          `json:"language"`
	TimeZone    string          `json:"time_zone"`
	Now         string          `json:"now"`
	Today       string          `json:"today"`
	Room        string          `json:"room,omitempty"`
	UnknownRoom bool            `json:"unknown_room,omitempty"`
	Sessions    []screenSession `json:"sessions"`
	NextDay     string          `json:"next_day,omitempty"`
	Next        []screenSession `json:"next"`
	Rooms       []string        `json:"rooms"`
}

type screenSession struct {
	WorkingParty string `json:"working_party"`
	Title        string `json:"title"`
	Room         string `json:"room"`
	Start        string `json:"start"`
	End          string `json:"end"`
	Now          bool   `json:"now"`
}

func screenJSONOf(d *domain.MeetingDetail, sc domain.Screen, lang string) screenDoc {
	doc := screenDoc{Meeting: d.Slug, Title: d.Title.In(lang), Language: lang, TimeZone: d.TimeZone,
		Now: sc.Now.Format(time.RFC3339), Today: sc.Today.Format(time.DateOnly), Room: sc.Name(sc.Room, lang), UnknownRoom: sc.UnknownRoom,
		Sessions: screenSessions(sc.Sessions, lang), Next: screenSessions(sc.Next, lang), Rooms: sc.Rooms}
	if doc.Rooms == nil {
		doc.Rooms = []string{}
	}
	if !sc.NextDay.IsZero() {
		doc.NextDay = sc.NextDay.Format(time.DateOnly)
	}
	return doc
}

func screenSessions(ss []domain.ScreenSession, lang string) []screenSession {
	out := make([]screenSession, 0, len(ss))
	for _, s := range ss {
		x := screenSession{WorkingParty: s.WorkingParty.Code, Title: s.WorkingParty.Title.In(lang), Room: strings.TrimSpace(s.Room.In(lang)),
			Start: s.Start.Format(time.RFC3339), End: s.End.Format(time.RFC3339), Now: s.Now}
		out = append(out, x)
	}
	return out
}
