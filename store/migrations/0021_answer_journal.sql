-- Answers to running attempts are appended to a journal, in the order
-- they arrive, and move into answers after their attempt is submitted.
-- Kept by attempt, the answers of thousands of contestants playing at once
-- each landed on a page of their own, and every commit wrote a page for
-- every answer in it; appended, the answers of one commit share a page or
-- two. The journal has no index but its sequence: the store keeps in
-- memory which rows are each attempt's, and moves every row into answers
-- when the database is opened. Rows whose answers have moved are deleted
-- from the front of the journal as it grows.

CREATE TABLE answer_journal (
    seq         INTEGER PRIMARY KEY,
    attempt_id  INTEGER NOT NULL REFERENCES attempts (id),
    question_id INTEGER NOT NULL,
    option_ids  TEXT NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at INTEGER NOT NULL
);
