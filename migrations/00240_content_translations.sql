-- Content in six languages (issue 12 §4): a meeting's venue, where its registration desk is and
-- what approved it hold a translation per language, like its title and purpose. The text they
-- held is their English.

-- +goose Up
ALTER TABLE meetings ALTER COLUMN venue DROP DEFAULT,
    ALTER COLUMN venue TYPE jsonb USING CASE WHEN venue = '' THEN '{}'::jsonb ELSE jsonb_build_object('en', venue) END,
    ALTER COLUMN venue SET DEFAULT '{}';
ALTER TABLE meetings ALTER COLUMN desk_place DROP DEFAULT,
    ALTER COLUMN desk_place TYPE jsonb USING CASE WHEN desk_place = '' THEN '{}'::jsonb ELSE jsonb_build_object('en', desk_place) END,
    ALTER COLUMN desk_place SET DEFAULT '{}';
ALTER TABLE meetings ALTER COLUMN approved_by DROP DEFAULT,
    ALTER COLUMN approved_by TYPE jsonb USING CASE WHEN approved_by = '' THEN '{}'::jsonb ELSE jsonb_build_object('en', approved_by) END,
    ALTER COLUMN approved_by SET DEFAULT '{}';

-- +goose Down
ALTER TABLE meetings ALTER COLUMN venue DROP DEFAULT,
    ALTER COLUMN venue TYPE text USING COALESCE(venue->>'en', ''), ALTER COLUMN venue SET DEFAULT '';
ALTER TABLE meetings ALTER COLUMN desk_place DROP DEFAULT,
    ALTER COLUMN desk_place TYPE text USING COALESCE(desk_place->>'en', ''), ALTER COLUMN desk_place SET DEFAULT '';
ALTER TABLE meetings ALTER COLUMN approved_by DROP DEFAULT,
    ALTER COLUMN approved_by TYPE text USING COALESCE(approved_by->>'en', ''), ALTER COLUMN approved_by SET DEFAULT '';
