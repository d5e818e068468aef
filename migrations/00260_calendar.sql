-- Calendars (issue 11 §8): every session in the .ics has an end. A session without its own end
-- lasts the meeting's default session length, which the secretariat sets (three hours unless
-- set: a morning or afternoon block). The registration desk's openings may say when it closes.

-- +goose Up
ALTER TABLE meetings ADD COLUMN session_minutes integer NOT NULL DEFAULT 180
    CHECK (session_minutes BETWEEN 15 AND 720);
ALTER TABLE desk_openings ADD COLUMN closes_at timestamp CHECK (closes_at > opens_at);

-- +goose Down
ALTER TABLE desk_openings DROP COLUMN closes_at;
ALTER TABLE meetings DROP COLUMN session_minutes;
