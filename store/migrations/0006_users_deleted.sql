-- Servers keep the set of deleted accounts in memory and read only the
-- deletions newer than the last they saw.
CREATE INDEX users_deleted ON users (deleted_at) WHERE deleted_at IS NOT NULL;
