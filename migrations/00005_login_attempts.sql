-- +goose Up
-- Sign-in attempts are recorded before the password is checked and withdrawn when it was right:
-- each needs an id to be withdrawn by.
ALTER TABLE login_failures ADD COLUMN id bigserial PRIMARY KEY;

-- +goose Down
ALTER TABLE login_failures DROP COLUMN id;
