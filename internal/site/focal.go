package site

import "net/http"

// Focal point pages: written by the lists work (stubs answer 404 until then).
func (s *Server) focalList(w http.ResponseWriter, r *http.Request)           { s.notFound(w, r) }
func (s *Server) focalDecide(w http.ResponseWriter, r *http.Request)         { s.notFound(w, r) }
func (s *Server) focalRegisterForm(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) focalRegisterSubmit(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) focalAutoApproval(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) focalExportCSV(w http.ResponseWriter, r *http.Request)      { s.notFound(w, r) }
func (s *Server) focalExportXLSX(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
