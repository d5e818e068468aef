-- The day of the meeting (issue 13): the keys that sign desk tokens, and the tokens issued.
-- A desk token (internal/domain/desk_token.go) is what a confirmation's or a badge's QR code
-- holds, signed with Ed25519. The portal generates its first key once, on first use; a row per
-- key, so that a new key can sign while scanners still accept the old one.

-- +goose Up
CREATE TABLE desk_keys (
    id          integer PRIMARY KEY CHECK (id BETWEEN 1 AND 65535),
    public_key  bytea NOT NULL CHECK (length(public_key) = 32),
    private_key bytea NOT NULL CHECK (length(private_key) = 64),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Every token issued: its id is in the token, so that a revocation list names it. The token's
-- text is not kept: Ed25519 signatures are deterministic, so it is written again from the row.
CREATE TABLE desk_tokens (
    id              bigserial PRIMARY KEY,
    registration_id bigint NOT NULL REFERENCES registrations ON DELETE CASCADE,
    meeting_id      bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('confirmation', 'badge')),
    mode            text NOT NULL CHECK (mode IN ('in_person', 'remote')),
    -- the n-th token of its kind for the registration: a badge's number
    serial          integer NOT NULL CHECK (serial > 0),
    key_id          integer NOT NULL REFERENCES desk_keys,
    valid_from      timestamptz NOT NULL,
    valid_until     timestamptz NOT NULL,
    issued_at       timestamptz NOT NULL,
    issued_by       bigint,
    revoked_at      timestamptz,
    revoked_reason  text NOT NULL DEFAULT '',
    UNIQUE (registration_id, kind, serial)
);
-- At most one live token of a kind per registration.
CREATE UNIQUE INDEX desk_tokens_live ON desk_tokens (registration_id, kind) WHERE revoked_at IS NULL;
CREATE INDEX desk_tokens_meeting_idx ON desk_tokens (meeting_id, id);

-- +goose Down
DROP TABLE desk_tokens;
DROP TABLE desk_keys;
