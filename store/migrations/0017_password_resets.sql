-- An account whose password someone else chose (`hoithi user add`, `user
-- password`, the first admin's printed password, a reset of a staff
-- account through a link an admin issued) must change it at its next
-- sign-in before it may do anything else.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- One-time links that set a forgotten password. Only the SHA-256 of the
-- link's random token is kept: a backup, or anyone reading the database,
-- cannot use a link that has not been used yet. A link is good once,
-- until expires_at, and only while the account's session epoch is the one
-- it was issued under: a password change, a disabled or deleted account
-- and the use of any other link all start a new epoch, which voids it.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    epoch      INTEGER NOT NULL,
    -- 'staff': an organizer or admin issued it after checking the person
    -- by phone (issued_by); 'email': mailed at the person's request.
    channel    TEXT NOT NULL CHECK (channel IN ('staff', 'email')),
    issued_by  INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    CHECK ((channel = 'staff') = (issued_by IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX password_resets_expiry ON password_resets (expires_at);
