-- A meeting's life cycle (issue 10 §3): a new meeting or a copy is a draft, seen by the
-- secretariat alone, until it is published; registration opens on publication or at
-- registration_opens. "Archived" is not stored: a published meeting whose last day has ended is
-- archived (domain.Meeting.StateAt). Meetings that exist already were public, and stay so.
--
-- review lists the texts of a copy that name dates or meetings (purpose, approved_by, ...) and
-- must be read again before publishing; section_versions holds one counter per section of the
-- editor (details, deadlines, sessions, ...) for optimistic concurrency: a save made over a stale
-- version is refused.

-- +goose Up
ALTER TABLE meetings
    ADD COLUMN state text NOT NULL DEFAULT 'published' CHECK (state IN ('draft', 'published')),
    ADD COLUMN registration_opens date,
    ADD COLUMN published_at timestamptz,
    ADD COLUMN review text[] NOT NULL DEFAULT '{}',
    ADD COLUMN section_versions jsonb NOT NULL DEFAULT '{}';
UPDATE meetings SET published_at = created_at;
ALTER TABLE meetings ALTER COLUMN state SET DEFAULT 'draft';

-- +goose Down
ALTER TABLE meetings DROP COLUMN section_versions, DROP COLUMN review, DROP COLUMN published_at,
    DROP COLUMN registration_opens, DROP COLUMN state;
