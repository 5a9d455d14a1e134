-- Times are INTEGER milliseconds since the Unix epoch, UTC.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'organizer', 'official', 'contestant')),
    full_name     TEXT NOT NULL,
    birth_date    TEXT NOT NULL DEFAULT '',
    id_number     TEXT NOT NULL DEFAULT '',
    phone         TEXT UNIQUE,
    email         TEXT UNIQUE COLLATE NOCASE,
    province      TEXT NOT NULL DEFAULT '',
    commune       TEXT NOT NULL DEFAULT '',
    unit          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    CHECK (phone IS NOT NULL OR email IS NOT NULL)
);
CREATE INDEX users_role ON users (role);
CREATE INDEX users_id_number ON users (id_number) WHERE id_number <> '';

-- The text a person agrees to, kept word for word for every version ever
-- shown, so that each consent record can be checked against what was read.
CREATE TABLE consent_texts (
    version      TEXT PRIMARY KEY,
    purpose      TEXT NOT NULL,
    body_vi      TEXT NOT NULL,
    body_en      TEXT NOT NULL,
    published_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE consents (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL,
    version    TEXT NOT NULL REFERENCES consent_texts (version),
    agreed_at  INTEGER NOT NULL,
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consents_user ON consents (user_id);

CREATE TABLE banks (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    -- version grows with every change to the bank's questions, so that
    -- cached draws know to reload.
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);

CREATE TABLE questions (
    id          INTEGER PRIMARY KEY,
    bank_id     INTEGER NOT NULL REFERENCES banks (id),
    topic       TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL,
    explanation TEXT NOT NULL DEFAULT '',
    reference   TEXT NOT NULL DEFAULT '',
    retired_at  INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX questions_bank ON questions (bank_id, topic);

CREATE TABLE options (
    id          INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    UNIQUE (question_id, position)
);

CREATE TABLE contests (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    published_at INTEGER,
    created_by   INTEGER REFERENCES users (id),
    created_at   INTEGER NOT NULL
);

CREATE TABLE rounds (
    id                  INTEGER PRIMARY KEY,
    contest_id          INTEGER NOT NULL REFERENCES contests (id),
    name                TEXT NOT NULL,
    bank_id             INTEGER NOT NULL REFERENCES banks (id),
    opens_at            INTEGER NOT NULL,
    closes_at           INTEGER NOT NULL,
    duration_seconds    INTEGER NOT NULL CHECK (duration_seconds > 0),
    question_count      INTEGER NOT NULL CHECK (question_count > 0),
    points_per_question INTEGER NOT NULL DEFAULT 1,
    max_attempts        INTEGER NOT NULL DEFAULT 1 CHECK (max_attempts >= 0),
    prediction_prompt   TEXT NOT NULL DEFAULT '',
    prediction_target   TEXT NOT NULL DEFAULT ''
        CHECK (prediction_target IN ('', 'perfect_scorers', 'participants', 'attempts')),
    reveal              TEXT NOT NULL DEFAULT 'after_submit'
        CHECK (reveal IN ('never', 'after_submit', 'after_close')),
    locked_at           INTEGER,
    locked_by           INTEGER REFERENCES users (id),
    created_at          INTEGER NOT NULL,
    CHECK (closes_at > opens_at)
);
CREATE INDEX rounds_contest ON rounds (contest_id, opens_at);

CREATE TABLE round_topic_quotas (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    topic    TEXT NOT NULL,
    count    INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (round_id, topic)
) WITHOUT ROWID;

CREATE TABLE round_prizes (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    count    INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (round_id, position)
) WITHOUT ROWID;

CREATE TABLE attempts (
    id             INTEGER PRIMARY KEY,
    round_id       INTEGER NOT NULL REFERENCES rounds (id),
    user_id        INTEGER NOT NULL REFERENCES users (id),
    number         INTEGER NOT NULL,
    seed           BLOB NOT NULL,
    question_count INTEGER NOT NULL,
    started_at     INTEGER NOT NULL,
    deadline       INTEGER NOT NULL,
    submitted_at   INTEGER,
    auto_submitted INTEGER NOT NULL DEFAULT 0,
    score          INTEGER,
    correct        INTEGER,
    prediction     INTEGER,
    UNIQUE (round_id, user_id, number)
);
CREATE INDEX attempts_unsubmitted ON attempts (deadline) WHERE submitted_at IS NULL;
CREATE INDEX attempts_round_submitted ON attempts (round_id) WHERE submitted_at IS NOT NULL;

-- The questions of one attempt in the order it shows them, each with its
-- options in this attempt's order (a JSON array of option ids).
CREATE TABLE attempt_questions (
    attempt_id   INTEGER NOT NULL REFERENCES attempts (id),
    position     INTEGER NOT NULL,
    question_id  INTEGER NOT NULL REFERENCES questions (id),
    option_order TEXT NOT NULL,
    PRIMARY KEY (attempt_id, position),
    UNIQUE (attempt_id, question_id)
) WITHOUT ROWID;

-- One row per attempt and question: the latest choice (a JSON array of
-- option ids, sorted), scored when it arrived.
CREATE TABLE answers (
    attempt_id  INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    option_ids  TEXT NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, question_id),
    FOREIGN KEY (attempt_id, question_id) REFERENCES attempt_questions (attempt_id, question_id)
) WITHOUT ROWID;
