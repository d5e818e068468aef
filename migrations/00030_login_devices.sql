-- A device a person has signed in from keeps a cookie naming a row here (by its hash). Failed
-- sign-ins are counted per address and account, and per account from every address; the
-- per-account ceiling stops guessing spread over many addresses, but anyone who knows an email
-- could then keep its owner out. A device the owner has signed in from before is not held by that
-- ceiling (only by its own address's count), so the owner still gets in: the "device cookie" of
-- OWASP's guidance on slowing online guessing.

-- +goose Up
CREATE TABLE login_devices (
    token_hash bytea PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX login_devices_account_idx ON login_devices (account_id, expires_at);

-- +goose Down
DROP TABLE login_devices;
