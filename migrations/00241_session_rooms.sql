-- Session rooms in six languages (issue 12 §4): a session's room holds a translation per
-- language, like the meeting's venue (00240). The text it held is its English.

-- +goose Up
ALTER TABLE meeting_sessions ALTER COLUMN room DROP DEFAULT,
    ALTER COLUMN room TYPE jsonb USING CASE WHEN room = '' THEN '{}'::jsonb ELSE jsonb_build_object('en', room) END,
    ALTER COLUMN room SET DEFAULT '{}';

-- +goose Down
ALTER TABLE meeting_sessions ALTER COLUMN room DROP DEFAULT,
    ALTER COLUMN room TYPE text USING COALESCE(room->>'en', ''), ALTER COLUMN room SET DEFAULT '';
