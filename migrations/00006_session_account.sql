-- +goose Up
-- The account a session is signed in as, beside the session's data: a request reads its session
-- and its account in one round trip, and deleting an account ends its sessions.
ALTER TABLE sessions ADD COLUMN account_id bigint REFERENCES accounts ON DELETE CASCADE;
CREATE INDEX sessions_account_idx ON sessions (account_id) WHERE account_id IS NOT NULL;

-- +goose Down
ALTER TABLE sessions DROP COLUMN account_id;
