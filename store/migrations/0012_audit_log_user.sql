-- An account's own entries: found when a deletion removes its name from
-- them, and when a repeated download of one's own data is recorded once an
-- hour.
CREATE INDEX audit_log_user ON audit_log (user_id, action, at) WHERE user_id IS NOT NULL;
