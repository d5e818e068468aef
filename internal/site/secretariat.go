package site

import "net/http"

// Handlers of the secretariat's pages not written yet answer 404.
func (s *Server) secretariatHome(w http.ResponseWriter, r *http.Request)      { s.notFound(w, r) }
func (s *Server) meetingNewForm(w http.ResponseWriter, r *http.Request)       { s.notFound(w, r) }
func (s *Server) meetingCreate(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
func (s *Server) meetingEditForm(w http.ResponseWriter, r *http.Request)      { s.notFound(w, r) }
func (s *Server) meetingUpdate(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
func (s *Server) meetingCopy(w http.ResponseWriter, r *http.Request)          { s.notFound(w, r) }
func (s *Server) sessionsSave(w http.ResponseWriter, r *http.Request)         { s.notFound(w, r) }
func (s *Server) deskSave(w http.ResponseWriter, r *http.Request)             { s.notFound(w, r) }
func (s *Server) colocatedSave(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
func (s *Server) agendaSave(w http.ResponseWriter, r *http.Request)           { s.notFound(w, r) }
func (s *Server) workItemsSave(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
func (s *Server) organisationList(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) organisationNewForm(w http.ResponseWriter, r *http.Request)  { s.notFound(w, r) }
func (s *Server) organisationCreate(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) organisationEditForm(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) organisationUpdate(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) focalPointAdd(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
func (s *Server) focalPointRemove(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) studyGroupForm(w http.ResponseWriter, r *http.Request)       { s.notFound(w, r) }
func (s *Server) studyGroupSave(w http.ResponseWriter, r *http.Request)       { s.notFound(w, r) }
