-- Live quizzes: a host shows one question at a time to everyone in a room,
-- players answer on their phones with a nickname. Everything a restart
-- needs to carry a game on is kept here: the game and where it stands, the
-- questions as drawn (with their options in the game's order and the
-- correct set, copied so that a later edit of the bank cannot change a
-- game played), the players (their rejoin token only as a SHA-256 hash)
-- and every answer with the points it earned.

CREATE TABLE live_games (
    id                   INTEGER PRIMARY KEY,
    -- Six digits players type to join; unique among games not ended (see
    -- live_games_pin), so an ended game's PIN may come back.
    pin                  TEXT NOT NULL CHECK (length(pin) = 6),
    title                TEXT NOT NULL DEFAULT '',
    bank_id              INTEGER NOT NULL REFERENCES banks (id),
    created_by           INTEGER REFERENCES users (id),
    seconds_per_question INTEGER NOT NULL CHECK (seconds_per_question BETWEEN 5 AND 120),
    points_mode          TEXT NOT NULL CHECK (points_mode IN ('speed', 'accuracy')),
    streak_bonus         INTEGER NOT NULL DEFAULT 0 CHECK (streak_bonus IN (0, 1)),
    auto_advance         INTEGER NOT NULL DEFAULT 0 CHECK (auto_advance IN (0, 1)),
    phase                TEXT NOT NULL DEFAULT 'lobby'
        CHECK (phase IN ('lobby', 'question', 'reveal', 'leaderboard', 'ended')),
    -- The question shown or last shown, from 0; -1 before the first.
    question_index       INTEGER NOT NULL DEFAULT -1,
    created_at           INTEGER NOT NULL,
    started_at           INTEGER,
    ended_at             INTEGER,
    CHECK ((phase = 'ended') = (ended_at IS NOT NULL))
);
CREATE UNIQUE INDEX live_games_pin ON live_games (pin) WHERE phase <> 'ended';
CREATE INDEX live_games_created ON live_games (created_at);

-- The questions of a game in the order it shows them. options is a JSON
-- array of {"id","text","correct"} in the game's order.
CREATE TABLE live_questions (
    game_id     INTEGER NOT NULL REFERENCES live_games (id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    question_id INTEGER NOT NULL REFERENCES questions (id),
    text        TEXT NOT NULL,
    options     TEXT NOT NULL,
    opened_at   INTEGER,
    deadline    INTEGER,
    closed_at   INTEGER,
    -- The host skipped it: it earns nobody points or a correct answer.
    skipped     INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    PRIMARY KEY (game_id, position)
) WITHOUT ROWID;

CREATE TABLE live_players (
    id           INTEGER PRIMARY KEY,
    game_id      INTEGER NOT NULL REFERENCES live_games (id),
    -- The order of joining, from 1 in each game: the last tie-break.
    seq          INTEGER NOT NULL,
    nickname     TEXT NOT NULL,
    -- The nickname case-folded: two players of a game cannot share it.
    nickname_key TEXT NOT NULL,
    -- A signed-in contestant; NULL for a guest.
    user_id      INTEGER REFERENCES users (id),
    token_hash   TEXT NOT NULL UNIQUE,
    joined_at    INTEGER NOT NULL,
    kicked_at    INTEGER,
    UNIQUE (game_id, nickname_key),
    UNIQUE (game_id, seq)
);
CREATE UNIQUE INDEX live_players_user ON live_players (game_id, user_id) WHERE user_id IS NOT NULL;

-- One answer a player and question, final once stored: option_ids is a
-- sorted JSON array, points what it earned when it arrived (0 when wrong),
-- time_ms the time from the question's opening on the server's clock.
CREATE TABLE live_answers (
    game_id     INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    player_id   INTEGER NOT NULL REFERENCES live_players (id),
    option_ids  TEXT NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    points      INTEGER NOT NULL CHECK (points >= 0),
    time_ms     INTEGER NOT NULL CHECK (time_ms >= 0),
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (game_id, position, player_id),
    FOREIGN KEY (game_id, position) REFERENCES live_questions (game_id, position)
) WITHOUT ROWID;
