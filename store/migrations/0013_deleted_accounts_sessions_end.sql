-- A deleted account's sessions end as a password change ends them: a new
-- session epoch in the log of ended sessions. Accounts deleted before the
-- log existed get theirs here, so that tokens they still hold stay refused.
INSERT INTO session_ends (user_id, epoch, ended_at)
    SELECT id, session_epoch + 1, deleted_at FROM users WHERE deleted_at IS NOT NULL;
UPDATE users SET session_epoch = session_epoch + 1 WHERE deleted_at IS NOT NULL;
-- Servers no longer read the deletions themselves.
DROP INDEX users_deleted;
