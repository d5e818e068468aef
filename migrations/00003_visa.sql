-- +goose Up

-- A request for a visa support letter, made with (or after) an in-person registration. The
-- passport data are personal: only their owner and the secretariat see them, and they are erased
-- (text emptied, dates NULL, erased_at set) a configurable number of days after the meeting.
CREATE TABLE visa_requests (
    id               bigserial PRIMARY KEY,
    registration_id  bigint NOT NULL REFERENCES registrations ON DELETE CASCADE,
    meeting_id       bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    account_id       bigint NOT NULL REFERENCES accounts,
    organisation_id  bigint NOT NULL REFERENCES organisations,
    state            text NOT NULL CHECK (state IN ('requested','processing','issued','declined','withdrawn')),
    passport_name    text NOT NULL DEFAULT '',
    birth_date       date,
    birth_place      text NOT NULL DEFAULT '',
    nationality      text NOT NULL DEFAULT '',
    passport_number  text NOT NULL DEFAULT '',
    passport_issued  date,
    passport_expires date,
    issuing_country  text NOT NULL DEFAULT '',
    -- the Swiss embassy or consulate where the visa will be applied for
    representation   text NOT NULL DEFAULT '',
    -- set when the request moves to processing: the day the letter is due
    due_on           date,
    reason           text NOT NULL DEFAULT '',
    decided_by       bigint REFERENCES accounts,
    decided_at       timestamptz,
    -- the number of letters issued so far (the current letter's revision)
    revision         int NOT NULL DEFAULT 0,
    erased_at        timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- One request per registration, a withdrawn one aside.
CREATE UNIQUE INDEX visa_requests_live_key ON visa_requests (registration_id) WHERE state <> 'withdrawn';
CREATE INDEX visa_requests_meeting_idx ON visa_requests (meeting_id, state, due_on);
CREATE INDEX visa_requests_account_idx ON visa_requests (account_id);
CREATE INDEX visa_requests_unerased_idx ON visa_requests (meeting_id) WHERE erased_at IS NULL;

-- Every letter issued, one row per revision. The token is the letter's unguessable key on the
-- public verification page (/v/{token}); the row outlives the erasure of the PDF and the name so
-- that the page can still say the letter expired.
CREATE TABLE visa_letters (
    id              bigserial PRIMARY KEY,
    visa_request_id bigint NOT NULL REFERENCES visa_requests ON DELETE CASCADE,
    meeting_id      bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    revision        int NOT NULL CHECK (revision > 0),
    reference       text NOT NULL UNIQUE,
    token           text NOT NULL UNIQUE,
    holder_name     text NOT NULL DEFAULT '',
    issued_on       date NOT NULL,
    issued_at       timestamptz NOT NULL,
    issued_by       bigint REFERENCES accounts ON DELETE SET NULL,
    pdf             bytea,
    superseded_at   timestamptz,
    erased_at       timestamptz,
    UNIQUE (visa_request_id, revision)
);
CREATE INDEX visa_letters_meeting_idx ON visa_letters (meeting_id) WHERE erased_at IS NULL;

-- +goose Down
DROP TABLE visa_letters, visa_requests;
