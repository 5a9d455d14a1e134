-- SQLite migration 0020: when an attempt's questions were first shown to
-- its contestant, whose clock starts then.

ALTER TABLE attempts ADD COLUMN shown_at BIGINT;

-- Every attempt made before keeps the start and deadline it had.
UPDATE attempts SET shown_at = started_at;
