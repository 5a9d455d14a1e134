-- Sessions can end before their tokens expire. Each token carries its own
-- id and the account's session epoch at sign-in; a password change or a
-- disabled account starts a new epoch, and tokens of an earlier one count
-- for nothing.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
-- A disabled staff account cannot sign in until an admin enables it.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

-- Every session ended early: one token (token_id, on logout) or every
-- token of an account below an epoch (token_id NULL). Each server keeps
-- the log in memory and reads only the rows after the last it saw, so seq
-- must never go back: AUTOINCREMENT does not reuse a deleted row's number.
-- A token's row goes once the token has expired.
CREATE TABLE session_ends (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_id   TEXT,
    epoch      INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER,
    ended_at   INTEGER NOT NULL,
    CHECK ((token_id IS NULL) = (expires_at IS NULL))
);
CREATE INDEX session_ends_expiry ON session_ends (expires_at) WHERE token_id IS NOT NULL;
