package postgres

import (
	"context"
	"fmt"
	"time"

	"plenary/internal/domain"
)

// SaveMeetingFields stores the details section of a meeting and what stays "to review". A
// renamed meeting's pages under its old address are dropped from every cache too.
func (t *Tx) SaveMeetingFields(ctx context.Context, id int64, f domain.MeetingFields, review []string) error {
	var oldSlug string
	if err := t.QueryRow(ctx, `SELECT slug FROM meetings WHERE id = $1`, id).Scan(&oldSlug); err != nil {
		return notFound(err, "error.meeting_not_found")
	}
	if err := notifyMeeting(ctx, t, oldSlug); err != nil {
		return err
	}
	if review == nil {
		review = []string{}
	}
	_, err := t.Exec(ctx, `UPDATE meetings SET slug=$2, study_group_id=$3, title=$4, city=$5, venue=$6, time_zone=$7,
			first_day=$8, last_day=$9, languages=$10, interpretation=$11, fellowships=$12, paperless=$13, remote_tool=$14,
			remote_link=$15, remote_rules=$16, purpose=$17, approved_by=$18, room_allocation=$19, practical_info=$20, review=$21
		WHERE id = $1`,
		id, f.Slug, f.StudyGroupID, f.Title, textArg(f.City), textArg(f.Venue), f.TimeZone, f.FirstDay, f.LastDay, f.Languages,
		f.Interpretation, f.Fellowships, f.Paperless, f.RemoteTool, f.RemoteLink, f.RemoteRules, f.Purpose,
		textArg(f.ApprovedBy), f.RoomAllocation, f.PracticalInfo, review)
	if ferr := meetingFieldsError(err); ferr != nil {
		return ferr
	}
	if err != nil {
		return fmt.Errorf("postgres: save meeting details: %w", err)
	}
	return nil
}

// SaveDeadlines replaces the deadlines the secretariat set, and the day registration opens.
func (t *Tx) SaveDeadlines(ctx context.Context, id int64, set map[domain.DeadlineKind]time.Time, opens *time.Time) error {
	if _, err := t.Exec(ctx, `DELETE FROM deadlines WHERE meeting_id = $1`, id); err != nil {
		return fmt.Errorf("postgres: save deadlines: %w", err)
	}
	if err := setDeadlines(ctx, t, id, set); err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `UPDATE meetings SET registration_opens = $2 WHERE id = $1`, id, opens); err != nil {
		return fmt.Errorf("postgres: save deadlines: %w", err)
	}
	return nil
}

// SaveDeskPlace stores where the registration desk is.
func (t *Tx) SaveDeskPlace(ctx context.Context, id int64, place domain.Text) error {
	if _, err := t.Exec(ctx, `UPDATE meetings SET desk_place = $2 WHERE id = $1`, id, textArg(place)); err != nil {
		return fmt.Errorf("postgres: save desk place: %w", err)
	}
	return nil
}

// SaveSessionMinutes stores the default length of a session without its own end.
func (t *Tx) SaveSessionMinutes(ctx context.Context, id int64, minutes int) error {
	if _, err := t.Exec(ctx, `UPDATE meetings SET session_minutes = $2 WHERE id = $1`, id, minutes); err != nil {
		return fmt.Errorf("postgres: save session length: %w", err)
	}
	return nil
}

// SaveSessions adds, changes and removes sessions.
func (t *Tx) SaveSessions(ctx context.Context, id int64, edits []domain.RowEdit[domain.Session]) error {
	return applyRows(ctx, t, id, sessionSQL, edits)
}

// SaveDeskOpenings adds, changes and removes the desk's opening hours.
func (t *Tx) SaveDeskOpenings(ctx context.Context, id int64, edits []domain.RowEdit[domain.DeskOpening]) error {
	return applyRows(ctx, t, id, deskSQL, edits)
}

// SaveColocatedEvents adds, changes and removes co-located events.
func (t *Tx) SaveColocatedEvents(ctx context.Context, id int64, edits []domain.RowEdit[domain.ColocatedEvent]) error {
	return applyRows(ctx, t, id, colocatedSQL, edits)
}

// SaveAgendaItems adds, changes and removes agenda items. Items may swap numbers in one save: the
// numbers are checked once all the edits are made (checkDeferred), and two items of a working
// party left with one number refuse the save.
func (t *Tx) SaveAgendaItems(ctx context.Context, id int64, edits []domain.RowEdit[domain.AgendaItem]) error {
	if err := applyRows(ctx, t, id, agendaSQL, edits); err != nil {
		return err
	}
	const numbers = "agenda_items_meeting_id_working_party_id_position_key"
	err := checkDeferred(ctx, t, numbers)
	if isUniqueViolation(err, numbers) {
		return domain.Errorf(domain.Invalid, "error.agenda_position_taken")
	}
	if err != nil {
		return fmt.Errorf("postgres: save agenda items: %w", err)
	}
	return nil
}

// SaveWorkItems adds, changes and removes work items.
func (t *Tx) SaveWorkItems(ctx context.Context, id int64, edits []domain.RowEdit[domain.WorkItem]) error {
	err := applyRows(ctx, t, id, workItemSQL, edits)
	if isUniqueViolation(err, "work_items_meeting_id_acronym_key") {
		return domain.Errorf(domain.Invalid, "error.acronym_taken")
	}
	return err
}

// BumpSection counts one more save of a section of the editor, and of the meeting.
func (t *Tx) BumpSection(ctx context.Context, id int64, section string) error {
	if _, err := t.Exec(ctx, `UPDATE meetings SET section_versions = section_versions ||
			jsonb_build_object($2::text, COALESCE((section_versions->>$2)::bigint, 0) + 1) WHERE id = $1`, id, section); err != nil {
		return fmt.Errorf("postgres: bump section: %w", err)
	}
	return bumpMeeting(ctx, t, id)
}

// CopyMeeting copies a meeting into a new draft (CopyMeetingAs).
func (t *Tx) CopyMeeting(ctx context.Context, a Audit, from int64, slug string, first time.Time, title domain.Text) (int64, error) {
	return CopyMeetingAs(ctx, t, a, from, CopySpec{Slug: slug, FirstDay: first, Title: title})
}
