-- Which of a meeting's co-located events a delegate says they attend, asked on the registration
-- form (and changed later from the personal page). The visa support letter covers these events:
-- the period of stay runs from the first day of the earliest to the last day of the latest.

-- +goose Up
CREATE TABLE registration_colocated_events (
    registration_id    bigint NOT NULL REFERENCES registrations ON DELETE CASCADE,
    colocated_event_id bigint NOT NULL REFERENCES colocated_events ON DELETE CASCADE,
    PRIMARY KEY (registration_id, colocated_event_id)
);
CREATE INDEX registration_colocated_events_event_idx ON registration_colocated_events (colocated_event_id);

-- +goose Down
DROP TABLE registration_colocated_events;
