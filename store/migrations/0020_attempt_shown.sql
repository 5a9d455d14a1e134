-- When an attempt's questions were first shown to its contestant. Its
-- clock starts then (at most a minute after the start was taken up): its
-- start and deadline move later by that wait, once, and shown_at records
-- that they did.

ALTER TABLE attempts ADD COLUMN shown_at INTEGER;
