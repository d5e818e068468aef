-- What a visa support letter says of its sender: the letterhead (the secretariat's name and
-- postal address), the signatory (name, title, and an optional scanned signature) and the
-- language letters are written in. Set per study group, and per meeting where a meeting differs:
-- a meeting's non-empty fields win over its study group's.

-- +goose Up
CREATE TABLE letter_settings (
    id               bigserial PRIMARY KEY,
    study_group_id   bigint UNIQUE REFERENCES study_groups ON DELETE CASCADE,
    meeting_id       bigint UNIQUE REFERENCES meetings ON DELETE CASCADE,
    secretariat_name text NOT NULL DEFAULT '',
    -- one line of the address per line of text
    postal_address   text NOT NULL DEFAULT '',
    signatory_name   text NOT NULL DEFAULT '',
    signatory_title  text NOT NULL DEFAULT '',
    -- a PNG or JPEG image, checked when uploaded
    signature        bytea,
    signature_type   text NOT NULL DEFAULT '' CHECK (signature_type IN ('', 'image/png', 'image/jpeg')),
    -- the language of the letters ('' follows the study group, then English)
    language         text NOT NULL DEFAULT '',
    version          bigint NOT NULL DEFAULT 1,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((study_group_id IS NULL) <> (meeting_id IS NULL)),
    CHECK ((signature IS NULL) = (signature_type = ''))
);

-- +goose Down
DROP TABLE letter_settings;
