package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/batch"
	"plenary/internal/domain"
	"plenary/internal/service"
)

// regKey names a registration being made: who acts, for whom, at which meeting, and when.
type regKey struct {
	actor        domain.Actor
	meetingID    int64
	registrantID int64
	now          time.Time
}

// mailRecipient is an account a mail goes to.
type mailRecipient struct {
	ID       int64
	Email    string
	Name     string
	Language string
}

// registrationRules is what the rules need for registrations being made, with whom their mail
// goes to.
type registrationRules struct {
	contexts []domain.RegistrationContext
	// errs[i] says why keys[i] has no context: no such meeting or account, no organisation.
	errs []error
	// focalPoints holds the focal points of the registrants' organisations.
	focalPoints map[int64][]mailRecipient
}

// registrationContext loads what the rules need about a meeting, a registrant and the
// registrant's organisation.
func registrationContext(ctx context.Context, tx pgx.Tx, actor domain.Actor, meetingID, registrantID int64, now time.Time) (domain.RegistrationContext, error) {
	r, err := loadRegistrationRules(ctx, txSteps{tx}, []regKey{{actor: actor, meetingID: meetingID, registrantID: registrantID, now: now}})
	if err != nil {
		return domain.RegistrationContext{}, err
	}
	return r.contexts[0], r.errs[0]
}

// loadRegistrationRules loads what the rules need for each of keys in one round trip whatever
// their number: the meetings with their pre-registration deadlines, the registrants with their
// organisations, and those organisations' focal points.
func loadRegistrationRules(ctx context.Context, st steps, keys []regKey) (registrationRules, error) {
	meetingIDs := make([]int64, len(keys))
	accountIDs := make([]int64, len(keys))
	for i, k := range keys {
		meetingIDs[i], accountIDs[i] = k.meetingID, k.registrantID
	}
	type meetingRules struct {
		m   domain.Meeting
		pre domain.Deadline
	}
	type registrant struct {
		acc     domain.Account
		org     *domain.Organisation
		isFocal bool
	}
	meetings := map[int64]meetingRules{}
	registrants := map[int64]registrant{}
	rules := registrationRules{focalPoints: map[int64][]mailRecipient{}}

	b := &pgx.Batch{}
	b.Queue(`SELECT m.id, m.slug, m.title, m.city, m.study_group_id, m.time_zone, m.first_day, m.last_day, m.interpretation, m.fellowships,
			m.state, m.registration_opens, (SELECT day FROM deadlines WHERE meeting_id = m.id AND kind = 'pre_registration')
		FROM meetings m WHERE m.id = ANY($1)`, meetingIDs).Query(func(rows pgx.Rows) error {
		var m domain.Meeting
		var pre *time.Time
		_, err := pgx.ForEachRow(rows, []any{&m.ID, &m.Slug, &m.Title, &m.City, &m.StudyGroupID, &m.TimeZone, &m.FirstDay, &m.LastDay,
			&m.Interpretation, &m.Fellowships, &m.State, &m.RegistrationOpens, &pre}, func() error {
			overrides := map[domain.DeadlineKind]time.Time{}
			if pre != nil {
				overrides[domain.PreRegistration] = *pre
			}
			r := meetingRules{m: m}
			for _, d := range domain.Deadlines(m.FirstDay, overrides) {
				if d.Kind == domain.PreRegistration {
					r.pre = d
				}
			}
			meetings[m.ID] = r
			// The next row scans into fresh values: these now belong to the map.
			m = domain.Meeting{}
			return nil
		})
		return err
	})
	b.Queue(`SELECT a.id, a.email, a.given_name, a.family_name, a.gender, a.organisation_id, a.language, a.secretariat,
			o.id, o.name, o.kind, o.country, o.auto_approval,
			COALESCE((SELECT array_agg(s.study_group_id) FROM organisation_study_groups s WHERE s.organisation_id = o.id), '{}'),
			EXISTS (SELECT 1 FROM focal_points f WHERE f.organisation_id = o.id AND f.account_id = a.id)
		FROM accounts a LEFT JOIN organisations o ON o.id = a.organisation_id WHERE a.id = ANY($1)`, accountIDs).Query(func(rows pgx.Rows) error {
		var acc domain.Account
		var orgID *int64
		var orgKind, orgName, country *string
		var auto *bool
		var sgs []int64
		var isFocal bool
		_, err := pgx.ForEachRow(rows, []any{&acc.ID, &acc.Email, &acc.GivenName, &acc.FamilyName, &acc.Gender, &acc.OrganisationID,
			&acc.Language, &acc.Secretariat, &orgID, &orgName, &orgKind, &country, &auto, &sgs, &isFocal}, func() error {
			r := registrant{acc: acc, isFocal: isFocal}
			if orgID != nil {
				r.org = &domain.Organisation{ID: *orgID, Name: *orgName, Kind: domain.OrgKind(*orgKind), Country: *country,
					AutoApproval: *auto, StudyGroupIDs: sgs}
			}
			registrants[acc.ID] = r
			acc, sgs = domain.Account{}, nil
			return nil
		})
		return err
	})
	b.Queue(`SELECT DISTINCT f.organisation_id, p.id, p.email, p.display_name, p.language
		FROM accounts a JOIN focal_points f ON f.organisation_id = a.organisation_id JOIN accounts p ON p.id = f.account_id
		WHERE a.id = ANY($1) ORDER BY f.organisation_id, p.id`, accountIDs).Query(func(rows pgx.Rows) error {
		var org int64
		var p mailRecipient
		_, err := pgx.ForEachRow(rows, []any{&org, &p.ID, &p.Email, &p.Name, &p.Language}, func() error {
			rules.focalPoints[org] = append(rules.focalPoints[org], p)
			return nil
		})
		return err
	})
	if err := st.step(ctx, b); err != nil {
		return rules, fmt.Errorf("postgres: registration rules: %w", err)
	}

	rules.contexts, rules.errs = make([]domain.RegistrationContext, len(keys)), make([]error, len(keys))
	for i, k := range keys {
		mr, okM := meetings[k.meetingID]
		r, okR := registrants[k.registrantID]
		switch {
		case !okM:
			rules.errs[i] = domain.Errorf(domain.NotFound, "error.meeting_not_found")
		case !okR:
			rules.errs[i] = domain.Errorf(domain.NotFound, "error.account_not_found")
		case r.org == nil:
			rules.errs[i] = domain.Errorf(domain.Invalid, "error.no_organisation")
		default:
			rules.contexts[i] = domain.RegistrationContext{Actor: k.actor, Now: k.now, Meeting: mr.m, PreRegistration: mr.pre,
				Registrant: r.acc, Organisation: *r.org, RegistrantIsFocalPoint: r.isFocal}
		}
	}
	return rules, nil
}

var _ service.RegistrationSubmitter = (*DB)(nil)

// Register stores a registration for registrant at meeting after the domain's checks, with its
// audit event and mail, in one transaction. A second live registration for the same meeting is a
// Conflict (the database's unique index enforces it too, under concurrency). Registrations
// submitted at the same moment share one transaction (see registerBatch).
func (db *DB) Register(ctx context.Context, a Audit, actor domain.Actor, meetingID, registrantID int64, req domain.RegistrationRequest, now time.Time) (domain.Registration, error) {
	return db.registrations.Do(ctx, submission{audit: a, key: regKey{actor: actor, meetingID: meetingID, registrantID: registrantID, now: now}, req: req})
}

// RegisterWithVisa is Register with, when passport is not nil, the visa support letter request
// ticked on the same form, stored in the same transaction: both are made or neither is.
func (db *DB) RegisterWithVisa(ctx context.Context, a Audit, actor domain.Actor, meetingID, registrantID int64, req domain.RegistrationRequest, passport *domain.Passport, now time.Time) (domain.Registration, error) {
	if passport == nil {
		return db.Register(ctx, a, actor, meetingID, registrantID, req, now)
	}
	var reg domain.Registration
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		reg, err = db.registerOne(ctx, tx, submission{audit: a, key: regKey{actor: actor, meetingID: meetingID, registrantID: registrantID, now: now}, req: req})
		if err != nil {
			return err
		}
		_, err = requestVisaTx(ctx, tx, a, actor, reg, *passport, now)
		return err
	})
	return reg, err
}

// registerOne stores one registration inside tx.
func (db *DB) registerOne(ctx context.Context, tx pgx.Tx, s submission) (domain.Registration, error) {
	regs, errs, queued, err := db.registerTx(ctx, txSteps{tx}, []submission{s})
	if err != nil {
		return domain.Registration{}, err
	}
	if t, ok := tx.(*Tx); ok && queued {
		t.MailQueued()
	}
	return regs[0], errs[0]
}

// submission is one registration form sent.
type submission struct {
	audit Audit
	key   regKey
	req   domain.RegistrationRequest
}

// registerBatch stores the registrations submitted at the same moment in one transaction, each
// with its own audit event and mail: under load the cost of a transaction and its commit is
// shared, as PostgreSQL shares one WAL flush among the commits that wait for it. A refusal by the
// rules, or an existing registration, refuses only its own submission. When the transaction
// fails as a whole, each submission is tried again alone, so that one cannot fail the others.
func (db *DB) registerBatch(ctx context.Context, subs []submission) ([]domain.Registration, []error) {
	var regs []domain.Registration
	var errs []error
	err := db.InTx(ctx, func(t *Tx) error {
		var queued bool
		var err error
		regs, errs, queued, err = db.registerTx(ctx, &finalSteps{tx: t}, subs)
		if queued {
			t.MailQueued()
		}
		return err
	})
	if err == nil {
		return regs, errs
	}
	regs, errs = make([]domain.Registration, len(subs)), make([]error, len(subs))
	if len(subs) == 1 {
		errs[0] = err
		return regs, errs
	}
	for i := range subs {
		errs[i] = db.inTx(ctx, func(tx pgx.Tx) error {
			var err error
			regs[i], err = db.registerOne(ctx, tx, subs[i])
			return err
		})
	}
	return regs, errs
}

// registerTx checks and stores registrations inside tx, with their audit events and mail, in two
// round trips whatever their number: one reads what the rules need, one statement writes the
// registrations, their audit events and their mail. regs[i] is the registration stored for
// subs[i], or errs[i] says why none was (the rules' refusal, or a Conflict when the registrant
// already has a live registration for the meeting); err is a failure of the transaction.
func (db *DB) registerTx(ctx context.Context, st steps, subs []submission) (regs []domain.Registration, errs []error, mailQueued bool, err error) {
	keys := make([]regKey, len(subs))
	for i, s := range subs {
		keys[i] = s.key
	}
	rules, err := loadRegistrationRules(ctx, st, keys)
	if err != nil {
		return nil, nil, false, err
	}
	regs, errs = make([]domain.Registration, len(subs)), rules.errs
	type pair struct{ meeting, account int64 }
	first := map[pair]int{}
	var todo []int
	for i, s := range subs {
		if errs[i] != nil {
			continue
		}
		if regs[i], errs[i] = domain.NewRegistration(rules.contexts[i], s.req); errs[i] != nil {
			continue
		}
		// Of two submissions of one pair in a batch, the first is stored, the other is refused as
		// if it came just after.
		p := pair{regs[i].MeetingID, regs[i].AccountID}
		if _, dup := first[p]; dup {
			regs[i], errs[i] = domain.Registration{}, domain.Errorf(domain.Conflict, "error.already_registered")
			continue
		}
		first[p] = i
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return regs, errs, false, nil
	}

	var w registrationWrite
	for _, i := range todo {
		w.add(regs[i], subs[i].audit)
		if err := w.addMail(rules.contexts[i], regs[i], rules.focalPoints[regs[i].OrganisationID]); err != nil {
			return nil, nil, false, err
		}
	}
	// A pair that already has a live registration (registrations_live_key) is not inserted, and
	// so gets neither audit event nor mail: it is the submission's Conflict. The mail's event
	// keys start with the new registration's id, so they cannot be taken already.
	stored := map[pair]int64{}
	b := &pgx.Batch{}
	b.Queue(`WITH u AS (
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bool[], $7::bool[], $8::text[],
				$9::bool[], $10::text[], $11::bool[], $12::bigint[], $13::bigint[], $14::timestamptz[], $15::timestamptz[],
				$16::bigint[], $17::text[], $18::text[])
				AS u(meeting_id, account_id, organisation_id, mode, function_title, interpretation, fellowship, accessibility,
					list_consent, state, late, registered_by, decided_by, decided_at, created_at, actor_id, remote_addr, request_id)
		), ins AS (
			INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, function_title, interpretation,
				fellowship, accessibility, list_consent, state, late, registered_by, decided_by, decided_at, created_at, updated_at)
			SELECT meeting_id, account_id, organisation_id, mode, function_title, interpretation, fellowship,
				accessibility, list_consent, state, late, registered_by, decided_by, decided_at, created_at, created_at
			FROM u
			-- In one order, so that two batches inserting the same pair wait on each other in one
			-- direction only (never a deadlock).
			ORDER BY meeting_id, account_id
			ON CONFLICT DO NOTHING
			RETURNING id, meeting_id, account_id
		), audit AS (
			INSERT INTO audit_events (actor_id, action, entity, entity_id, detail, remote_addr, request_id)
			SELECT u.actor_id, 'registration.submit', 'registration', ins.id,
				jsonb_build_object('state', u.state, 'mode', u.mode, 'late', u.late, 'meeting_id', u.meeting_id) ||
					CASE WHEN u.registered_by IS NULL THEN '{}' ELSE jsonb_build_object('on_behalf_of', u.account_id) END,
				u.remote_addr, u.request_id
			FROM ins JOIN u USING (meeting_id, account_id)
		), mail AS (
			INSERT INTO mail_outbox (event_key, kind, account_id, registration_id, facts)
			SELECT 'reg:' || ins.id || ':' || m.key, m.kind, m.recipient_id, ins.id, m.facts::jsonb
			FROM ins JOIN unnest($19::bigint[], $20::bigint[], $21::text[], $22::text[], $23::bigint[], $24::text[])
				AS m(meeting_id, account_id, key, kind, recipient_id, facts)
				ON m.meeting_id = ins.meeting_id AND m.account_id = ins.account_id
		), colocated AS (
			INSERT INTO registration_colocated_events (registration_id, colocated_event_id)
			SELECT ins.id, e.id
			FROM ins JOIN unnest($25::bigint[], $26::bigint[], $27::bigint[]) AS c(meeting_id, account_id, event_id)
				ON c.meeting_id = ins.meeting_id AND c.account_id = ins.account_id
			JOIN colocated_events e ON e.id = c.event_id AND e.meeting_id = ins.meeting_id
		)
		SELECT id, meeting_id, account_id FROM ins`,
		w.meetingIDs, w.accountIDs, w.orgIDs, w.modes, w.titles, w.interp, w.fellow, w.access, w.consent, w.states, w.late,
		w.registeredBy, w.decidedBy, w.decidedAt, w.createdAt, w.actors, w.addrs, w.requests,
		w.mail.meetingIDs, w.mail.accountIDs, w.mail.keys, w.mail.kinds, w.mail.recipientIDs, w.mail.facts,
		w.colocated.meetingIDs, w.colocated.accountIDs, w.colocated.eventIDs,
	).Query(func(rows pgx.Rows) error {
		var id int64
		var p pair
		_, err := pgx.ForEachRow(rows, []any{&id, &p.meeting, &p.account}, func() error {
			stored[p] = id
			return nil
		})
		return err
	})
	// What is left is this round trip and the commit's flush: a batch of registrations being
	// served, the next may start meanwhile (see batch.NewOverlapped).
	batch.Handoff(ctx)
	if err := st.last(ctx, b); err != nil {
		return nil, nil, false, fmt.Errorf("postgres: register: %w", err)
	}
	for _, i := range todo {
		id, ok := stored[pair{regs[i].MeetingID, regs[i].AccountID}]
		if !ok {
			regs[i], errs[i] = domain.Registration{}, domain.Errorf(domain.Conflict, "error.already_registered")
			continue
		}
		regs[i].ID = id
	}
	return regs, errs, len(w.mail.keys) > 0 && len(stored) > 0, nil
}

// registrationWrite gathers the columns of the registrations, audit events and mail that
// registerTx writes in one statement.
type registrationWrite struct {
	meetingIDs, accountIDs, orgIDs []int64
	modes, titles, access, states  []string
	interp, fellow, consent, late  []bool
	registeredBy, decidedBy        []*int64
	decidedAt                      []*time.Time
	createdAt                      []time.Time
	// Who registered each, from where: its audit event (whose detail the statement writes).
	actors          []*int64
	addrs, requests []string
	mail            struct {
		meetingIDs, accountIDs, recipientIDs []int64
		// facts holds each mail's MailFacts, in JSON.
		keys, kinds, facts []string
	}
	// The co-located events each registration attends (only the meeting's own are stored).
	colocated struct{ meetingIDs, accountIDs, eventIDs []int64 }
}

func (w *registrationWrite) add(r domain.Registration, a Audit) {
	w.meetingIDs, w.accountIDs, w.orgIDs = append(w.meetingIDs, r.MeetingID), append(w.accountIDs, r.AccountID), append(w.orgIDs, r.OrganisationID)
	w.modes, w.titles, w.access, w.states = append(w.modes, string(r.Mode)), append(w.titles, r.FunctionTitle), append(w.access, r.Accessibility), append(w.states, string(r.State))
	w.interp, w.fellow, w.consent, w.late = append(w.interp, r.Interpretation), append(w.fellow, r.Fellowship), append(w.consent, r.ListConsent), append(w.late, r.Late)
	w.registeredBy, w.decidedBy, w.decidedAt, w.createdAt = append(w.registeredBy, r.RegisteredBy), append(w.decidedBy, r.DecidedBy), append(w.decidedAt, r.DecidedAt), append(w.createdAt, r.CreatedAt)
	var actor *int64
	if a.ActorID != 0 {
		actor = &a.ActorID
	}
	w.actors, w.addrs, w.requests = append(w.actors, actor), append(w.addrs, a.RemoteAddr), append(w.requests, a.RequestID)
	for _, e := range r.Colocated {
		c := &w.colocated
		c.meetingIDs, c.accountIDs, c.eventIDs = append(c.meetingIDs, r.MeetingID), append(c.accountIDs, r.AccountID), append(c.eventIDs, e)
	}
}

// addMail adds the mail of a new registration (service.SubmissionMail) with the facts it tells,
// from what the rules loaded, so that no query is needed for them; the mail worker writes it
// after the transaction has committed.
func (w *registrationWrite) addMail(c domain.RegistrationContext, r domain.Registration, focalPoints []mailRecipient) error {
	to := map[int64]mailRecipient{r.AccountID: {ID: r.AccountID, Email: c.Registrant.Email, Name: c.Registrant.Name(), Language: c.Registrant.Language}}
	ids := make([]int64, 0, len(focalPoints))
	for _, fp := range focalPoints {
		if fp.ID != r.AccountID {
			to[fp.ID] = fp
			ids = append(ids, fp.ID)
		}
	}
	delegate := to[r.AccountID].Name
	// The registration has no id yet: the statement puts it in each key ("reg:<id>:").
	r.ID = 0
	for _, m := range service.SubmissionMail(r, ids) {
		kind, key, id := m.Kind, strings.TrimPrefix(m.Key, "reg:0:"), m.AccountID
		rcpt := to[id]
		facts, e := json.Marshal(MailFacts{ToEmail: rcpt.Email, ToName: rcpt.Name, ToLanguage: rcpt.Language,
			HasRegistration: true, Mode: r.Mode, Reason: r.Reason, DelegateName: delegate, OrgName: c.Organisation.Name,
			MeetingSlug: c.Meeting.Slug, MeetingTitle: c.Meeting.Title, City: c.Meeting.City,
			FirstDay: c.Meeting.FirstDay.Format(time.DateOnly), LastDay: c.Meeting.LastDay.Format(time.DateOnly)})
		if e != nil {
			return fmt.Errorf("postgres: mail facts: %w", e)
		}
		m := &w.mail
		m.meetingIDs, m.accountIDs, m.recipientIDs = append(m.meetingIDs, r.MeetingID), append(m.accountIDs, r.AccountID), append(m.recipientIDs, id)
		m.keys, m.kinds, m.facts = append(m.keys, key), append(m.kinds, kind), append(m.facts, string(facts))
	}
	return nil
}
