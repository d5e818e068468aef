-- Who cancelled a registration: its owner ("Cancelled by you"), a focal point or the
-- secretariat. decided_by keeps who approved or rejected it, which a cancellation by the owner
-- must not be shown as. Registrations cancelled before this migration get it from the audit
-- trail's last cancellation event.

-- +goose Up
ALTER TABLE registrations ADD COLUMN cancelled_by bigint REFERENCES accounts ON DELETE SET NULL;
UPDATE registrations r SET cancelled_by = e.actor_id
FROM (
    SELECT DISTINCT ON (entity_id) entity_id, actor_id
    FROM audit_events
    WHERE entity = 'registration' AND action = 'registration.cancel'
    ORDER BY entity_id, at DESC, id DESC
) e
WHERE r.id = e.entity_id AND r.state = 'cancelled';

-- +goose Down
ALTER TABLE registrations DROP COLUMN cancelled_by;
