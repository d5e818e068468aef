-- The account a person controls: a verified email, names in their own order, and single-use
-- tokens sent by mail (password reset, email verification), stored hashed.

-- +goose Up
ALTER TABLE accounts
    ADD COLUMN email_verified_at timestamptz,
    ADD COLUMN name_order text NOT NULL DEFAULT 'given_first' CHECK (name_order IN ('given_first', 'family_first')),
    -- The name as its owner writes it: given names first, or the family name first (with no
    -- space between names written in Chinese, Japanese or Korean characters: 王芳).
    ADD COLUMN display_name text GENERATED ALWAYS AS (
        CASE WHEN name_order = 'family_first' THEN
            family_name || CASE WHEN family_name || given_name ~ '^[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+$'
                THEN '' ELSE ' ' END || given_name
        ELSE given_name || ' ' || family_name END) STORED;
-- Accounts made before verification existed are taken as verified.
UPDATE accounts SET email_verified_at = created_at;

CREATE TABLE account_tokens (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    -- SHA-256 of the token the mail carries; the token itself is stored nowhere.
    token_hash  bytea NOT NULL UNIQUE,
    -- The address being verified (an email change is verified at the new address).
    email       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX account_tokens_account_idx ON account_tokens (account_id, purpose);

-- +goose Down
DROP TABLE account_tokens;
ALTER TABLE accounts DROP COLUMN display_name, DROP COLUMN name_order, DROP COLUMN email_verified_at;
