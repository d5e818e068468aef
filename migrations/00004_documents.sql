-- +goose Up

-- An account's affiliation to its organisation, confirmed by a focal point of the organisation
-- (on the members page, or by approving one of the account's registrations) or by the
-- secretariat. A row counts only while the account still belongs to that organisation: moving
-- to another organisation needs a new confirmation. Focal points, the secretariat and the
-- accounts of organisations with automatic approval count as confirmed without a row.
CREATE TABLE affiliations (
    account_id      bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    confirmed_by    bigint REFERENCES accounts ON DELETE SET NULL,
    confirmed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, organisation_id)
);
CREATE INDEX affiliations_organisation_idx ON affiliations (organisation_id);

-- The last number given to each type of document of a study group in a study period. The row is
-- updated in the transaction that inserts the document, so numbers come in sequence, never
-- twice and with no gap: a transaction that rolls back gives its number back.
CREATE TABLE document_counters (
    study_group_id bigint NOT NULL REFERENCES study_groups ON DELETE CASCADE,
    study_period   text NOT NULL,
    doc_type       text NOT NULL CHECK (doc_type IN ('C','TD','LS','R')),
    last_number    int NOT NULL CHECK (last_number > 0),
    PRIMARY KEY (study_group_id, study_period, doc_type)
);

CREATE TABLE documents (
    id               bigserial PRIMARY KEY,
    meeting_id       bigint NOT NULL REFERENCES meetings,
    study_group_id   bigint NOT NULL REFERENCES study_groups,
    study_period     text NOT NULL,
    doc_type         text NOT NULL CHECK (doc_type IN ('C','TD','LS','R')),
    number           int NOT NULL CHECK (number > 0),
    -- TDs only: GEN, PLEN or a working party (WP1 …)
    td_suffix        text CHECK (td_suffix ~ '^(GEN|PLEN|WP[1-9][0-9]?)$'),
    -- liaison statements only
    ls_direction     text CHECK (ls_direction IN ('incoming','outgoing')),
    ls_purpose       text CHECK (ls_purpose IN ('action','information')),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 400),
    -- a source that is not an organisation: "Rapporteur Q20/13", "ITU-T SG17", "TSB"
    source_text      text NOT NULL DEFAULT '' CHECK (length(source_text) <= 200),
    working_party_id bigint REFERENCES working_parties,
    agenda_item_id   bigint REFERENCES agenda_items ON DELETE SET NULL,
    work_item_id     bigint REFERENCES work_items ON DELETE SET NULL,
    state            text NOT NULL CHECK (state IN ('registered','posted','withdrawn')),
    -- contributions posted after the contributions deadline, and after the deadline of
    -- contributions needing translation
    late             boolean NOT NULL DEFAULT false,
    no_translation   boolean NOT NULL DEFAULT false,
    -- the latest revision with a file: 0 is the original, 1 is Rev.1 …
    revision         int NOT NULL DEFAULT 0 CHECK (revision >= 0),
    submitted_by     bigint REFERENCES accounts ON DELETE SET NULL,
    submitted_at     timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((doc_type = 'TD') = (td_suffix IS NOT NULL)),
    CHECK ((doc_type = 'LS') = (ls_direction IS NOT NULL)),
    CHECK ((doc_type = 'LS') = (ls_purpose IS NOT NULL)),
    UNIQUE (study_group_id, study_period, doc_type, number)
);
CREATE UNIQUE INDEX documents_meeting_number_key ON documents (meeting_id, doc_type, number);
CREATE INDEX documents_meeting_submitted_idx ON documents (meeting_id, submitted_at);
CREATE INDEX documents_agenda_item_idx ON documents (agenda_item_id) WHERE agenda_item_id IS NOT NULL;
CREATE INDEX documents_work_item_idx ON documents (work_item_id) WHERE work_item_id IS NOT NULL;

-- The organisations a document comes from, in the order given.
CREATE TABLE document_sources (
    document_id     bigint NOT NULL REFERENCES documents ON DELETE CASCADE,
    organisation_id bigint NOT NULL REFERENCES organisations,
    position        int NOT NULL,
    PRIMARY KEY (document_id, organisation_id)
);

CREATE TABLE document_questions (
    document_id bigint NOT NULL REFERENCES documents ON DELETE CASCADE,
    question_id bigint NOT NULL REFERENCES questions,
    PRIMARY KEY (document_id, question_id)
);
CREATE INDEX document_questions_question_idx ON document_questions (question_id);

-- A file's bytes, written in chunks of chunk_size (the last one shorter) while the upload
-- streams in, so that no file is ever held whole in memory; its SHA-256 (the ETag) and CRC-32
-- (for ZIP archives written without reading the file twice) are computed on the way.
CREATE TABLE document_contents (
    id         bigserial PRIMARY KEY,
    size       bigint NOT NULL CHECK (size >= 0),
    sha256     text NOT NULL DEFAULT '',
    crc32      bigint NOT NULL DEFAULT 0,
    chunk_size int NOT NULL CHECK (chunk_size > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Stored as they are: office files and PDFs are compressed already.
CREATE TABLE document_chunks (
    content_id bigint NOT NULL REFERENCES document_contents ON DELETE CASCADE,
    n          int NOT NULL CHECK (n >= 0),
    data       bytea NOT NULL,
    PRIMARY KEY (content_id, n)
);
ALTER TABLE document_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- One file per revision of a document; every earlier revision is kept.
CREATE TABLE document_files (
    id           bigserial PRIMARY KEY,
    document_id  bigint NOT NULL REFERENCES documents ON DELETE CASCADE,
    revision     int NOT NULL CHECK (revision >= 0),
    content_id   bigint NOT NULL REFERENCES document_contents,
    file_name    text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content_type text NOT NULL,
    late         boolean NOT NULL DEFAULT false,
    uploaded_by  bigint REFERENCES accounts ON DELETE SET NULL,
    uploaded_at  timestamptz NOT NULL,
    UNIQUE (document_id, revision)
);
CREATE INDEX document_files_content_idx ON document_files (content_id);

-- +goose Down
DROP TABLE document_files, document_chunks, document_contents, document_questions, document_sources,
    documents, document_counters, affiliations;
