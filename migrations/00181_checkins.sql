-- The day of the meeting (issue 13): check-in lists and every scan that reached the portal.
-- Each meeting has its entry list (one check-in per registration, where the badge is collected);
-- the secretariat may add rooms and co-located events, which count every entry and exit.
-- A scan is never lost: one that did not count (a duplicate, a refusal) is kept with its
-- outcome, and a scanner's client nonce makes a retried scan return its first answer.

-- +goose Up
CREATE TABLE checkin_lists (
    id          bigserial PRIMARY KEY,
    meeting_id  bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('entry', 'room', 'event')),
    name        text NOT NULL DEFAULT '',
    multi_entry boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX checkin_lists_entry ON checkin_lists (meeting_id) WHERE kind = 'entry';

CREATE TABLE scans (
    id              bigserial PRIMARY KEY,
    list_id         bigint NOT NULL REFERENCES checkin_lists ON DELETE CASCADE,
    registration_id bigint,
    token_id        bigint,
    direction       text NOT NULL CHECK (direction IN ('in', 'out')),
    outcome         text NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'refused')),
    refusal         text NOT NULL DEFAULT '',
    -- when the scan was made (a device's own time for a scan made offline), and received
    scanned_at      timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    desk            text NOT NULL DEFAULT '',
    staff_id        bigint,
    device_id       bigint,
    -- who sent the nonce ('staff:<id>' or 'device:<id>') and the nonce; the first answer
    client          text NOT NULL,
    nonce           text,
    answer          jsonb,
    -- the list takes one check-in per registration (copied from the list)
    single          boolean NOT NULL
);
CREATE UNIQUE INDEX scans_nonce ON scans (client, nonce) WHERE nonce IS NOT NULL;
-- Exactly one check-in per registration on a single-entry list, whatever the desks do.
CREATE UNIQUE INDEX scans_once ON scans (list_id, registration_id) WHERE outcome = 'accepted' AND single;
CREATE INDEX scans_registration_idx ON scans (registration_id, list_id, scanned_at) WHERE outcome = 'accepted';
CREATE INDEX scans_list_idx ON scans (list_id, scanned_at);

-- +goose Down
DROP TABLE scans;
DROP TABLE checkin_lists;
