-- A meeting's city is content in six languages too (issue 11 §6): the Chinese letter and pages say
-- 日内瓦, not "Geneva". The text it held is its English; mail queued before keeps the string it
-- recorded, which reads as English.

-- +goose Up
ALTER TABLE meetings ALTER COLUMN city DROP DEFAULT,
    ALTER COLUMN city TYPE jsonb USING CASE WHEN city = '' THEN '{}'::jsonb ELSE jsonb_build_object('en', city) END,
    ALTER COLUMN city SET DEFAULT '{}';

-- +goose Down
ALTER TABLE meetings ALTER COLUMN city DROP DEFAULT,
    ALTER COLUMN city TYPE text USING COALESCE(city->>'en', ''), ALTER COLUMN city SET DEFAULT '';
