-- The units (đơn vị) contestants choose from at registration, in the order
-- the organizer gave them. An empty list leaves the unit free text.
CREATE TABLE units (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID;
