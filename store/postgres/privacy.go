package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

// The privacy rights (Law 91/2025/QH15): a person's own data, its
// correction, the deletion of an account and the withdrawal of consent,
// and the purge of old contests' personal data. What each erases, keeps or
// anonymizes is the SQLite store's (store/privacy.go), column for column;
// quiz.Privacy says why.

var _ quiz.PrivacyStore = (*DB)(nil)

// OwnData gathers, in one snapshot, everything kept about an account that
// is not deleted.
func (db *DB) OwnData(ctx context.Context, userID int64) (quiz.OwnData, error) {
	var d quiz.OwnData
	err := db.readTx(ctx, func(tx pgx.Tx) (err error) {
		d, err = ownData(ctx, tx, userID)
		return err
	})
	if err != nil {
		return quiz.OwnData{}, fmt.Errorf("postgres: own data of %d: %w", userID, err)
	}
	return d, nil
}

func ownData(ctx context.Context, tx pgx.Tx, userID int64) (quiz.OwnData, error) {
	var d quiz.OwnData
	var err error
	d.Account, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1 AND deleted_at IS NULL", userID))
	if err != nil {
		return quiz.OwnData{}, notFound(err, "user")
	}
	if d.Consents, err = ownConsents(ctx, tx, userID); err != nil {
		return quiz.OwnData{}, err
	}
	if d.Attempts, err = ownAttempts(ctx, tx, userID); err != nil {
		return quiz.OwnData{}, err
	}
	if d.Results, err = ownResults(ctx, tx, userID, false); err != nil {
		return quiz.OwnData{}, err
	}
	if d.Live, err = ownLivePlays(ctx, tx, userID); err != nil {
		return quiz.OwnData{}, err
	}
	return d, nil
}

// ownLivePlays reads the live quizzes an account played, with the points
// and right answers of the questions not skipped.
func ownLivePlays(ctx context.Context, tx pgx.Tx, userID int64) ([]quiz.OwnLivePlay, error) {
	rows, _ := tx.Query(ctx, `SELECT p.game_id, g.title, p.nickname, p.joined_at,
		coalesce(sum(a.points) FILTER (WHERE NOT q.skipped), 0),
		count(*) FILTER (WHERE NOT q.skipped AND a.correct), count(a.player_id)
		FROM live_players p JOIN live_games g ON g.id = p.game_id
		LEFT JOIN live_answers a ON a.player_id = p.id
		LEFT JOIN live_questions q ON q.game_id = a.game_id AND q.position = a.position
		WHERE p.user_id = $1 GROUP BY p.id, g.id ORDER BY p.joined_at, p.id`, userID)
	var out []quiz.OwnLivePlay
	var v quiz.OwnLivePlay
	var joined int64
	_, err := pgx.ForEachRow(rows, []any{&v.GameID, &v.Title, &v.Nickname, &joined, &v.Points, &v.Correct, &v.Answered}, func() error {
		v.JoinedAt = fromMs(joined)
		out = append(out, v)
		return nil
	})
	return out, err
}

func ownConsents(ctx context.Context, tx pgx.Tx, userID int64) ([]quiz.ConsentRecord, error) {
	// The text is the one shown, controller filled in; records made before
	// texts named a controller hold their version's.
	rows, _ := tx.Query(ctx, `SELECT k.purpose, k.version, k.agreed_at, k.ip, k.user_agent,
		coalesce(s.body, t.body_vi), t.published_at, w.withdrawn_at
		FROM consents k JOIN consent_texts t ON t.version = k.version
		LEFT JOIN consent_shown s ON s.sha256 = k.shown_sha256
		LEFT JOIN consent_withdrawals w ON w.consent_id = k.id
		WHERE k.user_id = $1 ORDER BY k.agreed_at, k.id`, userID)
	var out []quiz.ConsentRecord
	k := quiz.ConsentRecord{Consent: quiz.Consent{UserID: userID}}
	var agreed, published int64
	var withdrawn *int64
	_, err := pgx.ForEachRow(rows, []any{&k.Purpose, &k.Version, &agreed, &k.IP, &k.UserAgent, &k.TextVI, &published, &withdrawn}, func() error {
		k.AgreedAt, k.TextPublishedAt, k.WithdrawnAt = fromMs(agreed), fromMs(published), fromNullMs(withdrawn)
		out = append(out, k)
		return nil
	})
	return out, err
}

func ownAttempts(ctx context.Context, tx pgx.Tx, userID int64) ([]quiz.OwnAttempt, error) {
	rows, _ := tx.Query(ctx, `SELECT a.id, r.contest_id, c.title, a.round_id, r.name, a.number, a.started_at,
		a.deadline, a.submitted_at, a.auto_submitted, a.score, a.correct, a.question_count, a.prediction
		FROM attempts a JOIN rounds r ON r.id = a.round_id JOIN contests c ON c.id = r.contest_id
		WHERE a.user_id = $1 ORDER BY a.started_at, a.id`, userID)
	var out []quiz.OwnAttempt
	var a quiz.OwnAttempt
	var started, deadline int64
	var submitted, score, correct, prediction *int64
	_, err := pgx.ForEachRow(rows, []any{&a.ID, &a.ContestID, &a.ContestTitle, &a.RoundID, &a.RoundName, &a.Number, &started,
		&deadline, &submitted, &a.AutoSubmitted, &score, &correct, &a.Total, &prediction}, func() error {
		a.StartedAt, a.Deadline, a.SubmittedAt = fromMs(started), fromMs(deadline), fromNullMs(submitted)
		a.Score, a.Correct, a.Prediction = intPtr(score), intPtr(correct), intPtr(prediction)
		out = append(out, a)
		return nil
	})
	return out, err
}

// ownResults reads the account's rows in locked rankings, only those
// with a prize when prizesOnly.
func ownResults(ctx context.Context, tx pgx.Tx, userID int64, prizesOnly bool) ([]quiz.OwnResult, error) {
	q := `SELECT r.contest_id, c.slug, c.title, rr.round_id, r.name, r.locked_at, rr.rank, rr.prize_tier,
		rr.prize, rr.score, rr.correct, rr.total, rr.prediction, rr.prediction_error, rr.duration_ms,
		rr.full_name, rr.birth_date, rr.id_number, rr.phone, rr.unit, rr.province, rr.commune
		FROM round_results rr JOIN rounds r ON r.id = rr.round_id JOIN contests c ON c.id = r.contest_id
		WHERE rr.user_id = $1`
	if prizesOnly {
		q += " AND rr.prize_tier > 0 AND r.locked_at IS NOT NULL"
	}
	rows, _ := tx.Query(ctx, q+" ORDER BY r.opens_at, r.id", userID)
	var out []quiz.OwnResult
	var x quiz.OwnResult
	var locked, prediction, predictionError *int64
	_, err := pgx.ForEachRow(rows, []any{&x.ContestID, &x.ContestSlug, &x.ContestTitle, &x.RoundID, &x.RoundName, &locked, &x.Rank,
		&x.PrizeTier, &x.Prize, &x.Score, &x.Correct, &x.Total, &prediction, &predictionError, &x.DurationMs,
		&x.FullName, &x.BirthDate, &x.IDNumber, &x.Phone, &x.Unit, &x.Province, &x.Commune}, func() error {
		x.LockedAt, x.Prediction, x.PredictionError = fromNullMs(locked), intPtr(prediction), intPtr(predictionError)
		out = append(out, x)
		return nil
	})
	return out, err
}

// OwnConsents lists an account's consents with their texts and any
// withdrawal, oldest first.
func (db *DB) OwnConsents(ctx context.Context, userID int64) ([]quiz.ConsentRecord, error) {
	var out []quiz.ConsentRecord
	err := db.readTx(ctx, func(tx pgx.Tx) (err error) {
		out, err = ownConsents(ctx, tx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: consents of %d: %w", userID, err)
	}
	return out, nil
}

// OwnPrizes lists the account's prize rows in locked rankings.
func (db *DB) OwnPrizes(ctx context.Context, userID int64) ([]quiz.OwnResult, error) {
	var out []quiz.OwnResult
	err := db.readTx(ctx, func(tx pgx.Tx) (err error) {
		out, err = ownResults(ctx, tx, userID, true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: prizes of %d: %w", userID, err)
	}
	return out, nil
}

// DeleteAccount anonymizes a contestant's account and their rows in locked
// rankings, and writes audit's entry, in one transaction.
func (db *DB) DeleteAccount(ctx context.Context, userID int64, at time.Time, audit func(quiz.Deletion) quiz.AuditEntry) (quiz.Deletion, error) {
	d, err := db.erase(ctx, userID, at, nil, audit)
	if err != nil {
		return quiz.Deletion{}, fmt.Errorf("postgres: delete account %d: %w", userID, err)
	}
	return d, nil
}

// WithdrawConsent records, beside each of the account's consents not
// withdrawn yet, its withdrawal from client at at, and then does what
// DeleteAccount does, in the same transaction.
func (db *DB) WithdrawConsent(ctx context.Context, userID int64, at time.Time, client quiz.ClientInfo, audit func(quiz.Deletion) quiz.AuditEntry) (quiz.Deletion, error) {
	d, err := db.erase(ctx, userID, at, &client, audit)
	if err != nil {
		return quiz.Deletion{}, fmt.Errorf("postgres: withdraw consent of %d: %w", userID, err)
	}
	return d, nil
}

// erase removes a contestant's personal data, first recording the
// withdrawal of their consents when withdrawal is not nil. The account's
// row is locked first: two deletions of one account on two nodes take
// turns, and the second finds it deleted, as it would on SQLite, whose
// writes take turns.
func (db *DB) erase(ctx context.Context, userID int64, at time.Time, withdrawal *quiz.ClientInfo, audit func(quiz.Deletion) quiz.AuditEntry) (quiz.Deletion, error) {
	var d quiz.Deletion
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		d = quiz.Deletion{}
		var role quiz.Role
		var deleted *int64
		err := tx.QueryRow(ctx, "SELECT role, deleted_at FROM users WHERE id = $1 FOR UPDATE", userID).Scan(&role, &deleted)
		if err != nil {
			return notFound(err, "user")
		}
		if deleted != nil {
			return quiz.NotFound("user")
		}
		if role != quiz.RoleContestant {
			return quiz.Errorf(quiz.CodeForbidden, "staff accounts are removed by an admin")
		}
		rows, _ := tx.Query(ctx, "SELECT DISTINCT round_id FROM attempts WHERE user_id = $1 ORDER BY round_id", userID)
		if d.RoundIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		if withdrawal != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO consent_withdrawals (consent_id, withdrawn_at, ip, user_agent)
				SELECT id, $1, $2, $3 FROM consents WHERE user_id = $4
				AND id NOT IN (SELECT consent_id FROM consent_withdrawals)`,
				ms(at), withdrawal.IP, withdrawal.UserAgent, userID); err != nil {
				return err
			}
			if d.Withdrawn, err = ownConsents(ctx, tx, userID); err != nil {
				return err
			}
		}
		if d.Ended, err = anonymizeUser(ctx, tx, userID, at); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE round_results SET full_name = $1, birth_date = '', id_number = '', phone = '',
			commune = '' WHERE user_id = $2`, quiz.DeletedName, userID)
		if err != nil {
			return err
		}
		d.Results = int(tag.RowsAffected())
		return insertAudit(ctx, tx, audit(d))
	})
	return d, err
}

// UpdateProfile stores the account change makes of it, as the quiz
// interface describes. The account's row is locked while change decides,
// and the rows of the rounds it took part in are locked against a lock of
// the round (FOR SHARE): what change is given stays true until the commit,
// as in SQLite's write transaction.
func (db *DB) UpdateProfile(ctx context.Context, userID int64, change func(quiz.User, []quiz.TakenRound) (*quiz.User, []quiz.AuditEntry, error)) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		old, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", userID))
		if err != nil {
			return notFound(err, "user")
		}
		rounds, err := takenRounds(ctx, tx, userID)
		if err != nil {
			return err
		}
		next, audit, err := change(old, rounds)
		if err != nil || next == nil {
			return err
		}
		if err := loginsOfOthers(ctx, tx, userID, old, *next); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE users SET full_name = $1, birth_date = $2, id_number = $3, phone = $4, email = $5,
			province = $6, commune = $7, unit = $8 WHERE id = $9`, next.FullName, next.BirthDate, next.IDNumber,
			nullString(next.Phone), nullString(next.Email), next.Province, next.Commune, next.Unit, userID)
		if isUnique(err) {
			// Another node gave the phone or e-mail to an account meanwhile.
			return &quiz.Error{Code: quiz.CodeAccountExists, Message: "another account has this phone or e-mail"}
		}
		if err != nil {
			return err
		}
		for _, e := range audit {
			if err := insertAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		if len(audit) > 0 {
			_, err = tx.Exec(ctx, "UPDATE audit_log SET actor = $1 WHERE user_id = $2", audit[0].Actor, userID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: update profile of %d: %w", userID, err)
	}
	return nil
}

// loginsOfOthers refuses a new phone or e-mail that signs in to another
// account (CodeAccountExists naming the fields). E-mails compare without
// case, as SQLite's COLLATE NOCASE column does.
func loginsOfOthers(ctx context.Context, tx pgx.Tx, userID int64, old, next quiz.User) error {
	taken := quiz.FieldErrors{}
	for _, key := range []struct{ field, where, was, now, msg string }{
		{"phone", "phone = $1", old.Phone, next.Phone, quiz.MsgPhoneOfAnother},
		{"email", "lower(email) = lower($1)", old.Email, next.Email, quiz.MsgEmailOfAnother},
	} {
		if key.now == "" || key.now == key.was {
			continue
		}
		var another bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE "+key.where+" AND id <> $2)",
			key.now, userID).Scan(&another); err != nil {
			return err
		}
		if another {
			taken.Add(key.field, key.msg)
		}
	}
	if len(taken) > 0 {
		return &quiz.Error{Code: quiz.CodeAccountExists, Message: "another account has this phone or e-mail", Fields: taken}
	}
	return nil
}

// takenRounds lists the rounds the account has attempts in, with their
// close, their lock and whether the account holds a prize in the locked
// ranking, and keeps them from being locked or unlocked until the commit.
func takenRounds(ctx context.Context, tx pgx.Tx, userID int64) ([]quiz.TakenRound, error) {
	rows, _ := tx.Query(ctx, `SELECT r.id, r.closes_at, r.locked_at IS NOT NULL,
		EXISTS (SELECT 1 FROM round_results rr WHERE rr.round_id = r.id AND rr.user_id = $1 AND rr.prize_tier > 0)
		FROM rounds r WHERE r.id IN (SELECT round_id FROM attempts WHERE user_id = $1) ORDER BY r.id FOR SHARE OF r`, userID)
	var out []quiz.TakenRound
	var r quiz.TakenRound
	var closes int64
	_, err := pgx.ForEachRow(rows, []any{&r.ID, &closes, &r.Locked, &r.Prize}, func() error {
		r.ClosesAt = fromMs(closes)
		out = append(out, r)
		return nil
	})
	return out, err
}

// anonymizeUser empties an account of personal data and makes signing in
// impossible; the row stays because attempts and consents refer to it. Its
// sessions end as a password change ends them, and the person's name and
// login leave the audit log's actor labels.
func anonymizeUser(ctx context.Context, tx pgx.Tx, userID int64, at time.Time) (quiz.SessionEnd, error) {
	_, err := tx.Exec(ctx, `UPDATE users SET full_name = $1, birth_date = '', id_number = '', phone = NULL, email = $2,
		province = '', commune = '', unit = '', password_hash = '', deleted_at = $3 WHERE id = $4`,
		quiz.DeletedName, quiz.DeletedLogin(userID), ms(at), userID)
	if err != nil {
		return quiz.SessionEnd{}, err
	}
	if _, err := tx.Exec(ctx, "UPDATE audit_log SET actor = $1 WHERE user_id = $2", quiz.DeletedActor(userID), userID); err != nil {
		return quiz.SessionEnd{}, err
	}
	// The nicknames the account played live quizzes under (often the
	// person's name) go too; the points stay with the anonymous player.
	if _, err := tx.Exec(ctx, `UPDATE live_players SET nickname = $1, nickname_key = 'deleted:' || id, user_id = NULL
		WHERE user_id = $2`, quiz.DeletedName, userID); err != nil {
		return quiz.SessionEnd{}, err
	}
	return newAccountEpoch(ctx, tx, userID, at)
}

// The selections of a purge, as common table expressions over the cutoff
// ($1): contests whose every round closed before it, their rounds, and the
// contestants registered before it whose every attempt is in one of those
// contests.
const purgeCTE = `WITH old_contests AS (
		SELECT contest_id AS id FROM rounds GROUP BY contest_id HAVING max(closes_at) < $1
	), old_rounds AS (
		SELECT id FROM rounds WHERE contest_id IN (SELECT id FROM old_contests)
	), old_users AS (
		SELECT u.id FROM users u
		WHERE u.role = 'contestant' AND u.deleted_at IS NULL AND u.created_at < $1
		AND EXISTS (SELECT 1 FROM attempts a WHERE a.user_id = u.id)
		AND NOT EXISTS (SELECT 1 FROM attempts a JOIN rounds r ON r.id = a.round_id
			WHERE a.user_id = u.id AND r.contest_id NOT IN (SELECT id FROM old_contests))
	) `

// purgeResultsWhere selects the rows of old rankings that still hold data
// to clear.
const purgeResultsWhere = ` WHERE round_id IN (SELECT id FROM old_rounds)
	AND (birth_date <> '' OR id_number <> '' OR phone <> '' OR commune <> '')`

// purgeLockKey is the advisory lock a purge takes: purges on two nodes
// take turns, as SQLite's writes do, so that each counts what it clears.
var purgeLockKey = func() int64 {
	h := fnv.New64a()
	h.Write([]byte("purge personal data"))
	return int64(h.Sum64())
}()

// Purge clears what r selects; with r.DryRun it only counts, in a read-only
// snapshot, and writes nothing. The report counts what the purge cleared:
// the rows its statements changed and the accounts it locked and emptied.
func (db *DB) Purge(ctx context.Context, r quiz.PurgeReport, audit func(quiz.PurgeReport) quiz.AuditEntry) (quiz.PurgeReport, error) {
	cutoff := ms(r.Cutoff)
	if r.DryRun {
		err := db.readTx(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, purgeCTE+`SELECT (SELECT count(*) FROM old_contests), (SELECT count(*) FROM old_rounds),
				(SELECT count(*) FROM round_results`+purgeResultsWhere+`), (SELECT count(*) FROM old_users)`, cutoff).
				Scan(&r.Contests, &r.Rounds, &r.Results, &r.Accounts)
		})
		if err != nil {
			return quiz.PurgeReport{}, fmt.Errorf("postgres: purge: %w", err)
		}
		return r, nil
	}
	var out quiz.PurgeReport
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		out = r
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", purgeLockKey); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, purgeCTE+"SELECT (SELECT count(*) FROM old_contests), (SELECT count(*) FROM old_rounds)",
			cutoff).Scan(&out.Contests, &out.Rounds); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, purgeCTE+`UPDATE round_results SET birth_date = '', id_number = '', phone = '', commune = ''`+
			purgeResultsWhere, cutoff)
		if err != nil {
			return err
		}
		out.Results = int(tag.RowsAffected())
		// Locked, so that a deletion or a correction on another node
		// waits for the purge, or has committed and is seen.
		rows, _ := tx.Query(ctx, purgeCTE+`SELECT u.id FROM users u
			WHERE u.id IN (SELECT id FROM old_users) AND u.deleted_at IS NULL ORDER BY u.id FOR UPDATE OF u`, cutoff)
		locked, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		// Selected again, in a snapshot taken after the locks: an attempt
		// in a recent contest committed meanwhile keeps its account, which
		// the re-check of a locked row (its own columns only) would miss.
		rows, _ = tx.Query(ctx, purgeCTE+"SELECT id FROM old_users WHERE id = ANY ($2) ORDER BY id", cutoff, locked)
		users, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, id := range users {
			if _, err := anonymizeUser(ctx, tx, id, out.At); err != nil {
				return err
			}
		}
		out.Accounts = len(users)
		return insertAudit(ctx, tx, audit(out))
	})
	if err != nil {
		return quiz.PurgeReport{}, fmt.Errorf("postgres: purge: %w", err)
	}
	return out, nil
}
