-- Who issues and signs each contest's certificates, as officials set it:
-- a contestant's certificate prints these lines and nothing the contestant
-- sends. One row a contest; no row while no official has set it.
CREATE TABLE certificate_issuers (
    contest_id  INTEGER PRIMARY KEY REFERENCES contests (id),
    superior    TEXT NOT NULL DEFAULT '',
    agency      TEXT NOT NULL,
    sign_title  TEXT NOT NULL,
    signer      TEXT NOT NULL,
    place       TEXT NOT NULL,
    set_by      INTEGER REFERENCES users (id),
    set_by_name TEXT NOT NULL,
    set_at      INTEGER NOT NULL
);
