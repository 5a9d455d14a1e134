-- Servers keep a closed round's computed ranking and statistics in memory
-- and reuse them while nothing they depend on has changed. These counters
-- say whether anything has: the database keeps them, by triggers, so that
-- a change made by any process (the purge command runs beside the server)
-- is seen at the next request, for the price of reading two rows.
--
-- round_id 0 counts the changes that can move any round: accounts edited,
-- deleted or purged, rounds and their prizes edited, locked or unlocked
-- (with one prize per person, a lock moves the contest's other rounds),
-- unit sizes, contests. Each round's own row counts its submissions.
CREATE TABLE ranking_versions (
    round_id INTEGER PRIMARY KEY, -- 0: every round
    version  INTEGER NOT NULL
);
INSERT INTO ranking_versions (round_id, version) VALUES (0, 1);

-- A submission (an auto-submit in the grace after the close too) moves its
-- round only.
CREATE TRIGGER ranking_attempt_submitted AFTER UPDATE OF submitted_at, score, correct, prediction ON attempts
WHEN NEW.submitted_at IS NOT NULL
BEGIN
    INSERT INTO ranking_versions (round_id, version) VALUES (NEW.round_id, 1)
        ON CONFLICT (round_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER ranking_attempt_added AFTER INSERT ON attempts
WHEN NEW.submitted_at IS NOT NULL
BEGIN
    INSERT INTO ranking_versions (round_id, version) VALUES (NEW.round_id, 1)
        ON CONFLICT (round_id) DO UPDATE SET version = version + 1;
END;

-- What a ranking shows of a person.
CREATE TRIGGER ranking_user_changed AFTER UPDATE OF full_name, birth_date, id_number, phone, province, commune,
    unit, deleted_at ON users
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;

-- A locked ranking's rows change only when an account is deleted or
-- purged; the lock and the unlock change the round itself.
CREATE TRIGGER ranking_result_changed AFTER UPDATE ON round_results
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;

CREATE TRIGGER ranking_round_changed AFTER UPDATE ON rounds
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;

CREATE TRIGGER ranking_contest_changed AFTER UPDATE ON contests
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;

CREATE TRIGGER ranking_prizes_added AFTER INSERT ON round_prizes
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;
CREATE TRIGGER ranking_prizes_changed AFTER UPDATE ON round_prizes
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;
CREATE TRIGGER ranking_prizes_removed AFTER DELETE ON round_prizes
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;

CREATE TRIGGER ranking_unit_prizes_added AFTER INSERT ON round_unit_prizes
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;
CREATE TRIGGER ranking_unit_prizes_changed AFTER UPDATE ON round_unit_prizes
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;
CREATE TRIGGER ranking_unit_prizes_removed AFTER DELETE ON round_unit_prizes
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;

-- Unit sizes rank units by share.
CREATE TRIGGER ranking_units_added AFTER INSERT ON units
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;
CREATE TRIGGER ranking_units_changed AFTER UPDATE ON units
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;
CREATE TRIGGER ranking_units_removed AFTER DELETE ON units
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;

-- Statistics show each question's text.
CREATE TRIGGER ranking_question_changed AFTER UPDATE OF text ON questions
BEGIN
    UPDATE ranking_versions SET version = version + 1 WHERE round_id = 0;
END;

-- The published results of a locked round are its prize rows and its units
-- with a prize: a few rows out of every contestant's.
CREATE INDEX round_results_prizes ON round_results (round_id, position) WHERE prize_tier > 0;
CREATE INDEX round_unit_results_prizes ON round_unit_results (round_id, position) WHERE prize <> '';
