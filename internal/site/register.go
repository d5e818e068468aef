package site

import "net/http"

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request)       { s.notFound(w, r) }
func (s *Server) registerSubmit(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) registrationCancel(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) registrationMode(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
