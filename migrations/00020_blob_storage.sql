-- Files move behind one blob store (internal/blob) with two backends, PostgreSQL and S3-compatible
-- object storage, so that a deployment past one machine keeps its files out of the database and
-- an upload no longer streams inside a transaction.
--
-- blobs is the registry of every stored file, whatever it belongs to (documents now, photos
-- later) and whichever backend holds it: the migration between backends (`plenary blobs move`)
-- changes `backend` file by file. A row is written before its object, as pending, so that an
-- upload abandoned half-way (a failed request, a killed process) leaves a row naming what to
-- remove: the sweep deletes the object and the row once pending_until has passed. A file kept for
-- a refused form ("already attached") is pending too, with staged_by and file_name saying whose
-- and what it is. The transaction that records a document's file clears pending_until, so a file
-- is either pending (and swept) or referenced, never both and never neither.
--
-- The PostgreSQL backend keeps its objects in blob_objects, their bytes in blob_chunks (the former
-- document_chunks, renamed, so that no byte is copied). document_contents goes: document_files
-- names its blob by key. Existing files keep their bytes and their ids: the key of content n is
-- 'documents/n'.

-- +goose Up
CREATE TABLE blobs (
    key           text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 512),
    backend       text NOT NULL CHECK (backend IN ('postgres', 's3')),
    size          bigint NOT NULL CHECK (size >= 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- for ZIP archives written without reading a file twice
    crc32         bigint NOT NULL CHECK (crc32 BETWEEN 0 AND 4294967295),
    created_at    timestamptz NOT NULL DEFAULT now(),
    pending_until timestamptz,
    staged_by     bigint REFERENCES accounts ON DELETE CASCADE,
    file_name     text CHECK (length(file_name) BETWEEN 1 AND 255),
    CHECK (staged_by IS NULL OR pending_until IS NOT NULL)
);
CREATE INDEX blobs_pending_idx ON blobs (pending_until) WHERE pending_until IS NOT NULL;
CREATE INDEX blobs_backend_idx ON blobs (backend);

CREATE TABLE blob_objects (
    id         bigserial PRIMARY KEY,
    key        text NOT NULL UNIQUE,
    size       bigint NOT NULL CHECK (size >= 0),
    chunk_size int NOT NULL CHECK (chunk_size > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO blob_objects (id, key, size, chunk_size, created_at)
    SELECT id, 'documents/' || id, size, chunk_size, created_at FROM document_contents;
SELECT setval(pg_get_serial_sequence('blob_objects', 'id'), GREATEST((SELECT max(id) FROM blob_objects), 1));
INSERT INTO blobs (key, backend, size, sha256, crc32, created_at)
    SELECT 'documents/' || id, 'postgres', size, sha256, crc32, created_at FROM document_contents
    WHERE sha256 <> '';

ALTER TABLE document_chunks RENAME TO blob_chunks;
ALTER TABLE blob_chunks RENAME COLUMN content_id TO object_id;
ALTER TABLE blob_chunks DROP CONSTRAINT document_chunks_content_id_fkey;
ALTER TABLE blob_chunks ADD CONSTRAINT blob_chunks_object_id_fkey
    FOREIGN KEY (object_id) REFERENCES blob_objects ON DELETE CASCADE;
ALTER INDEX document_chunks_pkey RENAME TO blob_chunks_pkey;
ALTER TABLE blob_chunks RENAME CONSTRAINT document_chunks_n_check TO blob_chunks_n_check;

ALTER TABLE document_files ADD COLUMN blob_key text REFERENCES blobs;
UPDATE document_files SET blob_key = 'documents/' || content_id;
ALTER TABLE document_files ALTER COLUMN blob_key SET NOT NULL;
DROP INDEX document_files_content_idx;
ALTER TABLE document_files DROP COLUMN content_id;
CREATE INDEX document_files_blob_idx ON document_files (blob_key);
DROP TABLE document_contents;

-- +goose Down
-- Back to files in PostgreSQL only: run `plenary blobs move --to postgres` first (this refuses
-- while any file is elsewhere), and pending uploads are forgotten.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM blobs b JOIN document_files f ON f.blob_key = b.key WHERE b.backend <> 'postgres') THEN
        RAISE EXCEPTION 'some document files are not in PostgreSQL: run plenary blobs move --to postgres first';
    END IF;
END $$;
-- +goose StatementEnd
CREATE TABLE document_contents (
    id         bigserial PRIMARY KEY,
    size       bigint NOT NULL CHECK (size >= 0),
    sha256     text NOT NULL DEFAULT '',
    crc32      bigint NOT NULL DEFAULT 0,
    chunk_size int NOT NULL CHECK (chunk_size > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO document_contents (id, size, sha256, crc32, chunk_size, created_at)
    SELECT o.id, o.size, b.sha256, b.crc32, o.chunk_size, o.created_at
    FROM blob_objects o JOIN blobs b ON b.key = o.key
    WHERE EXISTS (SELECT 1 FROM document_files f WHERE f.blob_key = o.key);
SELECT setval(pg_get_serial_sequence('document_contents', 'id'), GREATEST((SELECT max(id) FROM document_contents), 1));
ALTER TABLE document_files ADD COLUMN content_id bigint;
UPDATE document_files f SET content_id = o.id FROM blob_objects o WHERE o.key = f.blob_key;
ALTER TABLE document_files ALTER COLUMN content_id SET NOT NULL;
ALTER TABLE document_files ADD CONSTRAINT document_files_content_id_fkey FOREIGN KEY (content_id) REFERENCES document_contents;
DROP INDEX document_files_blob_idx;
ALTER TABLE document_files DROP COLUMN blob_key;
CREATE INDEX document_files_content_idx ON document_files (content_id);
DELETE FROM blob_chunks c WHERE NOT EXISTS (SELECT 1 FROM document_contents d WHERE d.id = c.object_id);
ALTER TABLE blob_chunks DROP CONSTRAINT blob_chunks_object_id_fkey;
ALTER TABLE blob_chunks RENAME CONSTRAINT blob_chunks_n_check TO document_chunks_n_check;
ALTER INDEX blob_chunks_pkey RENAME TO document_chunks_pkey;
ALTER TABLE blob_chunks RENAME COLUMN object_id TO content_id;
ALTER TABLE blob_chunks RENAME TO document_chunks;
ALTER TABLE document_chunks ADD CONSTRAINT document_chunks_content_id_fkey
    FOREIGN KEY (content_id) REFERENCES document_contents ON DELETE CASCADE;
DROP TABLE blob_objects, blobs;
