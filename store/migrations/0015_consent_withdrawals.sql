-- A person who withdraws their consent (Law 91/2025/QH15) has their
-- personal data removed as a deletion removes it; the withdrawal itself is
-- kept, like the consent it ends, as the proof of when the processing had
-- to stop: which consent (and through it which purpose and version of the
-- text), when, and from which address and browser.
CREATE TABLE consent_withdrawals (
    consent_id   INTEGER PRIMARY KEY REFERENCES consents (id),
    withdrawn_at INTEGER NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
