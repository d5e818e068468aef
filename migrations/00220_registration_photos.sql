-- The photo of a registration (issue 13): a passport-style picture uploaded before the meeting or
-- taken at the desk, re-encoded (no metadata kept), stored as a file of the blob store (its
-- record in blobs). Erased with the passport data after the meeting: the row goes, and its file
-- is removed (the file's record is made due for the sweep in the same transaction).

-- +goose Up
CREATE TABLE registration_photos (
    registration_id bigint PRIMARY KEY REFERENCES registrations ON DELETE CASCADE,
    blob_key        text NOT NULL REFERENCES blobs (key),
    width           integer NOT NULL,
    height          integer NOT NULL,
    source          text NOT NULL CHECK (source IN ('upload', 'desk')),
    taken_by        bigint,
    taken_at        timestamptz NOT NULL
);

-- +goose Down
DROP TABLE registration_photos;
