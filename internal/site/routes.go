package site

import (
	"io/fs"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"plenary/internal/domain"
	"plenary/web"
)

// Handler returns the whole site.
func (s *Server) Handler() http.Handler { return s.metrics.wrap(s.Routes()) }

// Routes returns the site's router, without the metrics: every route is listed here (tests walk
// them).
func (s *Server) Routes() chi.Router {
	r := chi.NewRouter()
	if s.opts.TrustProxy {
		r.Use(forwardedFor)
	}
	r.Use(s.recoverer, s.requestID, s.logRequests, securityHeaders, s.deadlines, s.cleanInput)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) })
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusMethodNotAllowed, "error.method_title", "error.method")
	})

	// Operations: no session, no locale.
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Handle("/static/*", http.StripPrefix("/static/", staticFiles(web.Static())))
	r.Get("/favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

	// The scanner device API (api_desk.go): JSON, a device's bearer token, no session and no
	// cookie, so no browser's authority reaches it and the cross-origin protection is not needed.
	r.Route("/api/desk", func(r chi.Router) {
		r.Use(s.apiLocale)
		r.NotFound(s.apiNotFound)
		r.MethodNotAllowed(s.apiMethodNotAllowed)
		r.Post("/register", s.apiRegister)
		r.Group(func(r chi.Router) {
			r.Use(s.deviceAuth)
			r.Get("/meeting", s.apiMeeting)
			r.Post("/redeem", s.apiRedeem)
			r.Post("/sync", s.apiSync)
			r.Get("/valid", s.apiValid)
			r.Get("/revoked", s.apiRevoked)
		})
	})

	r.Group(func(r chi.Router) {
		r.Use(crossOrigin, s.loadSession, s.authenticate, s.locale)

		// Public pages.
		r.Get("/", s.home)
		r.Get("/meetings/{slug}", s.meetingShow)
		r.Get("/meetings/{slug}/agenda", s.agendaShow)
		r.Get("/meetings/{slug}/agenda/{wp}", s.agendaShow)
		r.Get("/meetings/{slug}/agenda.ics", s.agendaICS)
		// Room screens (screen.go): a page and the same data as JSON.
		r.Get("/meetings/{slug}/screen", s.screenShow)
		r.Get("/meetings/{slug}/screen.json", s.screenJSON)
		r.Post("/language", s.languageSet)

		// Accounts.
		r.Get("/signup", s.signupForm)
		r.Post("/signup", s.signupSubmit)
		r.Get("/login", s.loginForm)
		r.Post("/login", s.loginSubmit)
		r.Post("/logout", s.logout)
		r.Get("/reset", s.resetRequestForm)
		r.Post("/reset", s.resetRequestSubmit)
		r.Get("/reset/{token}", s.resetForm)
		r.Post("/reset/{token}", s.resetSubmit)
		r.Get("/verify/{token}", s.verifyForm)
		r.Post("/verify/{token}", s.verifySubmit)

		// Signed-in pages.
		r.Group(func(r chi.Router) {
			r.Use(s.requireSignIn)
			r.Get("/me", s.meShow)
			r.Get("/me/account", s.accountShow)
			r.Post("/me/account", s.accountProfileSubmit)
			r.Post("/me/email", s.accountEmailSubmit)
			r.Post("/me/password", s.accountPasswordSubmit)
			r.Post("/me/verify", s.verifyResend)
			r.Get("/meetings/{slug}/register", s.registerForm)
			r.Post("/meetings/{slug}/register", s.registerSubmit)
			// Cancel and change of mode: the owner, a focal point of the organisation or the
			// secretariat; the domain layer decides.
			r.Get("/registrations/{id}/cancel", s.registrationCancelAsk)
			r.Post("/registrations/{id}/cancel", s.registrationCancel)
			r.Post("/registrations/{id}/mode", s.registrationMode)
			r.Get("/registrations/{id}/colocated", s.colocatedForm)
			r.Post("/registrations/{id}/colocated", s.colocatedSubmit)
			// The confirmation of an approved registration (the desk service decides who sees it).
			r.Get("/registrations/{id}/calendar.ics", s.registrationICS)
			r.Get("/registrations/{id}/edit", s.registrationEditForm)
			r.Post("/registrations/{id}/edit", s.registrationEditSubmit)
			r.Get("/registrations/{id}/confirmation", s.confirmationShow)
			r.Get("/registrations/{id}/confirmation.pdf", s.confirmationPDF)
			// The photo for the badge (registration_photo.go): the page, the picture (the
			// domain's CanSeePhoto decides who sees it) and its removal, asked first.
			r.Get("/registrations/{id}/photo", s.photoShow)
			r.With(s.limit(s.uploads)).Post("/registrations/{id}/photo", s.photoSubmit)
			r.Get("/registrations/{id}/photo.jpg", s.photoImage)
			r.Get("/registrations/{id}/photo/remove", s.photoRemoveAsk)
			r.Post("/registrations/{id}/photo/remove", s.photoRemove)
		})

		// Visa support letters: the public page a letter's QR code points to; the request of a
		// registration and its letter (the owner and the secretariat: the domain decides). The
		// secretariat's queue is under /secretariat.
		r.Get("/v/{token}", s.letterVerify)
		r.Group(func(r chi.Router) {
			r.Use(s.requireSignIn)
			r.Get("/registrations/{id}/visa", s.visaForm)
			r.Post("/registrations/{id}/visa", s.visaSubmit)
			r.Get("/visas/{id}/letter.pdf", s.letterDownload)
		})

		// Documents. Titles are public, files for members; the domain layer decides who may post,
		// revise and download, the secretariat alone edits and withdraws.
		r.Get("/meetings/{slug}/documents", s.documentList)
		// Transfers are counted: past the limit, 503 with Retry-After at once (transfer.go).
		r.With(s.limit(s.downloads)).Get("/meetings/{slug}/documents.zip", s.documentArchive)
		r.Get("/meetings/{slug}/documents/{doc}", s.documentShow)
		r.With(s.limit(s.downloads)).Get("/meetings/{slug}/documents/{doc}/file", s.documentFile)
		r.With(s.limit(s.downloads)).Get("/meetings/{slug}/documents/{doc}/rev/{rev}", s.documentFile)
		r.With(s.requireSignIn).Get("/meetings/{slug}/documents/new", s.documentNewForm)
		r.With(s.requireSignIn, s.limit(s.uploads)).Post("/meetings/{slug}/documents/new", s.documentSubmit)
		r.With(s.requireSignIn, s.limit(s.uploads)).Post("/meetings/{slug}/documents/{doc}/revisions", s.documentRevise)
		r.With(s.requireSecretariat).Get("/meetings/{slug}/documents/{doc}/edit", s.documentEditForm)
		r.With(s.requireSecretariat).Post("/meetings/{slug}/documents/{doc}/edit", s.documentUpdate)
		r.With(s.requireSecretariat).Post("/meetings/{slug}/documents/{doc}/withdraw", s.documentWithdraw)
		r.With(s.requireFocalPoint).Get("/focal/members", s.membersList)
		r.With(s.requireFocalPoint).Post("/focal/members/{account}/confirm", s.memberConfirm)
		r.With(s.requireFocalPoint).Post("/focal/members/{account}/revoke", s.memberRevoke)

		// The registration desk: desk staff of the meeting and the secretariat (the domain's
		// WorkDesk permission, checked by each handler).
		r.Route("/desk", func(r chi.Router) {
			r.Use(s.requireSignIn)
			r.Get("/", s.deskHome)
			r.Get("/{slug}", s.deskShow)
			r.Post("/{slug}/name", s.deskSetName)
			r.Post("/{slug}/list", s.deskSetList)
			r.Post("/{slug}/check-in", s.deskCheckIn)
			r.Post("/{slug}/badge", s.deskBadge)
			r.With(s.limit(s.uploads)).Post("/{slug}/photo", s.deskPhoto)
			r.Get("/{slug}/badges/{token}/badge.pdf", s.deskBadgePDF)
		})
		// The day's figures: the secretariat and the meeting's desk staff (figures.go; the domain
		// decides, so it is outside the secretariat's area).
		r.With(s.requireSignIn).Get("/secretariat/meetings/{id}/figures", s.figuresPage)
		r.With(s.requireSecretariat).Get("/secretariat/meetings/{id}/desk-staff", s.deskStaffPage)
		r.With(s.requireSecretariat).Post("/secretariat/meetings/{id}/desk-staff", s.deskStaffAdd)
		r.With(s.requireSecretariat).Post("/secretariat/meetings/{id}/desk-staff/{account}/remove", s.deskStaffRemove)
		// Scanner devices (desk_devices.go): registered with a one-time code, revocable.
		r.With(s.requireSecretariat).Get("/secretariat/meetings/{id}/devices", s.devicesPage)
		r.With(s.requireSecretariat).Post("/secretariat/meetings/{id}/devices", s.devicesAdd)
		r.With(s.requireSecretariat).Post("/secretariat/meetings/{id}/devices/{device}/revoke", s.devicesRevoke)

		// Focal points.
		r.Route("/focal", func(r chi.Router) {
			r.Use(s.requireFocalPoint)
			r.Get("/", s.focalList)
			r.Post("/decide", s.focalDecide)
			r.Get("/approve-all", s.focalApproveAllAsk)
			r.Get("/register", s.focalRegisterForm)
			r.Post("/register", s.focalRegisterSubmit)
			r.Post("/auto-approval", s.focalAutoApproval)
			r.Post("/mail", s.focalMail)
			r.Get("/export.csv", s.focalExportCSV)
			r.Get("/export.xlsx", s.focalExportXLSX)
		})

		// Secretariat.
		r.Route("/secretariat", func(r chi.Router) {
			r.Use(s.requireSecretariat)
			r.Get("/", s.secretariatHome)
			r.Get("/meetings/new", s.meetingNewForm)
			r.Post("/meetings/new", s.meetingCreate)
			// The meeting editor: an overview, then one page per section, each saved on its own.
			r.Get("/meetings/{id}", s.meetingOverview)
			r.Post("/meetings/{id}/copy", s.meetingCopy)
			r.Post("/meetings/{id}/publish", s.meetingPublish)
			r.Post("/meetings/{id}/unpublish", s.meetingUnpublish)
			r.Get("/meetings/{id}/history", s.meetingHistory)
			r.Get("/meetings/{id}/translations", s.meetingTranslations)
			// Check-in lists: the meeting's entry, rooms and co-located events, with who is inside.
			r.Get("/meetings/{id}/check-in-lists", s.checkInListsPage)
			r.Post("/meetings/{id}/check-in-lists", s.checkInListCreate)
			r.Get("/meetings/{id}/check-in-lists/{list}", s.checkInListEdit)
			r.Post("/meetings/{id}/check-in-lists/{list}", s.checkInListSave)
			r.Get("/meetings/{id}/details", s.meetingSection(domain.SectionDetails))
			r.Post("/meetings/{id}/details", s.detailsSave)
			r.Get("/meetings/{id}/deadlines", s.meetingSection(domain.SectionDeadlines))
			r.Post("/meetings/{id}/deadlines", s.deadlinesSave)
			r.Get("/meetings/{id}/sessions", s.meetingSection(domain.SectionSessions))
			r.Post("/meetings/{id}/sessions", s.sessionsSave)
			r.Get("/meetings/{id}/desk", s.meetingSection(domain.SectionDesk))
			r.Post("/meetings/{id}/desk", s.deskSave)
			r.Get("/meetings/{id}/colocated", s.meetingSection(domain.SectionColocated))
			r.Post("/meetings/{id}/colocated", s.colocatedSave)
			r.Get("/meetings/{id}/agenda", s.meetingSection(domain.SectionAgenda))
			r.Post("/meetings/{id}/agenda", s.agendaSave)
			r.Get("/meetings/{id}/work-items", s.meetingSection(domain.SectionWorkItems))
			r.Post("/meetings/{id}/work-items", s.workItemsSave)
			r.Get("/meetings/{id}/registrations", s.secRegistrations)
			r.Post("/meetings/{id}/registrations/decide", s.secDecide)
			r.Get("/meetings/{id}/registrations/approve-all", s.secApproveAllAsk)
			r.Get("/meetings/{id}/registrations/new", s.secRegisterForm)
			r.Post("/meetings/{id}/registrations/new", s.secRegisterSubmit)
			r.Get("/meetings/{id}/registrations/export.csv", s.secExportCSV)
			r.Get("/meetings/{id}/registrations/export.xlsx", s.secExportXLSX)
			r.Get("/meetings/{id}/participants", s.participantsPage)
			r.Get("/meetings/{id}/participants.csv", s.participantsCSV)
			r.Get("/meetings/{id}/participants.xlsx", s.participantsXLSX)
			// Visa support letters.
			r.Get("/meetings/{id}/visas", s.visaQueue)
			r.Get("/meetings/{id}/visas.csv", s.visaExportCSV)
			r.Post("/meetings/{id}/visas/issue", s.visaIssue)
			r.Post("/meetings/{id}/visas/{visa}/decline", s.visaDecline)
			// The letterhead, signatory and language of visa support letters.
			r.Get("/meetings/{id}/letter", s.letterSettingsForm)
			r.Post("/meetings/{id}/letter", s.letterSettingsSave)
			r.Get("/meetings/{id}/letter/signature", s.letterSignature)
			r.Get("/study-groups/{id}/letter", s.letterSettingsForm)
			r.Post("/study-groups/{id}/letter", s.letterSettingsSave)
			r.Get("/study-groups/{id}/letter/signature", s.letterSignature)
			r.Get("/representations", s.representationList)
			r.Post("/representations", s.representationAdd)
			r.Post("/representations/{id}/active", s.representationActive)
			r.Get("/mail", s.mailList)
			r.Get("/organisations", s.organisationList)
			r.Get("/organisations/new", s.organisationNewForm)
			r.Post("/organisations/new", s.organisationCreate)
			r.Get("/organisations/{id}", s.organisationEditForm)
			r.Post("/organisations/{id}", s.organisationUpdate)
			r.Post("/organisations/{id}/names", s.organisationNamesSave)
			r.Post("/organisations/{id}/focal-points", s.focalPointAdd)
			r.Post("/organisations/{id}/focal-points/{account}/remove", s.focalPointRemove)
			r.Get("/study-groups/{id}", s.studyGroupForm)
			r.Post("/study-groups/{id}", s.studyGroupSave)
		})
	})
	return r
}

// MetricsHandler serves the Prometheus metrics. It is not part of Handler: the app serves it on
// its own address (METRICS_ADDR), which the public does not reach.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{})
}

// staticFiles serves the embedded assets; their URLs carry a version, so they are cached long.
func staticFiles(fsys fs.FS) http.Handler {
	h := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		h.ServeHTTP(w, r)
	})
}
