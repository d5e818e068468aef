-- The scans' indexes, fewer entries per scan (issue 13's redeem at 40 desks). A scan wrote five
-- index entries (three for a refused or duplicate one): its key, its nonce, its check-in once,
-- the counted scans by registration (registration, list, time) and every scan by list (list,
-- time). The last served only the list figures, which read counted scans only; the counted scans'
-- index, list first, serves them and the desk's lookup of a person's counted scans on a list alike.
-- The pages that look a registration's check-in up (the desk, the figures, the participants) name
-- its meeting's entry list, which they join anyway: an accepted scan's registration is always of
-- its list's meeting (domain.MayScan).
--
-- Measured (BenchmarkRedeem40Desks, alternated runs): PostgreSQL CPU per redeem 110-120 µs with
-- the list index, 93-103 µs without.

-- +goose Up
DROP INDEX scans_list_idx;
DROP INDEX scans_registration_idx;
CREATE INDEX scans_counted_idx ON scans (list_id, registration_id, scanned_at) WHERE outcome = 'accepted';

-- +goose Down
DROP INDEX scans_counted_idx;
CREATE INDEX scans_registration_idx ON scans (registration_id, list_id, scanned_at) WHERE outcome = 'accepted';
CREATE INDEX scans_list_idx ON scans (list_id, scanned_at);
