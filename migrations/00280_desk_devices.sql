-- Scanner devices (issue 13 §4): a scanner that is not a browser, registered by the secretariat
-- for one meeting. The secretariat gets a one-time code (valid 15 minutes) that the device
-- exchanges for its bearer token; only the SHA-256 of each is kept, so a copy of this table opens
-- nothing. What the device may do is data (scopes, permissions of the domain), not a flag.

-- +goose Up
CREATE TABLE desk_devices (
    id              bigserial PRIMARY KEY,
    meeting_id      bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    name            text NOT NULL CHECK (name <> ''),
    -- what the device said it is when it registered
    client_name     text NOT NULL DEFAULT '',
    scopes          text[] NOT NULL DEFAULT '{desk:scan}',
    code_hash       bytea UNIQUE CHECK (length(code_hash) = 32),
    code_expires_at timestamptz,
    token_hash      bytea UNIQUE CHECK (length(token_hash) = 32),
    created_by      bigint,
    created_at      timestamptz NOT NULL,
    registered_at   timestamptz,
    last_seen_at    timestamptz,
    revoked_at      timestamptz,
    revoked_by      bigint,
    -- a code is given until it is exchanged for the token, never both
    CHECK (code_hash IS NULL OR token_hash IS NULL)
);
CREATE INDEX desk_devices_meeting_idx ON desk_devices (meeting_id, id);

-- +goose Down
DROP TABLE desk_devices;
