-- +goose Up

-- Sessions of alexedwards/scs (pgxstore).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE study_groups (
    id           bigserial PRIMARY KEY,
    code         text NOT NULL UNIQUE,
    title        jsonb NOT NULL DEFAULT '{}',
    study_period text NOT NULL,
    chair        text NOT NULL DEFAULT '',
    phone        text NOT NULL DEFAULT '',
    fax          text NOT NULL DEFAULT '',
    email        text NOT NULL DEFAULT '',
    web          text NOT NULL DEFAULT ''
);

CREATE TABLE working_parties (
    id             bigserial PRIMARY KEY,
    study_group_id bigint NOT NULL REFERENCES study_groups ON DELETE CASCADE,
    number         int NOT NULL CHECK (number > 0),
    code           text NOT NULL,
    title          jsonb NOT NULL DEFAULT '{}',
    UNIQUE (study_group_id, number),
    UNIQUE (study_group_id, code)
);

CREATE TABLE questions (
    id               bigserial PRIMARY KEY,
    study_group_id   bigint NOT NULL REFERENCES study_groups ON DELETE CASCADE,
    working_party_id bigint REFERENCES working_parties ON DELETE SET NULL,
    number           int NOT NULL CHECK (number > 0),
    code             text NOT NULL,
    title            jsonb NOT NULL DEFAULT '{}',
    UNIQUE (study_group_id, number),
    UNIQUE (study_group_id, code)
);

CREATE TABLE organisations (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('member_state','sector_member','associate','academia','observer','other')),
    country       text NOT NULL DEFAULT '',
    auto_approval boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name));

-- Associates take part only in the study groups they are associated with.
CREATE TABLE organisation_study_groups (
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    study_group_id  bigint NOT NULL REFERENCES study_groups ON DELETE CASCADE,
    PRIMARY KEY (organisation_id, study_group_id)
);

CREATE TABLE accounts (
    id              bigserial PRIMARY KEY,
    email           text NOT NULL,
    password_hash   text NOT NULL,
    given_name      text NOT NULL,
    family_name     text NOT NULL,
    gender          text NOT NULL DEFAULT 'not_stated' CHECK (gender IN ('female','male','not_stated')),
    organisation_id bigint REFERENCES organisations ON DELETE SET NULL,
    language        text NOT NULL DEFAULT 'en',
    secretariat     boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));
CREATE INDEX accounts_organisation_idx ON accounts (organisation_id);

CREATE TABLE focal_points (
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    account_id      bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    PRIMARY KEY (organisation_id, account_id)
);
CREATE INDEX focal_points_account_idx ON focal_points (account_id);

CREATE TABLE meetings (
    id               bigserial PRIMARY KEY,
    slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    study_group_id   bigint NOT NULL REFERENCES study_groups,
    title            jsonb NOT NULL DEFAULT '{}',
    city             text NOT NULL DEFAULT '',
    venue            text NOT NULL DEFAULT '',
    time_zone        text NOT NULL,
    first_day        date NOT NULL,
    last_day         date NOT NULL,
    languages        text[] NOT NULL DEFAULT '{en}',
    interpretation   boolean NOT NULL DEFAULT false,
    fellowships      boolean NOT NULL DEFAULT false,
    paperless        boolean NOT NULL DEFAULT true,
    remote_tool      text NOT NULL DEFAULT '',
    remote_link      text NOT NULL DEFAULT '',
    remote_rules     jsonb NOT NULL DEFAULT '{}',
    purpose          jsonb NOT NULL DEFAULT '{}',
    approved_by      text NOT NULL DEFAULT '',
    desk_place       text NOT NULL DEFAULT '',
    room_allocation  jsonb NOT NULL DEFAULT '{}',
    practical_info   jsonb NOT NULL DEFAULT '{}',
    collective_letter text NOT NULL DEFAULT '',
    version          bigint NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (last_day >= first_day)
);

-- The days and hours the registration desk opens, in the meeting's local time.
CREATE TABLE desk_openings (
    id         bigserial PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    opens_at   timestamp NOT NULL
);
CREATE INDEX desk_openings_meeting_idx ON desk_openings (meeting_id, opens_at);

-- A working party's session, its start in the meeting's local time.
CREATE TABLE meeting_sessions (
    id               bigserial PRIMARY KEY,
    meeting_id       bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    working_party_id bigint NOT NULL REFERENCES working_parties,
    starts_at        timestamp NOT NULL,
    ends_at          timestamp CHECK (ends_at > starts_at),
    room             text NOT NULL DEFAULT ''
);
CREATE INDEX meeting_sessions_meeting_idx ON meeting_sessions (meeting_id, starts_at);

CREATE TABLE colocated_events (
    id         bigserial PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    title      jsonb NOT NULL DEFAULT '{}',
    first_day  date NOT NULL,
    last_day   date NOT NULL,
    url        text NOT NULL DEFAULT '',
    CHECK (last_day >= first_day)
);
CREATE INDEX colocated_events_meeting_idx ON colocated_events (meeting_id, first_day);

-- Only deadlines the secretariat has set; the others follow from the meeting's first day.
CREATE TABLE deadlines (
    meeting_id bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('pre_registration','visa_support_request','contributions_for_translation','contributions')),
    day        date NOT NULL,
    PRIMARY KEY (meeting_id, kind)
);

CREATE TABLE agenda_items (
    id               bigserial PRIMARY KEY,
    meeting_id       bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    working_party_id bigint NOT NULL REFERENCES working_parties,
    position         int NOT NULL CHECK (position > 0),
    title            jsonb NOT NULL DEFAULT '{}',
    -- the proposed action whose work items this item lists, if any
    holds            text CHECK (holds IN ('determination','consent','agreement')),
    UNIQUE (meeting_id, working_party_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE work_items (
    id               bigserial PRIMARY KEY,
    meeting_id       bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    working_party_id bigint NOT NULL REFERENCES working_parties,
    question_id      bigint NOT NULL REFERENCES questions,
    acronym          text NOT NULL,
    title            jsonb NOT NULL DEFAULT '{}',
    kind             text NOT NULL CHECK (kind IN ('recommendation','supplement')),
    action           text NOT NULL CHECK (action IN ('determination','consent','agreement')),
    position         int NOT NULL,
    UNIQUE (meeting_id, acronym)
);
CREATE INDEX work_items_meeting_idx ON work_items (meeting_id, working_party_id, position);

CREATE TABLE audit_events (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint REFERENCES accounts ON DELETE SET NULL,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   bigint NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}',
    remote_addr text NOT NULL DEFAULT '',
    request_id  text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id, at);

-- Failed sign-ins, counted per address and per account to slow down password guessing; kept in
-- the database so that every server instance sees the same counts.
CREATE TABLE login_failures (
    key text NOT NULL,
    at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (key, at);

-- +goose Down
DROP TABLE login_failures, audit_events, work_items, agenda_items, deadlines, colocated_events, meeting_sessions,
    desk_openings, meetings, focal_points, accounts, organisation_study_groups, organisations,
    questions, working_parties, study_groups, sessions;
