package site

import (
	"net/http"

	"github.com/a-h/templ"

	"plenary/web/view"
)

// documentList shows a meeting's documents: titles to everyone, files to members. Visitors'
// pages are cached until the meeting (or one of its documents) changes.
func (s *Server) documentList(w http.ResponseWriter, r *http.Request) {
	slug := urlParam(r, "slug")
	s.publicPage(w, r, slug, func(p view.Page) (templ.Component, error) {
		m, err := s.visibleMeeting(r, slug)
		if err != nil {
			return nil, err
		}
		f, vals := documentFilter(m, r.URL.Query())
		list, err := s.svc.Documents.List(r.Context(), actorOf(r), m, f)
		if err != nil {
			return nil, err
		}
		form := view.NewForm()
		for k, v := range vals {
			form.Values[k] = v
		}
		form.Values["q"] = r.URL.Query().Get("q")
		p.Title = p.T.T("doc.list_title")
		return view.DocumentsPage(p, view.DocumentListData{
			Meeting: m, Page: list.Page, Filter: form, Access: list.Access, Query: filterQuery(vals),
			FocalPoint: actorOf(r).IsFocalPoint(),
		}), nil
	})
}

// documentShow shows one document: its details and every revision.
func (s *Server) documentShow(w http.ResponseWriter, r *http.Request) {
	slug := urlParam(r, "slug")
	s.publicPage(w, r, slug, func(p view.Page) (templ.Component, error) {
		m, d, err := s.documentOf(r)
		if err != nil {
			return nil, err
		}
		data, err := s.documentData(r, m, d)
		if err != nil {
			return nil, err
		}
		p.Title = d.Label() + " " + d.Title
		return view.DocumentPage(p, data), nil
	})
}
