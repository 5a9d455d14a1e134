package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"hoithi/quiz"
)

// OwnData gathers, in one read transaction, everything kept about an
// account that is not deleted.
func (db *DB) OwnData(ctx context.Context, userID int64) (quiz.OwnData, error) {
	var d quiz.OwnData
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		d, err = ownData(tx, userID)
		return err
	})
	if err != nil {
		return quiz.OwnData{}, fmt.Errorf("store: own data of %d: %w", userID, err)
	}
	return d, nil
}

func ownData(tx *sql.Tx, userID int64) (quiz.OwnData, error) {
	var d quiz.OwnData
	var err error
	d.Account, err = scanUser(tx.QueryRow("SELECT "+userColumns+" FROM users WHERE id = ? AND deleted_at IS NULL", userID))
	if err != nil {
		return quiz.OwnData{}, notFound(err, "user")
	}
	if d.Consents, err = ownConsents(tx, userID); err != nil {
		return quiz.OwnData{}, err
	}
	if d.Attempts, err = ownAttempts(tx, userID); err != nil {
		return quiz.OwnData{}, err
	}
	if d.Results, err = ownResults(tx, userID, false); err != nil {
		return quiz.OwnData{}, err
	}
	if d.Live, err = ownLivePlays(tx, userID); err != nil {
		return quiz.OwnData{}, err
	}
	return d, nil
}

// ownLivePlays reads the live quizzes an account played, with the points
// and right answers of the questions not skipped.
func ownLivePlays(tx *sql.Tx, userID int64) ([]quiz.OwnLivePlay, error) {
	rows, err := tx.Query(`SELECT p.game_id, g.title, p.nickname, p.joined_at,
		coalesce(sum(CASE WHEN q.skipped = 0 THEN a.points END), 0),
		coalesce(sum(CASE WHEN q.skipped = 0 THEN a.correct END), 0), count(a.player_id)
		FROM live_players p JOIN live_games g ON g.id = p.game_id
		LEFT JOIN live_answers a ON a.player_id = p.id
		LEFT JOIN live_questions q ON q.game_id = a.game_id AND q.position = a.position
		WHERE p.user_id = ? GROUP BY p.id ORDER BY p.joined_at, p.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.OwnLivePlay
	for rows.Next() {
		var v quiz.OwnLivePlay
		var joined int64
		if err := rows.Scan(&v.GameID, &v.Title, &v.Nickname, &joined, &v.Points, &v.Correct, &v.Answered); err != nil {
			return nil, err
		}
		v.JoinedAt = fromMs(joined)
		out = append(out, v)
	}
	return out, rows.Err()
}

func ownConsents(tx *sql.Tx, userID int64) ([]quiz.ConsentRecord, error) {
	// The text is the one shown, controller filled in; records made before
	// texts named a controller hold their version's.
	rows, err := tx.Query(`SELECT k.purpose, k.version, k.agreed_at, k.ip, k.user_agent,
		coalesce(s.body, t.body_vi), t.published_at, w.withdrawn_at
		FROM consents k JOIN consent_texts t ON t.version = k.version
		LEFT JOIN consent_shown s ON s.sha256 = k.shown_sha256
		LEFT JOIN consent_withdrawals w ON w.consent_id = k.id
		WHERE k.user_id = ? ORDER BY k.agreed_at, k.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.ConsentRecord
	for rows.Next() {
		k := quiz.ConsentRecord{Consent: quiz.Consent{UserID: userID}}
		var agreed, published int64
		var withdrawn sql.NullInt64
		if err := rows.Scan(&k.Purpose, &k.Version, &agreed, &k.IP, &k.UserAgent, &k.TextVI, &published, &withdrawn); err != nil {
			return nil, err
		}
		k.AgreedAt, k.TextPublishedAt, k.WithdrawnAt = fromMs(agreed), fromMs(published), fromNullMs(withdrawn)
		out = append(out, k)
	}
	return out, rows.Err()
}

func ownAttempts(tx *sql.Tx, userID int64) ([]quiz.OwnAttempt, error) {
	rows, err := tx.Query(`SELECT a.id, r.contest_id, c.title, a.round_id, r.name, a.number, a.started_at,
		a.deadline, a.submitted_at, a.auto_submitted, a.score, a.correct, a.question_count, a.prediction
		FROM attempts a JOIN rounds r ON r.id = a.round_id JOIN contests c ON c.id = r.contest_id
		WHERE a.user_id = ? ORDER BY a.started_at, a.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.OwnAttempt
	for rows.Next() {
		var a quiz.OwnAttempt
		var started, deadline int64
		var submitted, score, correct, prediction sql.NullInt64
		if err := rows.Scan(&a.ID, &a.ContestID, &a.ContestTitle, &a.RoundID, &a.RoundName, &a.Number, &started,
			&deadline, &submitted, &a.AutoSubmitted, &score, &correct, &a.Total, &prediction); err != nil {
			return nil, err
		}
		a.StartedAt, a.Deadline, a.SubmittedAt = fromMs(started), fromMs(deadline), fromNullMs(submitted)
		a.Score, a.Correct, a.Prediction = intPtr(score), intPtr(correct), intPtr(prediction)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ownResults reads the account's rows in locked rankings, only those
// with a prize when prizesOnly.
func ownResults(tx *sql.Tx, userID int64, prizesOnly bool) ([]quiz.OwnResult, error) {
	q := `SELECT r.contest_id, c.slug, c.title, rr.round_id, r.name, r.locked_at, rr.rank, rr.prize_tier,
		rr.prize, rr.score, rr.correct, rr.total, rr.prediction, rr.prediction_error, rr.duration_ms,
		rr.full_name, rr.birth_date, rr.id_number, rr.phone, rr.unit, rr.province, rr.commune
		FROM round_results rr JOIN rounds r ON r.id = rr.round_id JOIN contests c ON c.id = r.contest_id
		WHERE rr.user_id = ?`
	if prizesOnly {
		q += " AND rr.prize_tier > 0 AND r.locked_at IS NOT NULL"
	}
	rows, err := tx.Query(q+" ORDER BY r.opens_at, r.id", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.OwnResult
	for rows.Next() {
		var x quiz.OwnResult
		var locked, prediction, predictionError sql.NullInt64
		if err := rows.Scan(&x.ContestID, &x.ContestSlug, &x.ContestTitle, &x.RoundID, &x.RoundName, &locked, &x.Rank,
			&x.PrizeTier, &x.Prize, &x.Score, &x.Correct, &x.Total, &prediction, &predictionError, &x.DurationMs,
			&x.FullName, &x.BirthDate, &x.IDNumber, &x.Phone, &x.Unit, &x.Province, &x.Commune); err != nil {
			return nil, err
		}
		x.LockedAt, x.Prediction, x.PredictionError = fromNullMs(locked), intPtr(prediction), intPtr(predictionError)
		out = append(out, x)
	}
	return out, rows.Err()
}

// OwnConsents lists an account's consents with their texts and any
// withdrawal, oldest first.
func (db *DB) OwnConsents(ctx context.Context, userID int64) ([]quiz.ConsentRecord, error) {
	var out []quiz.ConsentRecord
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		out, err = ownConsents(tx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: consents of %d: %w", userID, err)
	}
	return out, nil
}

// OwnPrizes lists the account's prize rows in locked rankings.
func (db *DB) OwnPrizes(ctx context.Context, userID int64) ([]quiz.OwnResult, error) {
	var out []quiz.OwnResult
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		out, err = ownResults(tx, userID, true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: prizes of %d: %w", userID, err)
	}
	return out, nil
}

// read runs fn in a read-only transaction on the read pool.
func (db *DB) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// DeleteAccount anonymizes a contestant's account and their rows in locked
// rankings, and writes audit's entry, in one transaction.
func (db *DB) DeleteAccount(ctx context.Context, userID int64, at time.Time, audit func(quiz.Deletion) quiz.AuditEntry) (quiz.Deletion, error) {
	d, err := db.erase(ctx, userID, at, nil, audit)
	if err != nil {
		return quiz.Deletion{}, fmt.Errorf("store: delete account %d: %w", userID, err)
	}
	return d, nil
}

// WithdrawConsent records, beside each of the account's consents not
// withdrawn yet, its withdrawal from client at at, and then does what
// DeleteAccount does, in the same transaction.
func (db *DB) WithdrawConsent(ctx context.Context, userID int64, at time.Time, client quiz.ClientInfo, audit func(quiz.Deletion) quiz.AuditEntry) (quiz.Deletion, error) {
	d, err := db.erase(ctx, userID, at, &client, audit)
	if err != nil {
		return quiz.Deletion{}, fmt.Errorf("store: withdraw consent of %d: %w", userID, err)
	}
	return d, nil
}

// erase removes a contestant's personal data, first recording the
// withdrawal of their consents when withdrawal is not nil.
func (db *DB) erase(ctx context.Context, userID int64, at time.Time, withdrawal *quiz.ClientInfo, audit func(quiz.Deletion) quiz.AuditEntry) (quiz.Deletion, error) {
	var d quiz.Deletion
	err := db.write(ctx, func(tx *sql.Tx) error {
		d = quiz.Deletion{}
		var role quiz.Role
		var deleted sql.NullInt64
		err := tx.QueryRow("SELECT role, deleted_at FROM users WHERE id = ?", userID).Scan(&role, &deleted)
		if err != nil || deleted.Valid {
			return notFound(orNoRows(err), "user")
		}
		if role != quiz.RoleContestant {
			return quiz.Errorf(quiz.CodeForbidden, "staff accounts are removed by an admin")
		}
		rows, err := tx.Query("SELECT DISTINCT round_id FROM attempts WHERE user_id = ? ORDER BY round_id", userID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			d.RoundIDs = append(d.RoundIDs, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if withdrawal != nil {
			if _, err := tx.Exec(`INSERT INTO consent_withdrawals (consent_id, withdrawn_at, ip, user_agent)
				SELECT id, ?, ?, ? FROM consents WHERE user_id = ?
				AND id NOT IN (SELECT consent_id FROM consent_withdrawals)`,
				ms(at), withdrawal.IP, withdrawal.UserAgent, userID); err != nil {
				return err
			}
			if d.Withdrawn, err = ownConsents(tx, userID); err != nil {
				return err
			}
		}
		if d.Ended, err = anonymizeUser(tx, userID, at); err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE round_results SET full_name = ?, birth_date = '', id_number = '', phone = '',
			commune = '' WHERE user_id = ?`, quiz.DeletedName, userID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		d.Results = int(n)
		return insertAudit(tx, audit(d))
	})
	return d, err
}

// UpdateProfile stores the account change makes of it, as the quiz
// interface describes.
func (db *DB) UpdateProfile(ctx context.Context, userID int64, change func(quiz.User, []quiz.TakenRound) (*quiz.User, []quiz.AuditEntry, error)) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		old, err := scanUser(tx.QueryRow("SELECT "+userColumns+" FROM users WHERE id = ? AND deleted_at IS NULL", userID))
		if err != nil {
			return notFound(err, "user")
		}
		rounds, err := takenRounds(tx, userID)
		if err != nil {
			return err
		}
		next, audit, err := change(old, rounds)
		if err != nil || next == nil {
			return err
		}
		taken := quiz.FieldErrors{}
		for _, key := range []struct{ field, column, was, now, msg string }{
			{"phone", "phone", old.Phone, next.Phone, quiz.MsgPhoneOfAnother},
			{"email", "email", old.Email, next.Email, quiz.MsgEmailOfAnother},
		} {
			if key.now == "" || key.now == key.was {
				continue
			}
			var n int
			if err := tx.QueryRow("SELECT count(*) FROM users WHERE "+key.column+" = ? AND id <> ?", key.now, userID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				taken.Add(key.field, key.msg)
			}
		}
		if len(taken) > 0 {
			return &quiz.Error{Code: quiz.CodeAccountExists, Message: "another account has this phone or e-mail", Fields: taken}
		}
		_, err = tx.Exec(`UPDATE users SET full_name = ?, birth_date = ?, id_number = ?, phone = ?, email = ?,
			province = ?, commune = ?, unit = ? WHERE id = ?`, next.FullName, next.BirthDate, next.IDNumber,
			nullString(next.Phone), nullString(next.Email), next.Province, next.Commune, next.Unit, userID)
		if isUnique(err) {
			return &quiz.Error{Code: quiz.CodeAccountExists, Message: "another account has this phone or e-mail"}
		}
		if err != nil {
			return err
		}
		for _, e := range audit {
			if err := insertAudit(tx, e); err != nil {
				return err
			}
		}
		if len(audit) > 0 {
			_, err = tx.Exec("UPDATE audit_log SET actor = ? WHERE user_id = ?", audit[0].Actor, userID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update profile of %d: %w", userID, err)
	}
	return nil
}

// takenRounds lists the rounds the account has attempts in, with their
// close, their lock and whether the account holds a prize in the locked
// ranking.
func takenRounds(tx *sql.Tx, userID int64) ([]quiz.TakenRound, error) {
	rows, err := tx.Query(`SELECT r.id, r.closes_at, r.locked_at IS NOT NULL,
		EXISTS (SELECT 1 FROM round_results rr WHERE rr.round_id = r.id AND rr.user_id = ?1 AND rr.prize_tier > 0)
		FROM rounds r WHERE r.id IN (SELECT round_id FROM attempts WHERE user_id = ?1) ORDER BY r.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.TakenRound
	for rows.Next() {
		var r quiz.TakenRound
		var closes int64
		if err := rows.Scan(&r.ID, &closes, &r.Locked, &r.Prize); err != nil {
			return nil, err
		}
		r.ClosesAt = fromMs(closes)
		out = append(out, r)
	}
	return out, rows.Err()
}

// orNoRows turns a nil error (the row was found, but deleted) into
// sql.ErrNoRows, for notFound.
func orNoRows(err error) error {
	if err == nil {
		return sql.ErrNoRows
	}
	return err
}

// anonymizeUser empties an account of personal data and makes signing in
// impossible; the row stays because attempts and consents refer to it. Its
// sessions end as a password change ends them, and the person's name and
// login leave the audit log's actor labels.
func anonymizeUser(tx *sql.Tx, userID int64, at time.Time) (quiz.SessionEnd, error) {
	_, err := tx.Exec(`UPDATE users SET full_name = ?, birth_date = '', id_number = '', phone = NULL, email = ?,
		province = '', commune = '', unit = '', password_hash = '', deleted_at = ? WHERE id = ?`,
		quiz.DeletedName, quiz.DeletedLogin(userID), ms(at), userID)
	if err != nil {
		return quiz.SessionEnd{}, err
	}
	if err := forgetActor(tx, userID); err != nil {
		return quiz.SessionEnd{}, err
	}
	// The nicknames the account played live quizzes under (often the
	// person's name) go too; the points stay with the anonymous player.
	if _, err := tx.Exec(`UPDATE live_players SET nickname = ?, nickname_key = 'deleted:' || id, user_id = NULL
		WHERE user_id = ?`, quiz.DeletedName, userID); err != nil {
		return quiz.SessionEnd{}, err
	}
	return newEpoch(tx, userID, at)
}

// forgetActor rewrites the actor label of the account's audit entries
// (its name and phone or e-mail as they were) to the deleted account's
// label; the entries keep the account id, the action and the time.
func forgetActor(tx *sql.Tx, userID int64) error {
	_, err := tx.Exec("UPDATE audit_log SET actor = ? WHERE user_id = ?", quiz.DeletedActor(userID), userID)
	return err
}

// The selections of a purge, as common table expressions over the cutoff
// (the first argument): contests whose every round closed before it, their
// rounds, and the contestants registered before it whose every attempt is
// in one of those contests.
const purgeCTE = `WITH old_contests AS (
		SELECT contest_id AS id FROM rounds GROUP BY contest_id HAVING max(closes_at) < ?1
	), old_rounds AS (
		SELECT id FROM rounds WHERE contest_id IN (SELECT id FROM old_contests)
	), old_users AS (
		SELECT u.id FROM users u
		WHERE u.role = 'contestant' AND u.deleted_at IS NULL AND u.created_at < ?1
		AND EXISTS (SELECT 1 FROM attempts a WHERE a.user_id = u.id)
		AND NOT EXISTS (SELECT 1 FROM attempts a JOIN rounds r ON r.id = a.round_id
			WHERE a.user_id = u.id AND r.contest_id NOT IN (SELECT id FROM old_contests))
	) `

// purgeResultsWhere selects the rows of old rankings that still hold data
// to clear.
const purgeResultsWhere = ` WHERE round_id IN (SELECT id FROM old_rounds)
	AND (birth_date <> '' OR id_number <> '' OR phone <> '' OR commune <> '')`

// Purge clears what r selects; with r.DryRun it only counts, on a read
// connection, and writes nothing.
func (db *DB) Purge(ctx context.Context, r quiz.PurgeReport, audit func(quiz.PurgeReport) quiz.AuditEntry) (quiz.PurgeReport, error) {
	cutoff := ms(r.Cutoff)
	if r.DryRun {
		tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return quiz.PurgeReport{}, fmt.Errorf("store: purge: %w", err)
		}
		defer tx.Rollback()
		if err := countPurge(tx, cutoff, &r); err != nil {
			return quiz.PurgeReport{}, fmt.Errorf("store: purge: %w", err)
		}
		return r, nil
	}
	var out quiz.PurgeReport
	err := db.write(ctx, func(tx *sql.Tx) error {
		out = r
		if err := countPurge(tx, cutoff, &out); err != nil {
			return err
		}
		if _, err := tx.Exec(purgeCTE+`UPDATE round_results SET birth_date = '', id_number = '', phone = '', commune = ''`+
			purgeResultsWhere, cutoff); err != nil {
			return err
		}
		rows, err := tx.Query(purgeCTE+"SELECT id FROM old_users", cutoff)
		if err != nil {
			return err
		}
		var users []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			users = append(users, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, id := range users {
			if _, err := anonymizeUser(tx, id, out.At); err != nil {
				return err
			}
		}
		return insertAudit(tx, audit(out))
	})
	if err != nil {
		return quiz.PurgeReport{}, fmt.Errorf("store: purge: %w", err)
	}
	return out, nil
}

func countPurge(tx *sql.Tx, cutoff int64, r *quiz.PurgeReport) error {
	return tx.QueryRow(purgeCTE+`SELECT (SELECT count(*) FROM old_contests), (SELECT count(*) FROM old_rounds),
		(SELECT count(*) FROM round_results`+purgeResultsWhere+`), (SELECT count(*) FROM old_users)`, cutoff).
		Scan(&r.Contests, &r.Rounds, &r.Results, &r.Accounts)
}

var _ quiz.PrivacyStore = (*DB)(nil)
