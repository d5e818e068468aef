-- A focal point chooses how they are told of new requests to decide: one mail each (the
-- default), or a daily digest at a time of day they choose, read in each meeting's time zone.
-- While they choose the digest, each "registration.pending" mail queued for them waits in the
-- outbox as 'digest' (set by the trigger below, whichever code queues it); the digest job folds
-- a meeting's waiting mails into one mail once its time has come that day, marks them
-- 'digested', and records the (focal point, meeting, day) in focal_digests, whose key makes sure
-- that with several replicas a day's digest is made once.

-- +goose Up
CREATE TABLE focal_mail_prefs (
    account_id bigint PRIMARY KEY REFERENCES accounts ON DELETE CASCADE,
    -- minutes after midnight, in the meeting's time zone; NULL: one mail per request
    digest_at  int CHECK (digest_at BETWEEN 0 AND 1439),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE focal_digests (
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    meeting_id bigint NOT NULL REFERENCES meetings ON DELETE CASCADE,
    day        date NOT NULL,
    mails      int NOT NULL,
    made_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, meeting_id, day)
);

ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_state_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_state_check
    CHECK (state IN ('queued','sent','kept','failed','digest','digested'));
CREATE INDEX mail_outbox_digest_idx ON mail_outbox (account_id) WHERE state = 'digest';

-- +goose StatementBegin
CREATE FUNCTION mail_outbox_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM focal_mail_prefs WHERE account_id = NEW.account_id AND digest_at IS NOT NULL) THEN
        NEW.state := 'digest';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER mail_outbox_digest BEFORE INSERT ON mail_outbox
    FOR EACH ROW WHEN (NEW.kind = 'registration.pending' AND NEW.state IN ('queued','kept'))
    EXECUTE FUNCTION mail_outbox_digest();

-- +goose Down
DROP TRIGGER mail_outbox_digest ON mail_outbox;
DROP FUNCTION mail_outbox_digest();
UPDATE mail_outbox SET state = 'queued' WHERE state = 'digest';
UPDATE mail_outbox SET state = 'sent' WHERE state = 'digested';
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_state_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_state_check CHECK (state IN ('queued','sent','kept','failed'));
DROP INDEX IF EXISTS mail_outbox_digest_idx;
DROP TABLE focal_digests, focal_mail_prefs;
