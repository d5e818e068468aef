-- Check-in lists as the secretariat sets them (issue 13 §4): a list's name in six languages, the
-- co-located event an event list admits the attendees of, and whether exits are scanned.
-- A removed co-located event leaves its list (and every scan on it) in place, admitting nobody.
-- A single-entry list that scans exits takes one entry and one exit per registration, so the
-- unique index behind "one check-in whatever the desks do" is per direction.

-- +goose Up
ALTER TABLE checkin_lists ALTER COLUMN name DROP DEFAULT,
    ALTER COLUMN name TYPE jsonb USING CASE WHEN name = '' THEN '{}'::jsonb ELSE jsonb_build_object('en', name) END,
    ALTER COLUMN name SET DEFAULT '{}';
ALTER TABLE checkin_lists
    ADD COLUMN colocated_event_id bigint REFERENCES colocated_events ON DELETE SET NULL,
    ADD COLUMN exits boolean NOT NULL DEFAULT false,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT checkin_lists_event_kind CHECK (kind = 'event' OR colocated_event_id IS NULL);
CREATE UNIQUE INDEX checkin_lists_event ON checkin_lists (colocated_event_id) WHERE colocated_event_id IS NOT NULL;
CREATE INDEX checkin_lists_meeting_idx ON checkin_lists (meeting_id, id);

DROP INDEX scans_once;
CREATE UNIQUE INDEX scans_once ON scans (list_id, registration_id, direction) WHERE outcome = 'accepted' AND single;

-- +goose Down
DROP INDEX scans_once;
CREATE UNIQUE INDEX scans_once ON scans (list_id, registration_id) WHERE outcome = 'accepted' AND single;
DROP INDEX checkin_lists_meeting_idx;
DROP INDEX checkin_lists_event;
ALTER TABLE checkin_lists DROP CONSTRAINT checkin_lists_event_kind,
    DROP COLUMN updated_at, DROP COLUMN exits, DROP COLUMN colocated_event_id;
ALTER TABLE checkin_lists ALTER COLUMN name DROP DEFAULT,
    ALTER COLUMN name TYPE text USING COALESCE(name->>'en', ''), ALTER COLUMN name SET DEFAULT '';
