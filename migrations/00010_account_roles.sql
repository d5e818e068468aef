-- Roles are data (internal/domain/roles.go): a role is a set of permissions, held by an account
-- everywhere, for one organisation or at one meeting. The two roles the schema had from the start
-- keep their own storage (accounts.secretariat, focal_points, which the organisation pages edit);
-- every other role an account is given, such as desk staff of a meeting, is a row here, so that a
-- new role needs neither a new column nor a new table. A role name the running code does not know
-- gives nothing (domain.Actor ignores it), so a row written by a newer release is harmless to an
-- older one.

-- +goose Up
CREATE TABLE account_roles (
    id              bigserial PRIMARY KEY,
    account_id      bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    role            text NOT NULL,
    -- at most one of them: neither means everywhere
    organisation_id bigint REFERENCES organisations ON DELETE CASCADE,
    meeting_id      bigint REFERENCES meetings ON DELETE CASCADE,
    granted_by      bigint,
    granted_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (organisation_id IS NULL OR meeting_id IS NULL)
);
CREATE UNIQUE INDEX account_roles_key ON account_roles (account_id, role, COALESCE(organisation_id, 0), COALESCE(meeting_id, 0));
CREATE INDEX account_roles_meeting_idx ON account_roles (meeting_id) WHERE meeting_id IS NOT NULL;

-- +goose Down
DROP TABLE account_roles;
