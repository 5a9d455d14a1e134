-- When an attempt's questions were first shown to its contestant. Its
-- clock starts then (at most a minute after the start was taken up): its
-- start and deadline move later by that wait, once, and shown_at records
-- that they did.

ALTER TABLE attempts ADD COLUMN shown_at INTEGER;

-- Every attempt made before: its clock started at its start, as the rule
-- was then; an attempt running through the upgrade keeps its deadline.
UPDATE attempts SET shown_at = started_at;
