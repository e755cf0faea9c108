-- Booking instants take the column names they have on PostgreSQL, so both
-- backends share one set of queries (src/sql/bookings.rs). They are still
-- Unix microseconds here: integers compare fast in the overlap check.

ALTER TABLE bookings RENAME COLUMN starts_at_us TO starts_at;
ALTER TABLE bookings RENAME COLUMN ends_at_us TO ends_at;
ALTER TABLE bookings RENAME COLUMN blocked_from_us TO blocked_from;
ALTER TABLE bookings RENAME COLUMN blocked_until_us TO blocked_until;
ALTER TABLE bookings RENAME COLUMN held_until_us TO held_until;
