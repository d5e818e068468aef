-- A desk token's digest (issue 13's redeem at 40 desks): the SHA-256 of the token's text, kept
-- when the token is issued (domain.TokenDigest). Online, the portal has the token's row at hand:
-- a code whose digest is the stored one is the text it issued and signed, so its Ed25519
-- signature (about 100 µs of CPU, two thirds of a redeem's Go side) need not be checked again;
-- comparing a hash costs a microsecond. The signature stays in the code for offline scanners and
-- the device's signed lists. Tokens issued before this migration have none (NULL): their
-- signature is checked as before.

-- +goose Up
ALTER TABLE desk_tokens ADD COLUMN digest bytea CHECK (length(digest) = 32);

-- +goose Down
ALTER TABLE desk_tokens DROP COLUMN digest;
