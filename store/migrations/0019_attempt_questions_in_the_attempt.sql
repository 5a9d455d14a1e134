-- An attempt's questions move into its own row: question_ids, a JSON array
-- of the question ids in the order the attempt shows them, and
-- option_orders, a JSON array holding for each of them its option ids in
-- this attempt's order. Starting an attempt then writes one row instead of
-- one per question, which is most of what a round's opening rush costs
-- the database. The engine checks that an answer's question belongs to
-- its attempt before storing it; the answers keep a key to their attempt.

ALTER TABLE attempts ADD COLUMN question_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE attempts ADD COLUMN option_orders TEXT NOT NULL DEFAULT '[]';

UPDATE attempts SET
    question_ids = (SELECT json_group_array(question_id ORDER BY position)
        FROM attempt_questions WHERE attempt_id = attempts.id),
    option_orders = (SELECT json_group_array(json(option_order) ORDER BY position)
        FROM attempt_questions WHERE attempt_id = attempts.id)
WHERE EXISTS (SELECT 1 FROM attempt_questions WHERE attempt_id = attempts.id);

CREATE TABLE answers_by_attempt (
    attempt_id  INTEGER NOT NULL REFERENCES attempts (id),
    question_id INTEGER NOT NULL,
    option_ids  TEXT NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
) WITHOUT ROWID;
INSERT INTO answers_by_attempt (attempt_id, question_id, option_ids, correct, answered_at)
    SELECT attempt_id, question_id, option_ids, correct, answered_at FROM answers;
DROP TABLE answers;
ALTER TABLE answers_by_attempt RENAME TO answers;
DROP TABLE attempt_questions;
