-- Officials' part: locked rankings with their prizes, group prizes by
-- unit, the audit log, and deleted accounts.

-- "One prize per person across all rounds, the highest."
ALTER TABLE contests ADD COLUMN one_prize_per_person INTEGER NOT NULL DEFAULT 0
    CHECK (one_prize_per_person IN (0, 1));

-- Prizes for at most this share of a round's contestants; 0: no cap.
ALTER TABLE rounds ADD COLUMN prize_cap_percent INTEGER NOT NULL DEFAULT 0
    CHECK (prize_cap_percent BETWEEN 0 AND 100);
-- The prediction's actual count, as it stood when the round was locked.
ALTER TABLE rounds ADD COLUMN actual INTEGER;

-- Group prize tiers, given to units.
CREATE TABLE round_unit_prizes (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    count    INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (round_id, position)
) WITHOUT ROWID;

-- How many members a unit has, when the organizer knows: units are then
-- also ranked by the share of their members who took part. 0: unknown.
ALTER TABLE units ADD COLUMN members INTEGER NOT NULL DEFAULT 0 CHECK (members >= 0);

-- A locked round's ranking, one row per contestant in order, with the
-- person's data copied as it was at the lock: the officials' decision
-- stands whatever happens to the account after.
CREATE TABLE round_results (
    round_id         INTEGER NOT NULL REFERENCES rounds (id),
    position         INTEGER NOT NULL,
    rank             INTEGER NOT NULL,
    prize_tier       INTEGER NOT NULL DEFAULT 0, -- 1 for the first tier; 0 none
    prize            TEXT NOT NULL DEFAULT '',
    user_id          INTEGER NOT NULL,
    attempt_id       INTEGER NOT NULL,
    full_name        TEXT NOT NULL,
    birth_date       TEXT NOT NULL DEFAULT '',
    id_number        TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    unit             TEXT NOT NULL DEFAULT '',
    province         TEXT NOT NULL DEFAULT '',
    commune          TEXT NOT NULL DEFAULT '',
    score            INTEGER NOT NULL,
    correct          INTEGER NOT NULL,
    total            INTEGER NOT NULL,
    prediction       INTEGER,
    prediction_error INTEGER,
    duration_ms      INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    submitted_at     INTEGER NOT NULL,
    flags            TEXT NOT NULL DEFAULT '', -- comma-separated
    note             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (round_id, position)
) WITHOUT ROWID;
CREATE INDEX round_results_user ON round_results (user_id);

-- A locked round's units, in order.
CREATE TABLE round_unit_results (
    round_id      INTEGER NOT NULL REFERENCES rounds (id),
    position      INTEGER NOT NULL,
    unit          TEXT NOT NULL,
    participants  INTEGER NOT NULL,
    members       INTEGER NOT NULL DEFAULT 0,
    rank          INTEGER NOT NULL,
    share_rank    INTEGER NOT NULL DEFAULT 0, -- 0 without members
    prize         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (round_id, position)
) WITHOUT ROWID;

-- Who did what to results and personal data: locks, unlocks, views and
-- exports of winner lists, deletions and purges.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    user_id  INTEGER,
    actor    TEXT NOT NULL DEFAULT '', -- name and login as they were
    action   TEXT NOT NULL,
    round_id INTEGER,
    detail   TEXT NOT NULL DEFAULT '',
    ip       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_round ON audit_log (round_id, at);

-- A deleted account keeps its row (attempts refer to it) with the person's
-- data removed; it can no longer sign in.
ALTER TABLE users ADD COLUMN deleted_at INTEGER;
