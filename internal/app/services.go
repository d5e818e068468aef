package app

import (
	"log/slog"
	"sync"

	"plenary/internal/blob"
	"plenary/internal/blob/pgblob"
	"plenary/internal/i18n"
	"plenary/internal/mail"
	"plenary/internal/postgres"
	"plenary/internal/service"
	"plenary/internal/visaletter"
	"plenary/web"
)

// NewServices builds the use cases over the store: each service gets the store's transaction as
// the interface it declares (postgres.TxFor), and the store's read side where it needs one. now
// is the clock (time.Now; tests pass their own).
func NewServices(db *postgres.DB, now service.Clock) service.Services {
	return NewServicesWith(db, now, ServiceOptions{})
}

// ServiceOptions are what some use cases need beyond the store: where links in mail point and
// the catalogues mail is written from.
type ServiceOptions struct {
	// BaseURL is the portal's address, for links in mail (default http://localhost:8080).
	BaseURL string
	// Catalogue is the message catalogues (default: the embedded ones).
	Catalogue *i18n.Catalogue
	// Hash and Verify hash and check passwords (default HashPassword and VerifyPassword:
	// argon2id with PasswordParams; tests pass cheaper ones).
	Hash   func(string) (string, error)
	Verify func(password, hash string) (bool, error)
	// LetterFonts are the fonts visa letters embed (default: Debian's, read once).
	LetterFonts *visaletter.Fonts
	// Files stores the documents' and photos' files (default: in PostgreSQL alone, see
	// OpenFiles for object storage); Log is its logger (default slog.Default()).
	Files *service.Files
	Log   *slog.Logger
}

var embeddedCatalogue = sync.OnceValues(func() (*i18n.Catalogue, error) { return i18n.Load(web.Locales()) })

// NewServicesWith is NewServices with options.
func NewServicesWith(db *postgres.DB, now service.Clock, o ServiceOptions) service.Services {
	if o.BaseURL == "" {
		o.BaseURL = "http://localhost:8080"
	}
	if o.Hash == nil {
		o.Hash = HashPassword
	}
	if o.Verify == nil {
		o.Verify = VerifyPassword
	}
	if o.Catalogue == nil {
		cat, err := embeddedCatalogue()
		if err != nil {
			panic("app: the embedded catalogues do not load: " + err.Error())
		}
		o.Catalogue = cat
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Files == nil {
		o.Files = service.NewFiles(blob.NewStores(pgblob.New(db.Pool)), db, o.Log, 4)
	}
	return service.Services{
		Registrations: service.NewRegistrations(service.RegistrationsDeps{
			Tx:        postgres.TxFor(db, func(t *postgres.Tx) service.RegistrationTx { return t }),
			Submit:    db,
			Reads:     db,
			Mine:      db,
			Colocated: postgres.TxFor(db, func(t *postgres.Tx) service.ColocatedTx { return t }),
			OnBehalf:  db,
			Now:       now,
		}),
		// The documents' files and the desk's photos are stored in the same files service.
		Documents: service.NewDocuments(db, now).WithFiles(o.Files),
		Desk: service.NewDesk(service.DeskDeps{
			Tx:    postgres.TxFor(db, func(t *postgres.Tx) service.DeskTx { return t }),
			Now:   now,
			Keys:  db,
			Reads: db,
			Life:  db.Life(),
			Files: o.Files,
		}),
		Devices: service.NewDevices(service.DevicesDeps{
			Tx:    postgres.TxFor(db, func(t *postgres.Tx) service.DeviceTx { return t }),
			Reads: db,
			Now:   now,
		}),
		Accounts: service.NewAccounts(service.AccountsDeps{
			Tx:      postgres.TxFor(db, func(t *postgres.Tx) service.AccountTx { return t }),
			Reads:   db,
			Write:   mail.AccountWriter(o.Catalogue, o.BaseURL),
			Hash:    o.Hash,
			Verify:  o.Verify,
			BaseURL: o.BaseURL,
			Now:     now,
		}),
		Meetings: service.NewMeetings(service.MeetingsDeps{
			Tx:    postgres.TxFor(db, func(t *postgres.Tx) service.MeetingTx { return t }),
			Reads: db,
			Now:   now,
		}),
		FocalMail:       service.NewFocalMail(postgres.TxFor(db, func(t *postgres.Tx) service.FocalMailTx { return t }), db),
		Focal:           service.NewFocal(postgres.TxFor(db, func(t *postgres.Tx) service.FocalTx { return t }), db, now),
		Figures:         service.NewFigures(db, now),
		DeskStaff:       service.NewDeskStaff(postgres.TxFor(db, func(t *postgres.Tx) service.RoleTx { return t }), db),
		Members:         service.NewMembers(postgres.TxFor(db, func(t *postgres.Tx) service.MemberTx { return t }), db, now),
		Representations: service.NewRepresentations(postgres.TxFor(db, func(t *postgres.Tx) service.RepresentationTx { return t }), db),
		Outbox:          service.NewOutbox(db),
		StudyGroups:     service.NewStudyGroups(postgres.TxFor(db, func(t *postgres.Tx) service.StudyGroupTx { return t }), db),
		Visas: service.NewVisas(service.VisasDeps{
			Tx:      postgres.TxFor(db, func(t *postgres.Tx) service.VisaTx { return t }),
			Reads:   db,
			Letters: letterWriter{db: db, fonts: o.LetterFonts, baseURL: o.BaseURL, cat: o.Catalogue},
			Now:     now,
		}),
		Organisations: service.NewOrganisations(postgres.TxFor(db, func(t *postgres.Tx) service.OrganisationTx { return t }), db),
		Throttle:      service.NewThrottle(db),
		Health:        service.NewHealth(db),
		Letters:       service.NewLetterSettings(postgres.TxFor(db, func(t *postgres.Tx) service.LetterSettingsTx { return t }), db),
	}
}
