package site

import "net/http"

// mailList shows the secretariat the mail the portal has queued, sent or kept (stub until the mail
// work lands).
func (s *Server) mailList(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
