-- Organisation names in six languages (issue 11 §6, issue 12 §4). An organisation's name stays
-- its official name, in English, and unique; names holds the secretariat's translations of it.
-- A Member State without its own translation is named by its country in CLDR's (the UN's) name.

-- +goose Up
ALTER TABLE organisations ADD COLUMN names jsonb NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE organisations DROP COLUMN names;
