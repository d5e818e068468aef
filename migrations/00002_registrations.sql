-- +goose Up

CREATE TABLE registrations (
    id              bigserial PRIMARY KEY,
    meeting_id      bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    account_id      bigint NOT NULL REFERENCES accounts,
    -- the organisation at the time of registering; the account may move later
    organisation_id bigint NOT NULL REFERENCES organisations,
    mode            text NOT NULL CHECK (mode IN ('in_person','remote')),
    function_title  text NOT NULL DEFAULT '',
    interpretation  boolean NOT NULL DEFAULT false,
    fellowship      boolean NOT NULL DEFAULT false,
    accessibility   text NOT NULL DEFAULT '',
    list_consent    boolean NOT NULL DEFAULT false,
    state           text NOT NULL CHECK (state IN ('pending','approved','rejected','cancelled')),
    late            boolean NOT NULL DEFAULT false,
    registered_by   bigint REFERENCES accounts,
    decided_by      bigint REFERENCES accounts,
    decided_at      timestamptz,
    reason          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- One live registration per account and meeting.
CREATE UNIQUE INDEX registrations_live_key ON registrations (meeting_id, account_id) WHERE state IN ('pending','approved');
CREATE INDEX registrations_organisation_idx ON registrations (organisation_id, meeting_id, state);
CREATE INDEX registrations_meeting_idx ON registrations (meeting_id, state);
CREATE INDEX registrations_account_idx ON registrations (account_id);

-- Mail waiting to be sent, written in the same transaction as the change it tells about. The
-- worker renders it in the recipient's language, sends it over SMTP (or keeps it for the
-- secretariat when no SMTP server is configured), retrying with backoff; event_key makes sure
-- one event is mailed to one recipient once.
CREATE TABLE mail_outbox (
    id              bigserial PRIMARY KEY,
    event_key       text NOT NULL UNIQUE,
    kind            text NOT NULL,
    account_id      bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    registration_id bigint REFERENCES registrations ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sent','kept','failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    recipient       text NOT NULL DEFAULT '',
    subject         text NOT NULL DEFAULT '',
    body            text NOT NULL DEFAULT '',
    last_error      text NOT NULL DEFAULT '',
    sent_at         timestamptz
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE state = 'queued';
CREATE INDEX mail_outbox_registration_idx ON mail_outbox (registration_id);

-- +goose Down
DROP TABLE mail_outbox, registrations;
