package postgres

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
	"plenary/internal/visaletter"
)

// LetterOptions is what writing a letter needs besides the data: the fonts to embed, the
// site's public address, for the verification URL, and the languages letters are written in.
type LetterOptions struct {
	Fonts   *visaletter.Fonts
	BaseURL string
	// Words returns a language's messages and dates (the catalogue's translator of the tag).
	Words func(lang string) visaletter.Words
}

// VerifyPath is the path of a letter's public verification page.
func VerifyPath(token string) string { return "/v/" + token }

// letterToken returns a new unguessable token: 160 random bits in lower-case base32 (32
// characters, easy to type from paper).
func letterToken() (string, error) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("postgres: letter token: %w", err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])), nil
}

// letterFacts is what a letter prints about its meeting and holder, read in one query.
type letterFacts struct {
	ID       int64       `db:"id"`
	OrgName  string      `db:"org_name"`
	Slug     string      `db:"slug"`
	Title    domain.Text `db:"title"`
	City     domain.Text `db:"city"`
	Venue    domain.Text `db:"venue"`
	TimeZone string      `db:"time_zone"`
	FirstDay time.Time   `db:"first_day"`
	LastDay  time.Time   `db:"last_day"`
	SGCode   string      `db:"sg_code"`
	SGTitle  domain.Text `db:"sg_title"`
	SGEmail  string      `db:"sg_email"`
	SGPhone  string      `db:"sg_phone"`
}

// studyGroupNumber is the number a letter names a study group by: "13" for SG13.
func studyGroupNumber(code string) string {
	if n, ok := strings.CutPrefix(code, "SG"); ok && n != "" {
		return n
	}
	return code
}

// querier reads: a transaction, or the pool outside any.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// StoreLetters stores letters written and rendered beforehand (WriteLetters).
func (t *Tx) StoreLetters(ctx context.Context, ls []service.Letter) error {
	if len(ls) == 0 {
		return nil
	}
	src := make([][]any, len(ls))
	for i, l := range ls {
		src[i] = []any{l.VisaID, l.MeetingID, int32(l.Revision), l.Reference, l.Token, l.HolderName, l.IssuedOn, l.IssuedAt, l.IssuedBy, l.PDF}
	}
	_, err := t.CopyFrom(ctx, pgx.Identifier{"visa_letters"},
		[]string{"visa_request_id", "meeting_id", "revision", "reference", "token", "holder_name", "issued_on", "issued_at", "issued_by", "pdf"},
		pgx.CopyFromRows(src))
	if err != nil {
		return fmt.Errorf("postgres: store letters: %w", err)
	}
	return nil
}

// WriteLetters reads what the letters of vs (their Revision already raised) say, from the pool
// (no lock, no transaction), and renders them on every core with opts: the letters to store,
// in vs's order, each with a new token.
func (db *DB) WriteLetters(ctx context.Context, opts LetterOptions, actor domain.Actor, vs []domain.VisaRequest, now time.Time) ([]service.Letter, error) {
	tx := db.Pool
	if opts.Fonts == nil || opts.Words == nil {
		return nil, fmt.Errorf("postgres: issue letters: no fonts or no languages")
	}
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	rows, err := tx.Query(ctx, `SELECT v.id, o.name AS org_name, m.slug, m.title, m.city, m.venue, m.time_zone, m.first_day,
			m.last_day, g.code AS sg_code, g.title AS sg_title, g.email AS sg_email, g.phone AS sg_phone
		FROM visa_requests v
		JOIN organisations o ON o.id = v.organisation_id
		JOIN meetings m ON m.id = v.meeting_id
		JOIN study_groups g ON g.id = m.study_group_id
		WHERE v.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: letter facts: %w", err)
	}
	facts, err := pgx.CollectRows(rows, pgx.RowToStructByName[letterFacts])
	if err != nil {
		return nil, fmt.Errorf("postgres: letter facts: %w", err)
	}
	byID := make(map[int64]letterFacts, len(facts))
	for _, f := range facts {
		byID[f.ID] = f
	}
	// The letterhead and signatory of each meeting's letters: a letter lacking them is not issued.
	meetingIDs := make([]int64, 0, len(vs))
	for _, v := range vs {
		meetingIDs = append(meetingIDs, v.MeetingID)
	}
	settings, err := effectiveLetterSettings(ctx, tx, meetingIDs)
	if err != nil {
		return nil, err
	}
	meetingOf := make(map[int64]int64, len(vs))
	for _, v := range vs {
		if err := settings[v.MeetingID].CanIssueLetters().Err(); err != nil {
			return nil, err
		}
		meetingOf[v.ID] = v.MeetingID
	}
	// The co-located events each holder attends, which the period of stay covers.
	events := map[int64][]visaletter.Event{}
	rows, _ = tx.Query(ctx, `SELECT v.id, e.title, e.first_day, e.last_day
		FROM visa_requests v
		JOIN registration_colocated_events c ON c.registration_id = v.registration_id
		JOIN colocated_events e ON e.id = c.colocated_event_id
		WHERE v.id = ANY($1) ORDER BY v.id, e.first_day, e.last_day, e.id`, ids)
	var vid int64
	var ev visaletter.Event
	var title domain.Text
	if _, err := pgx.ForEachRow(rows, []any{&vid, &title, &ev.FirstDay, &ev.LastDay}, func() error {
		ev.Title = title.In(settings[meetingOf[vid]].Language)
		events[vid] = append(events[vid], ev)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: letter events: %w", err)
	}
	// The representation each letter is addressed to, named in the letter's language; one
	// removed from the list meanwhile keeps the name the request recorded.
	// (Read by the id each request of vs names, which may be a change not stored yet.)
	repIDs := make([]int64, 0, len(vs))
	for _, v := range vs {
		if v.RepresentationID != nil {
			repIDs = append(repIDs, *v.RepresentationID)
		}
	}
	reps := map[int64]domain.Representation{}
	rows, _ = tx.Query(ctx, `SELECT r.id, r.kind, r.city, r.country FROM swiss_representations r WHERE r.id = ANY($1)`, repIDs)
	var rid int64
	var rep domain.Representation
	if _, err := pgx.ForEachRow(rows, []any{&rid, &rep.Kind, &rep.City, &rep.Country}, func() error {
		reps[rid] = rep
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: letter representations: %w", err)
	}
	letters := make([]visaletter.Letter, len(vs))
	tokens := make([]string, len(vs))
	refs := make([]string, len(vs))
	issuedOn := make([]time.Time, len(vs))
	for i, v := range vs {
		f, ok := byID[v.ID]
		if !ok {
			return nil, fmt.Errorf("postgres: letter facts of request %d: missing", v.ID)
		}
		if tokens[i], err = letterToken(); err != nil {
			return nil, err
		}
		st := settings[v.MeetingID]
		words := opts.Words(st.Language)
		to := v.Representation
		if r, ok := reps[repOf(v)]; ok && r.Name() == v.Representation {
			key := "vletter.embassy"
			if r.Kind == domain.ConsulateGeneral {
				key = "vletter.consulate_general"
			}
			to = words.T(key, "City", r.City, "Country", r.Country)
		}
		m := domain.Meeting{TimeZone: f.TimeZone}
		issuedOn[i] = domain.Today(now, m.Location())
		refs[i] = domain.VisaReference(f.Slug, v.ID, v.Revision)
		letters[i] = visaletter.Letter{
			Reference: refs[i], IssuedOn: issuedOn[i], Representation: to, Words: words,
			Holder: visaletter.Holder{Name: v.Name, BirthDate: v.BirthDate, BirthPlace: v.BirthPlace, Nationality: v.Nationality,
				PassportNumber: v.Number, PassportIssued: v.Issued, PassportExpires: v.Expires, IssuingCountry: v.IssuingCountry,
				Organisation: f.OrgName},
			MeetingTitle: f.Title.In(st.Language), StudyGroup: studyGroupNumber(f.SGCode), GroupTitle: f.SGTitle.In(st.Language),
			City: f.City.In(st.Language), Venue: f.Venue.In(st.Language), FirstDay: f.FirstDay, LastDay: f.LastDay, Colocated: events[v.ID],
			SecretariatName: st.SecretariatName, Address: st.AddressLines(), SignatoryName: st.SignatoryName,
			SignatoryTitle: st.SignatoryTitle, Signature: st.Signature, SignatureType: st.SignatureType,
			Email: f.SGEmail, Phone: f.SGPhone, VerifyURL: strings.TrimRight(opts.BaseURL, "/") + VerifyPath(tokens[i]),
		}
	}
	pdfs, err := visaletter.RenderAll(ctx, opts.Fonts, letters)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	out := make([]service.Letter, len(vs))
	for i, v := range vs {
		out[i] = service.Letter{VisaID: v.ID, MeetingID: v.MeetingID, Revision: v.Revision, Reference: refs[i], Token: tokens[i],
			HolderName: v.Name, IssuedOn: issuedOn[i], IssuedAt: now, IssuedBy: actor.ID, PDF: pdfs[i]}
	}
	return out, nil
}

// repOf is the id of the representation v names, 0 for none.
func repOf(v domain.VisaRequest) int64 {
	if v.RepresentationID == nil {
		return 0
	}
	return *v.RepresentationID
}

// LetterFile is a letter's PDF with its reference (the domain's).
type LetterFile = domain.LetterFile

// CurrentLetter returns the current letter of a request, with the request's owner, organisation
// and state (for the use case's check of who may have it); NotFound when there is none.
func (db *DB) CurrentLetter(ctx context.Context, visaID int64) (domain.VisaRequest, LetterFile, error) {
	var f LetterFile
	var v domain.VisaRequest
	err := db.Pool.QueryRow(ctx, `SELECT v.id, v.account_id, v.organisation_id, v.state, l.reference, l.pdf
		FROM visa_requests v JOIN visa_letters l ON l.visa_request_id = v.id AND l.revision = v.revision
		WHERE v.id = $1 AND l.pdf IS NOT NULL`, visaID).Scan(&v.ID, &v.AccountID, &v.OrganisationID, &v.State, &f.Reference, &f.PDF)
	if err != nil {
		return domain.VisaRequest{}, LetterFile{}, notFound(err, "error.letter_not_found")
	}
	return v, f, nil
}

// The read models of the lists are the domain's (domain/visa_list.go).
type (
	LetterCheck = domain.LetterCheck
)

// VerifyLetter looks a letter up by its token. An unknown token is NotFound. After erasure only
// the status (expired) and the meeting are told.
func (db *DB) VerifyLetter(ctx context.Context, token string) (LetterCheck, error) {
	var c LetterCheck
	var superseded, erased *time.Time
	var state domain.VisaState
	var current *string
	if len(token) > 64 {
		return c, domain.Errorf(domain.NotFound, "error.letter_not_found")
	}
	err := db.Pool.QueryRow(ctx, `SELECT l.reference, l.holder_name, m.title, m.city, m.first_day, m.last_day, l.issued_on,
			l.superseded_at, l.erased_at, v.state,
			(SELECT c.reference FROM visa_letters c WHERE c.visa_request_id = l.visa_request_id AND c.revision = v.revision)
		FROM visa_letters l JOIN visa_requests v ON v.id = l.visa_request_id JOIN meetings m ON m.id = l.meeting_id
		WHERE l.token = $1`, strings.ToLower(token)).Scan(&c.Reference, &c.HolderName, &c.MeetingTitle, &c.City,
		&c.FirstDay, &c.LastDay, &c.IssuedOn, &superseded, &erased, &state, &current)
	if err != nil {
		return LetterCheck{}, notFound(err, "error.letter_not_found")
	}
	switch {
	case erased != nil:
		c.Status = domain.LetterExpired
		c.HolderName = ""
	case superseded != nil:
		c.Status = domain.LetterSuperseded
		if current != nil && *current != c.Reference {
			c.Current = *current
		}
	case state == domain.VisaWithdrawn:
		c.Status = domain.LetterWithdrawn
	default:
		c.Status = domain.LetterValid
	}
	return c, nil
}
