package domain

import "time"

// AuditEvent is one line of the audit trail.
type AuditEvent struct {
	ID        int64          `db:"id"`
	At        time.Time      `db:"at"`
	ActorID   *int64         `db:"actor_id"`
	ActorName *string        `db:"actor_name"`
	Action    string         `db:"action"`
	Entity    string         `db:"entity"`
	EntityID  int64          `db:"entity_id"`
	Detail    map[string]any `db:"detail"`
}
