package service

import (
	"context"

	"plenary/internal/domain"
)

// MeetingSlugReads are the reads of a meeting by the slug in its address, for its public pages,
// the desk and the actions on it.
type MeetingSlugReads interface {
	// MeetingDetail returns the meeting with slug with everything its pages show; a missing one
	// is NotFound.
	MeetingDetail(ctx context.Context, slug string) (*domain.MeetingDetail, error)
	// MeetingID returns the id of the meeting with slug (NotFound when missing).
	MeetingID(ctx context.Context, slug string) (int64, error)
}

// BySlug returns the meeting with slug, with its sessions, deadlines and the rest (NotFound when
// missing), drafts included: a page of it asks domain.CanSeeMeeting before showing it.
func (s *Meetings) BySlug(ctx context.Context, slug string) (*domain.MeetingDetail, error) {
	return s.reads.MeetingDetail(ctx, slug)
}

// IDOf returns the id of the meeting with slug (NotFound when missing): what an action on it
// needs, without loading the whole meeting.
func (s *Meetings) IDOf(ctx context.Context, slug string) (int64, error) {
	return s.reads.MeetingID(ctx, slug)
}
