-- The audit trail and the mail outbox are logs: a row says what happened, or what was written to
-- whom (the outbox keeps the recipient's address and the message itself), and must outlive
-- whatever it names. Their references to accounts and registrations are therefore plain ids, as
-- audit_events.entity_id always was: no foreign key, so no check and no row lock on the account
-- or registration for every row written.
--
-- Measured (make bench, registration submit): these checks were a third of PostgreSQL's work per
-- registration; each mail to a focal point locked that focal point's account row in every
-- registration's transaction. The ids are always taken from rows read or inserted in the same
-- transaction (see internal/postgres), so no row can name what never existed. The portal deletes
-- neither accounts nor registrations; a future erasure of an account must delete its mail itself.

-- +goose Up
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_id_fkey;
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_account_id_fkey,
    DROP CONSTRAINT mail_outbox_registration_id_fkey;

-- +goose Down
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_id_fkey
    FOREIGN KEY (actor_id) REFERENCES accounts ON DELETE SET NULL NOT VALID;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_account_id_fkey
    FOREIGN KEY (account_id) REFERENCES accounts ON DELETE CASCADE NOT VALID,
    ADD CONSTRAINT mail_outbox_registration_id_fkey
    FOREIGN KEY (registration_id) REFERENCES registrations ON DELETE CASCADE NOT VALID;
