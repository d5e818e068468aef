package service

import (
	"context"
	"maps"
	"slices"
	"time"

	"plenary/internal/domain"
)

// MeetingSectionTx is what the saves of the editor's sections do inside their transaction.
type MeetingSectionTx interface {
	// SaveMeetingFields stores the details section and what stays "to review".
	SaveMeetingFields(ctx context.Context, id int64, f domain.MeetingFields, review []string) error
	// SaveDeadlines replaces the deadlines the secretariat set, and the day registration opens.
	SaveDeadlines(ctx context.Context, id int64, set map[domain.DeadlineKind]time.Time, opens *time.Time) error
	// SaveDeskPlace stores where the registration desk is.
	SaveDeskPlace(ctx context.Context, id int64, place domain.Text) error
	// SaveSessionMinutes stores the default length of a session without its own end.
	SaveSessionMinutes(ctx context.Context, id int64, minutes int) error
	SaveSessions(ctx context.Context, id int64, edits []domain.RowEdit[domain.Session]) error
	SaveDeskOpenings(ctx context.Context, id int64, edits []domain.RowEdit[domain.DeskOpening]) error
	SaveColocatedEvents(ctx context.Context, id int64, edits []domain.RowEdit[domain.ColocatedEvent]) error
	SaveAgendaItems(ctx context.Context, id int64, edits []domain.RowEdit[domain.AgendaItem]) error
	SaveWorkItems(ctx context.Context, id int64, edits []domain.RowEdit[domain.WorkItem]) error
	// BumpSection counts one more save of the section (and of the meeting, whose pages every
	// instance then drops).
	BumpSection(ctx context.Context, id int64, section string) error
}

// Saved says exactly what a save of a section changed.
type Saved struct {
	Section string
	// Fields are the fields changed (details: form names; deadlines: kinds and
	// "registration_opens"; desk: "desk_place").
	Fields []string
	// Rows counts the rows added, changed and removed.
	Rows domain.RowCounts
	// Reviewed are the texts no longer "to review".
	Reviewed []string
}

// Nothing reports whether the save changed nothing.
func (s Saved) Nothing() bool { return len(s.Fields) == 0 && !s.Rows.Any() && len(s.Reviewed) == 0 }

func (s Saved) detail() map[string]any {
	d := map[string]any{"section": s.Section}
	if len(s.Fields) > 0 {
		d["fields"] = s.Fields
	}
	if s.Rows.Any() {
		d["added"], d["changed"], d["removed"] = s.Rows.Added, s.Rows.Changed, s.Rows.Removed
	}
	if len(s.Reviewed) > 0 {
		d["reviewed"] = s.Reviewed
	}
	return d
}

// saveSection is the frame of every section's save: permission, the meeting locked and checked
// (not archived, the section's version the one the form was read at), the change, then the
// section's version counted and the audit event written, all in one transaction. A save that
// changes nothing writes nothing.
func (s *Meetings) saveSection(ctx context.Context, a Audit, actor domain.Actor, id int64, section string, version int64,
	change func(tx MeetingTx, d *domain.MeetingDetail) (Saved, error)) (Saved, error) {
	if !domain.CanManageMeetings(actor) {
		return Saved{}, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	now := s.now()
	var saved Saved
	err := s.tx(ctx, func(tx MeetingTx) error {
		saved = Saved{}
		d, err := tx.LockMeeting(ctx, id)
		if err != nil {
			return err
		}
		if err := domain.CanEditMeeting(d.Meeting, now); err != nil {
			return err
		}
		if err := domain.CheckSectionVersion(d.Meeting, section, version); err != nil {
			return err
		}
		saved, err = change(tx, d)
		saved.Section = section
		if err != nil || saved.Nothing() {
			return err
		}
		if err := tx.BumpSection(ctx, id, section); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "meeting.save_"+section, "meeting", []int64{id}, []map[string]any{saved.detail()})
	})
	return saved, err
}

// SaveDetails saves the details section: the fields that changed, and the texts that stay "to
// review" (those neither edited nor confirmed as read).
func (s *Meetings) SaveDetails(ctx context.Context, a Audit, actor domain.Actor, id, version int64, f domain.MeetingFields, confirmed []string) (Saved, error) {
	return s.saveSection(ctx, a, actor, id, domain.SectionDetails, version, func(tx MeetingTx, d *domain.MeetingDetail) (Saved, error) {
		changed := f.Changed(domain.FieldsOf(d.Meeting))
		review := domain.ReviewAfter(d.Review, changed, confirmed)
		var reviewed []string
		for _, r := range d.Review {
			if !slices.Contains(review, r) {
				reviewed = append(reviewed, r)
			}
		}
		saved := Saved{Fields: changed, Reviewed: reviewed}
		if saved.Nothing() {
			return saved, nil
		}
		return saved, tx.SaveMeetingFields(ctx, id, f, review)
	})
}

// SaveDeadlines saves the deadlines section: every kind's day (set explicitly) and the day
// registration opens (nil: on publication).
func (s *Meetings) SaveDeadlines(ctx context.Context, a Audit, actor domain.Actor, id, version int64, set map[domain.DeadlineKind]time.Time, opens *time.Time) (Saved, error) {
	return s.saveSection(ctx, a, actor, id, domain.SectionDeadlines, version, func(tx MeetingTx, d *domain.MeetingDetail) (Saved, error) {
		var saved Saved
		for _, k := range domain.DeadlineKinds {
			old, had := d.Overrides[k]
			day, has := set[k]
			if had != has || (has && !day.Equal(old)) {
				saved.Fields = append(saved.Fields, string(k))
			}
		}
		if !sameDay(d.RegistrationOpens, opens) {
			saved.Fields = append(saved.Fields, "registration_opens")
		}
		if saved.Nothing() {
			return saved, nil
		}
		return saved, tx.SaveDeadlines(ctx, id, maps.Clone(set), opens)
	})
}

func sameDay(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// SaveSessions saves the sessions section: the sessions, and how long one without its own end
// lasts (minutes).
func (s *Meetings) SaveSessions(ctx context.Context, a Audit, actor domain.Actor, id, version int64, minutes int, edits []domain.RowEdit[domain.Session]) (Saved, error) {
	return s.saveSection(ctx, a, actor, id, domain.SectionSessions, version, func(tx MeetingTx, d *domain.MeetingDetail) (Saved, error) {
		eff, n := domain.Effective(edits, domain.ByID(d.Sessions, func(x domain.Session) int64 { return x.ID }), domain.SameSession)
		saved := Saved{Rows: n}
		if minutes != d.DefaultSessionMinutes() {
			saved.Fields = []string{"session_minutes"}
			if err := tx.SaveSessionMinutes(ctx, id, minutes); err != nil {
				return saved, err
			}
		}
		if !n.Any() {
			return saved, nil
		}
		return saved, tx.SaveSessions(ctx, id, eff)
	})
}

// SaveDesk saves the registration desk section: where it is and when it opens.
func (s *Meetings) SaveDesk(ctx context.Context, a Audit, actor domain.Actor, id, version int64, place domain.Text, edits []domain.RowEdit[domain.DeskOpening]) (Saved, error) {
	return s.saveSection(ctx, a, actor, id, domain.SectionDesk, version, func(tx MeetingTx, d *domain.MeetingDetail) (Saved, error) {
		eff, n := domain.Effective(edits, domain.ByID(d.DeskOpenings, func(x domain.DeskOpening) int64 { return x.ID }), domain.SameDeskOpening)
		saved := Saved{Rows: n}
		if !place.Equal(d.DeskPlace) {
			saved.Fields = []string{"desk_place"}
			if err := tx.SaveDeskPlace(ctx, id, place); err != nil {
				return saved, err
			}
		}
		if !n.Any() {
			return saved, nil
		}
		return saved, tx.SaveDeskOpenings(ctx, id, eff)
	})
}

// SaveColocated saves the co-located events section.
func (s *Meetings) SaveColocated(ctx context.Context, a Audit, actor domain.Actor, id, version int64, edits []domain.RowEdit[domain.ColocatedEvent]) (Saved, error) {
	return s.saveSection(ctx, a, actor, id, domain.SectionColocated, version, func(tx MeetingTx, d *domain.MeetingDetail) (Saved, error) {
		eff, n := domain.Effective(edits, domain.ByID(d.ColocatedEvents, func(x domain.ColocatedEvent) int64 { return x.ID }), domain.SameColocatedEvent)
		if !n.Any() {
			return Saved{}, nil
		}
		return Saved{Rows: n}, tx.SaveColocatedEvents(ctx, id, eff)
	})
}

// SaveAgenda saves the agenda section.
func (s *Meetings) SaveAgenda(ctx context.Context, a Audit, actor domain.Actor, id, version int64, edits []domain.RowEdit[domain.AgendaItem]) (Saved, error) {
	return s.saveSection(ctx, a, actor, id, domain.SectionAgenda, version, func(tx MeetingTx, d *domain.MeetingDetail) (Saved, error) {
		eff, n := domain.Effective(edits, domain.ByID(d.AgendaItems, func(x domain.AgendaItem) int64 { return x.ID }), domain.SameAgendaItem)
		if !n.Any() {
			return Saved{}, nil
		}
		return Saved{Rows: n}, tx.SaveAgendaItems(ctx, id, eff)
	})
}

// SaveWorkItems saves the work items section.
func (s *Meetings) SaveWorkItems(ctx context.Context, a Audit, actor domain.Actor, id, version int64, edits []domain.RowEdit[domain.WorkItem]) (Saved, error) {
	return s.saveSection(ctx, a, actor, id, domain.SectionWorkItems, version, func(tx MeetingTx, d *domain.MeetingDetail) (Saved, error) {
		eff, n := domain.Effective(edits, domain.ByID(d.WorkItems, func(x domain.WorkItem) int64 { return x.ID }), domain.SameWorkItem)
		if !n.Any() {
			return Saved{}, nil
		}
		return Saved{Rows: n}, tx.SaveWorkItems(ctx, id, eff)
	})
}
