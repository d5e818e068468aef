package site

import "net/http"

// Secretariat registration pages: written by the lists work (stubs answer 404 until then).
func (s *Server) secRegistrations(w http.ResponseWriter, r *http.Request)  { s.notFound(w, r) }
func (s *Server) secDecide(w http.ResponseWriter, r *http.Request)         { s.notFound(w, r) }
func (s *Server) secRegisterForm(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) secRegisterSubmit(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) secExportCSV(w http.ResponseWriter, r *http.Request)      { s.notFound(w, r) }
func (s *Server) secExportXLSX(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) participantsPage(w http.ResponseWriter, r *http.Request)  { s.notFound(w, r) }
func (s *Server) participantsCSV(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) participantsXLSX(w http.ResponseWriter, r *http.Request)  { s.notFound(w, r) }
