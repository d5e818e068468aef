package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

const meetingColumns = `m.id, m.slug, m.study_group_id, m.title, m.city, m.venue, m.time_zone, m.first_day, m.last_day,
	m.languages, m.interpretation, m.fellowships, m.paperless, m.remote_tool, m.remote_link, m.remote_rules,
	m.purpose, m.approved_by, m.desk_place, m.session_minutes, m.room_allocation, m.practical_info, m.collective_letter,
	m.version, m.state, m.registration_opens, m.published_at, m.review, m.section_versions, m.created_at, m.updated_at`

// Meetings lists every meeting, newest first.
func (db *DB) Meetings(ctx context.Context) ([]domain.MeetingSummary, error) {
	rows, err := db.Pool.Query(ctx, `SELECT m.id, m.slug, m.title, m.city, m.time_zone, m.first_day, m.last_day, g.code AS sg_code, m.state
		FROM meetings m JOIN study_groups g ON g.id = m.study_group_id
		ORDER BY m.first_day DESC, m.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("postgres: meetings: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[domain.MeetingSummary])
}

// MeetingDetail returns a meeting with everything its pages show, in one round trip.
func (db *DB) MeetingDetail(ctx context.Context, slug string) (*domain.MeetingDetail, error) {
	var d domain.MeetingDetail
	rows, err := db.Pool.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.slug = $1`, slug)
	if err != nil {
		return nil, fmt.Errorf("postgres: meeting: %w", err)
	}
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Meeting])
	if err != nil {
		return nil, notFound(err, "error.meeting_not_found")
	}
	d.Meeting = m
	if err := db.fillDetail(ctx, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// MeetingID returns the id of the meeting with slug.
func (db *DB) MeetingID(ctx context.Context, slug string) (int64, error) {
	var id int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE slug = $1`, slug).Scan(&id); err != nil {
		return 0, notFound(err, "error.meeting_not_found")
	}
	return id, nil
}

// MeetingDetailByID is MeetingDetail for a meeting id.
func (db *DB) MeetingDetailByID(ctx context.Context, id int64) (*domain.MeetingDetail, error) {
	var slug string
	if err := db.Pool.QueryRow(ctx, `SELECT slug FROM meetings WHERE id = $1`, id).Scan(&slug); err != nil {
		return nil, notFound(err, "error.meeting_not_found")
	}
	return db.MeetingDetail(ctx, slug)
}

// batchSender is a pool or a transaction.
type batchSender interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

func (db *DB) fillDetail(ctx context.Context, d *domain.MeetingDetail) error {
	return fillDetailWith(ctx, db.Pool, d)
}

func fillDetailWith(ctx context.Context, q batchSender, d *domain.MeetingDetail) error {
	id, sg := d.ID, d.StudyGroupID
	b := &pgx.Batch{}
	b.Queue(`SELECT id, code, title, study_period, chair, phone, fax, email, web FROM study_groups WHERE id = $1`, sg).
		Query(func(rows pgx.Rows) error {
			g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.StudyGroup])
			d.StudyGroup = g
			return err
		})
	b.Queue(`SELECT id, study_group_id, number, code, title FROM working_parties WHERE study_group_id = $1 ORDER BY number`, sg).
		Query(func(rows pgx.Rows) (err error) {
			d.WorkingParties, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.WorkingParty])
			return err
		})
	b.Queue(`SELECT id, study_group_id, working_party_id, number, code, title FROM questions WHERE study_group_id = $1 ORDER BY number`, sg).
		Query(func(rows pgx.Rows) (err error) {
			d.Questions, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.Question])
			return err
		})
	b.Queue(`SELECT id, opens_at, closes_at FROM desk_openings WHERE meeting_id = $1 ORDER BY opens_at`, id).
		Query(func(rows pgx.Rows) (err error) {
			d.DeskOpenings, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.DeskOpening])
			return err
		})
	b.Queue(`SELECT id, working_party_id, starts_at, ends_at, room FROM meeting_sessions WHERE meeting_id = $1 ORDER BY starts_at, id`, id).
		Query(func(rows pgx.Rows) (err error) {
			d.Sessions, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.Session])
			return err
		})
	b.Queue(`SELECT id, title, first_day, last_day, url FROM colocated_events WHERE meeting_id = $1 ORDER BY first_day, last_day, id`, id).
		Query(func(rows pgx.Rows) (err error) {
			d.ColocatedEvents, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.ColocatedEvent])
			return err
		})
	b.Queue(`SELECT kind, day FROM deadlines WHERE meeting_id = $1`, id).
		Query(func(rows pgx.Rows) error {
			d.Overrides = map[domain.DeadlineKind]time.Time{}
			var k string
			var day time.Time
			_, err := pgx.ForEachRow(rows, []any{&k, &day}, func() error {
				d.Overrides[domain.DeadlineKind(k)] = day
				return nil
			})
			return err
		})
	b.Queue(`SELECT a.id, a.working_party_id, a.position, a.title, a.holds FROM agenda_items a
			JOIN working_parties w ON w.id = a.working_party_id
			WHERE a.meeting_id = $1 ORDER BY w.number, a.position`, id).
		Query(func(rows pgx.Rows) (err error) {
			d.AgendaItems, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.AgendaItem])
			return err
		})
	b.Queue(`SELECT wi.id, wi.working_party_id, wi.question_id, q.code AS question_code, wi.acronym, wi.title, wi.kind, wi.action, wi.position
			FROM work_items wi JOIN questions q ON q.id = wi.question_id
			WHERE wi.meeting_id = $1 ORDER BY wi.working_party_id, wi.position, wi.id`, id).
		Query(func(rows pgx.Rows) (err error) {
			d.WorkItems, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.WorkItem])
			return err
		})
	queueAgendaDocuments(b, d)
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: meeting detail: %w", err)
	}
	return nil
}

// bumpMeeting marks a meeting changed: its version goes up and every server instance is told to
// drop cached pages of it (NOTIFY is delivered on commit).
func bumpMeeting(ctx context.Context, tx pgx.Tx, id int64) error {
	var slug string
	if err := tx.QueryRow(ctx, `UPDATE meetings SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING slug`, id).Scan(&slug); err != nil {
		return notFound(err, "error.meeting_not_found")
	}
	return notifyMeeting(ctx, tx, slug)
}

// notifyMeeting tells every server instance, on commit, to drop its cached pages of a meeting
// (and the lists of meetings).
func notifyMeeting(ctx context.Context, tx pgx.Tx, slug string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_notify('meeting_changed', $1)`, slug); err != nil {
		return fmt.Errorf("postgres: notify: %w", err)
	}
	return nil
}

// InsertMeeting stores a new draft meeting with the fields of the details form, and tells every
// instance (the lists of meetings change).
func (t *Tx) InsertMeeting(ctx context.Context, f domain.MeetingFields) (int64, error) {
	var id int64
	err := t.QueryRow(ctx, `INSERT INTO meetings (slug, study_group_id, title, city, venue, time_zone, first_day, last_day,
			languages, interpretation, fellowships, paperless, remote_tool, remote_link, remote_rules, purpose, approved_by,
			room_allocation, practical_info)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19) RETURNING id`,
		f.Slug, f.StudyGroupID, f.Title, textArg(f.City), textArg(f.Venue), f.TimeZone, f.FirstDay, f.LastDay, f.Languages,
		f.Interpretation, f.Fellowships, f.Paperless, f.RemoteTool, f.RemoteLink, f.RemoteRules, f.Purpose,
		textArg(f.ApprovedBy), f.RoomAllocation, f.PracticalInfo).Scan(&id)
	if ferr := meetingFieldsError(err); ferr != nil {
		return 0, ferr
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: create meeting: %w", err)
	}
	return id, notifyMeeting(ctx, t, f.Slug)
}

func setDeadlines(ctx context.Context, tx pgx.Tx, id int64, dl map[domain.DeadlineKind]time.Time) error {
	for k, day := range dl {
		if _, err := tx.Exec(ctx, `INSERT INTO deadlines (meeting_id, kind, day) VALUES ($1, $2, $3)`, id, string(k), day); err != nil {
			return fmt.Errorf("postgres: set deadline: %w", err)
		}
	}
	return nil
}

// CopySpec is what a copy of a meeting is given: its address, its first day and its title (when
// empty, the original's with the new month).
type CopySpec struct {
	Slug     string
	FirstDay time.Time
	Title    domain.Text
}

// CopyMeetingAs copies a meeting inside the caller's transaction: the copy is a draft, every date
// moved so that it starts on spec.FirstDay, its texts that name dates or meetings marked "to
// review" (domain.ReviewOnCopy).
func CopyMeetingAs(ctx context.Context, tx pgx.Tx, a Audit, fromID int64, spec CopySpec) (int64, error) {
	var id int64
	slug, firstDay := spec.Slug, spec.FirstDay
	err := func() error {
		rows, err := tx.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.id = $1`, fromID)
		if err != nil {
			return fmt.Errorf("postgres: copy meeting: %w", err)
		}
		from, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Meeting])
		if err != nil {
			return notFound(err, "error.meeting_not_found")
		}
		title := spec.Title
		if len(title) == 0 {
			title = copyTitle(from.Title, firstDay)
		}
		var slugTaken, titleTaken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meetings WHERE slug = $1),
				EXISTS (SELECT 1 FROM meetings WHERE lower(title->>'en') = lower($2))`, slug, title["en"]).Scan(&slugTaken, &titleTaken); err != nil {
			return fmt.Errorf("postgres: copy meeting: %w", err)
		}
		if slugTaken || titleTaken {
			fields := map[string]string{}
			if slugTaken {
				fields["slug"] = "error.slug_taken"
			}
			if titleTaken {
				fields["title"] = "error.title_taken"
			}
			return domain.FieldErrors(fields)
		}
		oldFirst := from.FirstDay
		days := int(firstDay.Sub(oldFirst).Hours() / 24)
		err = tx.QueryRow(ctx, `INSERT INTO meetings (slug, study_group_id, title, city, venue, time_zone, first_day, last_day,
				languages, interpretation, fellowships, paperless, remote_tool, remote_link, remote_rules, purpose, approved_by,
				desk_place, session_minutes, room_allocation, practical_info, collective_letter, state, review,
				registration_opens)
			SELECT $2, study_group_id, $4, city, venue, time_zone, first_day + $3::int, last_day + $3::int,
				languages, interpretation, fellowships, paperless, remote_tool, remote_link, remote_rules, purpose, approved_by,
				desk_place, session_minutes, room_allocation, practical_info, '', 'draft', $5, registration_opens + $3::int
			FROM meetings WHERE id = $1 RETURNING id`, fromID, slug, days, title, domain.ReviewOnCopy(from)).Scan(&id)
		if isUniqueViolation(err, "meetings_slug_key") {
			return domain.FieldErrors(map[string]string{"slug": "error.slug_taken"})
		}
		if err != nil {
			return fmt.Errorf("postgres: copy meeting: %w", err)
		}
		shift := make([]string, 0, 6)
		shift = append(shift,
			`INSERT INTO desk_openings (meeting_id, opens_at, closes_at) SELECT $2, opens_at + make_interval(days => $3::int), closes_at + make_interval(days => $3::int) FROM desk_openings WHERE meeting_id = $1`,
			`INSERT INTO meeting_sessions (meeting_id, working_party_id, starts_at, ends_at, room) SELECT $2, working_party_id, starts_at + make_interval(days => $3::int), ends_at + make_interval(days => $3::int), room FROM meeting_sessions WHERE meeting_id = $1`,
			`INSERT INTO colocated_events (meeting_id, title, first_day, last_day, url) SELECT $2, title, first_day + $3::int, last_day + $3::int, url FROM colocated_events WHERE meeting_id = $1`,
			`INSERT INTO deadlines (meeting_id, kind, day) SELECT $2, kind, day + $3::int FROM deadlines WHERE meeting_id = $1`,
			`INSERT INTO agenda_items (meeting_id, working_party_id, position, title, holds) SELECT $2, working_party_id, position, title, holds FROM agenda_items WHERE meeting_id = $1 AND $3::int = $3::int`,
			`INSERT INTO work_items (meeting_id, working_party_id, question_id, acronym, title, kind, action, position) SELECT $2, working_party_id, question_id, acronym, title, kind, action, position FROM work_items WHERE meeting_id = $1 AND $3::int = $3::int`,
		)
		for _, q := range shift {
			if _, err := tx.Exec(ctx, q, fromID, id, days); err != nil {
				return fmt.Errorf("postgres: copy meeting: %w", err)
			}
		}
		if err := notifyMeeting(ctx, tx, slug); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, "meeting.copy", "meeting", fromID, map[string]any{"to": id, "slug": slug}); err != nil {
			return err
		}
		return audit(ctx, tx, a, "meeting.copied", "meeting", id, map[string]any{"from": fromID, "from_slug": from.Slug, "slug": slug})
	}()
	return id, err
}

// copyTitle is a copy's title when none is given: the original's with the new month, in English
// and Chinese (other translations are left for the secretariat to write).
func copyTitle(t domain.Text, first time.Time) domain.Text {
	out := domain.Text{}
	if en := t["en"]; en != "" {
		out["en"] = fmt.Sprintf("%s (%s)", en, first.Format("January 2006"))
	}
	if zh := t["zh"]; zh != "" {
		out["zh"] = fmt.Sprintf("%s（%d年%d月）", zh, first.Year(), int(first.Month()))
	}
	return out
}

// textArg is t as a query argument: an absent text is stored as no translations ({}), not NULL.
func textArg(t domain.Text) domain.Text {
	if t == nil {
		return domain.Text{}
	}
	return t
}
