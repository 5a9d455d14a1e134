package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

// ContenderAttempts returns one contestant's submitted attempts in a
// round with their data, in the order of their numbers (the order the
// SQLite store reads them in through its (round, user, number) index).
func (db *DB) ContenderAttempts(ctx context.Context, roundID, userID int64) ([]quiz.Contender, error) {
	rows, _ := db.r.Query(ctx, `SELECT a.id, a.user_id, u.full_name, u.unit, a.score, a.correct,
		a.question_count, a.prediction, a.started_at, a.submitted_at,
		u.birth_date, u.id_number, coalesce(u.phone, ''), u.province, u.commune
		FROM attempts a JOIN users u ON u.id = a.user_id
		WHERE a.round_id = $1 AND a.user_id = $2 AND a.submitted_at IS NOT NULL ORDER BY a.number`, roundID, userID)
	var out []quiz.Contender
	var c quiz.Contender
	var pred *int64
	var started, submitted int64
	_, err := pgx.ForEachRow(rows, []any{&c.AttemptID, &c.UserID, &c.Name, &c.Unit, &c.Score, &c.Correct, &c.Total,
		&pred, &started, &submitted, &c.BirthDate, &c.IDNumber, &c.Phone, &c.Province, &c.Commune}, func() error {
		c.Prediction = intPtr(pred)
		c.StartedAt, c.SubmittedAt = fromMs(started), fromMs(submitted)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: attempts of user %d in round %d: %w", userID, roundID, err)
	}
	return out, nil
}

// RankingVersion reads the counters that the triggers of the schema raise
// on every change that can move a round's ranking or statistics: two rows
// by their primary key, whichever node made the change.
func (db *DB) RankingVersion(ctx context.Context, roundID int64) (quiz.RankingVersion, error) {
	var v quiz.RankingVersion
	err := db.r.QueryRow(ctx, `SELECT
		coalesce((SELECT version FROM ranking_versions WHERE round_id = 0), 0),
		coalesce((SELECT version FROM ranking_versions WHERE round_id = $1), 0)`, roundID).Scan(&v.All, &v.Round)
	if err != nil {
		return v, fmt.Errorf("postgres: ranking version of round %d: %w", roundID, err)
	}
	return v, nil
}

// HeldPrizes returns, for each person, the highest prize they hold in the
// locked rounds of a contest other than exceptRound; between equal prizes,
// the one of the round that opened first.
func (db *DB) HeldPrizes(ctx context.Context, contestID, exceptRound int64) (map[int64]quiz.HeldPrize, error) {
	rows, _ := db.r.Query(ctx, `SELECT rr.user_id, rr.prize_tier, rr.prize, r.id, r.name
		FROM round_results rr JOIN rounds r ON r.id = rr.round_id
		WHERE r.contest_id = $1 AND r.id <> $2 AND r.locked_at IS NOT NULL AND rr.prize_tier > 0
		ORDER BY rr.prize_tier, r.opens_at, r.id`, contestID, exceptRound)
	out := map[int64]quiz.HeldPrize{}
	var user int64
	var h quiz.HeldPrize
	_, err := pgx.ForEachRow(rows, []any{&user, &h.Tier, &h.Prize, &h.RoundID, &h.RoundName}, func() error {
		if _, ok := out[user]; !ok {
			out[user] = h
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: prizes held in contest %d: %w", contestID, err)
	}
	return out, nil
}

// UnitMembers returns the size of every unit the organizer gave one.
func (db *DB) UnitMembers(ctx context.Context) (map[string]int, error) {
	rows, _ := db.r.Query(ctx, "SELECT name, members FROM units WHERE members > 0")
	out := map[string]int{}
	var name string
	var n int
	_, err := pgx.ForEachRow(rows, []any{&name, &n}, func() error {
		out[name] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: unit sizes: %w", err)
	}
	return out, nil
}

// SetUnitMembers stores the size of each unit in members and clears the
// others, in one statement: every unit's row is updated, as the SQLite
// store's two steps update it, so the ranking version moves the same way.
// Names that are not units are left out, as in SQLite.
func (db *DB) SetUnitMembers(ctx context.Context, members map[string]int) error {
	names := make([]string, 0, len(members))
	sizes := make([]int64, 0, len(members))
	for name, n := range members {
		names, sizes = append(names, name), append(sizes, int64(n))
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE units SET members = coalesce(
			(SELECT m.n FROM unnest($1::text[], $2::bigint[]) AS m (name, n) WHERE m.name = units.name), 0)`,
			names, sizes)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: unit sizes: %w", err)
	}
	return nil
}

// lockRoundRow locks a round's row for the rest of the transaction and
// says whether the round is locked. Locks and unlocks of a round, from any
// node, take turns on that row: the second reads what the first committed.
func lockRoundRow(ctx context.Context, tx pgx.Tx, roundID int64) (locked bool, err error) {
	var at *int64
	if err := tx.QueryRow(ctx, "SELECT locked_at FROM rounds WHERE id = $1 FOR UPDATE", roundID).Scan(&at); err != nil {
		return false, notFound(err, "round")
	}
	return at != nil, nil
}

// LockRound stores l as its round's locked ranking, marks the round locked
// by the given account, and writes the audit entry, all in one
// transaction. A round locked already is refused with CodeAlreadyLocked.
// The rows go in by COPY: a round of 100,000 contestants would otherwise
// take 100,000 round trips.
func (db *DB) LockRound(ctx context.Context, l quiz.WinnerList, by int64, e quiz.AuditEntry) error {
	roundID := l.Round.ID
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		locked, err := lockRoundRow(ctx, tx, roundID)
		if err != nil {
			return err
		}
		if locked {
			return quiz.Errorf(quiz.CodeAlreadyLocked, "round %d is locked already", roundID)
		}
		if err := copyResults(ctx, tx, roundID, l); err != nil {
			return err
		}
		var actual *int64
		if l.Actual != nil {
			v := int64(*l.Actual)
			actual = &v
		}
		if _, err := tx.Exec(ctx, "UPDATE rounds SET locked_at = $1, locked_by = $2, actual = $3 WHERE id = $4",
			ms(e.At), by, actual, roundID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, e)
	})
	db.forgetRounds()
	if err != nil {
		return fmt.Errorf("postgres: lock round %d: %w", roundID, err)
	}
	return nil
}

// copyResults writes a list's rows and units as its round's stored
// ranking, numbered from 1 in the list's order.
func copyResults(ctx context.Context, tx pgx.Tx, roundID int64, l quiz.WinnerList) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"round_results"}, []string{"round_id", "position", "rank",
		"prize_tier", "prize", "user_id", "attempt_id", "full_name", "birth_date", "id_number", "phone", "unit",
		"province", "commune", "score", "correct", "total", "prediction", "prediction_error", "duration_ms",
		"started_at", "submitted_at", "flags", "note"},
		pgx.CopyFromSlice(len(l.Entries), func(i int) ([]any, error) {
			w := l.Entries[i]
			return []any{roundID, i + 1, w.Rank, w.PrizeTier, w.Prize, w.UserID, w.AttemptID, w.FullName,
				w.BirthDate, w.IDNumber, w.Phone, w.Unit, w.Province, w.Commune, w.Score, w.Correct, w.Total,
				resultsNullInt(w.Prediction), resultsNullInt(w.PredictionError), w.DurationMs, ms(w.StartedAt),
				ms(w.SubmittedAt), strings.Join(w.Flags, ","), w.Note}, nil
		}))
	if err != nil {
		return fmt.Errorf("ranking rows: %w", err)
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"round_unit_results"}, []string{"round_id", "position", "unit",
		"participants", "members", "rank", "share_rank", "prize"},
		pgx.CopyFromSlice(len(l.Units), func(i int) ([]any, error) {
			u := l.Units[i]
			return []any{roundID, i + 1, u.Unit, u.Participants, u.Members, u.Rank, u.ShareRank, u.Prize}, nil
		}))
	if err != nil {
		return fmt.Errorf("unit rows: %w", err)
	}
	return nil
}

// UnlockRound removes a round's locked ranking and writes the audit entry.
// A round not locked is refused with CodeNotLocked.
func (db *DB) UnlockRound(ctx context.Context, roundID int64, e quiz.AuditEntry) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		locked, err := lockRoundRow(ctx, tx, roundID)
		if err != nil {
			return err
		}
		if !locked {
			return quiz.Errorf(quiz.CodeNotLocked, "round %d is not locked", roundID)
		}
		for _, q := range []string{
			"DELETE FROM round_results WHERE round_id = $1",
			"DELETE FROM round_unit_results WHERE round_id = $1",
			"UPDATE rounds SET locked_at = NULL, locked_by = NULL, actual = NULL WHERE id = $1",
		} {
			if _, err := tx.Exec(ctx, q, roundID); err != nil {
				return err
			}
		}
		return insertAudit(ctx, tx, e)
	})
	db.forgetRounds()
	if err != nil {
		return fmt.Errorf("postgres: unlock round %d: %w", roundID, err)
	}
	return nil
}

// resultsNullInt is the stored form of an optional number.
func resultsNullInt(p *int) *int64 {
	if p == nil {
		return nil
	}
	v := int64(*p)
	return &v
}

// resultColumns are a stored ranking row as scanResult reads it.
const resultColumns = `rank, prize_tier, prize, user_id, attempt_id, full_name,
	birth_date, id_number, phone, unit, province, commune, score, correct, total, prediction,
	prediction_error, duration_ms, started_at, submitted_at, flags, note`

// storedResult is a stored ranking row as it is scanned.
type storedResult struct {
	w                  quiz.Winner
	pred, perr         *int64
	started, submitted int64
	flags              string
}

func (r *storedResult) dest() []any {
	return []any{&r.w.Rank, &r.w.PrizeTier, &r.w.Prize, &r.w.UserID, &r.w.AttemptID, &r.w.FullName,
		&r.w.BirthDate, &r.w.IDNumber, &r.w.Phone, &r.w.Unit, &r.w.Province, &r.w.Commune, &r.w.Score,
		&r.w.Correct, &r.w.Total, &r.pred, &r.perr, &r.w.DurationMs, &r.started, &r.submitted, &r.flags, &r.w.Note}
}

// winner is the row as the domain has it; flags are split again.
func (r *storedResult) winner() quiz.Winner {
	w := r.w
	w.Prediction, w.PredictionError = intPtr(r.pred), intPtr(r.perr)
	w.StartedAt, w.SubmittedAt = fromMs(r.started), fromMs(r.submitted)
	w.Flags = nil
	if r.flags != "" {
		w.Flags = strings.Split(r.flags, ",")
	}
	return w
}

// LockedList reads a locked round's stored ranking and units into l, in
// one snapshot, so that an unlock or a lock between the two reads cannot
// pair rows and units of different locks.
func (db *DB) LockedList(ctx context.Context, l *quiz.WinnerList) error {
	roundID := l.Round.ID
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+resultColumns+`
			FROM round_results WHERE round_id = $1 ORDER BY position`, roundID)
		l.Entries = l.Entries[:0]
		var r storedResult
		if _, err := pgx.ForEachRow(rows, r.dest(), func() error {
			l.Entries = append(l.Entries, r.winner())
			return nil
		}); err != nil {
			return err
		}
		var err error
		l.Units, err = lockedUnits(ctx, tx, roundID, "")
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: locked list of round %d: %w", roundID, err)
	}
	return nil
}

// lockedUnits reads a locked round's units in order; where (a constant)
// may narrow them.
func lockedUnits(ctx context.Context, q querier, roundID int64, where string) ([]quiz.UnitStanding, error) {
	rows, _ := q.Query(ctx, `SELECT unit, participants, members, rank, share_rank, prize
		FROM round_unit_results WHERE round_id = $1`+where+` ORDER BY position`, roundID)
	var out []quiz.UnitStanding
	var u quiz.UnitStanding
	_, err := pgx.ForEachRow(rows, []any{&u.Unit, &u.Participants, &u.Members, &u.Rank, &u.ShareRank, &u.Prize},
		func() error {
			out = append(out, u)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("locked units: %w", err)
	}
	return out, nil
}

// Identities reads the CCCD and birth date the live accounts among userIDs
// have now, in one query; deleted and missing accounts are left out.
func (db *DB) Identities(ctx context.Context, userIDs []int64) (map[int64]quiz.Identity, error) {
	out := make(map[int64]quiz.Identity, len(userIDs))
	rows, _ := db.r.Query(ctx, `SELECT id, id_number, birth_date FROM users
		WHERE id = ANY ($1) AND deleted_at IS NULL`, userIDs)
	var id int64
	var v quiz.Identity
	_, err := pgx.ForEachRow(rows, []any{&id, &v.IDNumber, &v.BirthDate}, func() error {
		out[id] = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: identities of %d accounts: %w", len(userIDs), err)
	}
	return out, nil
}

// LockedEntry reads one contestant's row of a locked round's stored
// ranking, through the index on the user; not found when they have none.
func (db *DB) LockedEntry(ctx context.Context, roundID, userID int64) (quiz.Winner, error) {
	var r storedResult
	err := db.r.QueryRow(ctx, `SELECT `+resultColumns+` FROM round_results
		WHERE user_id = $1 AND round_id = $2 ORDER BY position LIMIT 1`, userID, roundID).Scan(r.dest()...)
	if err != nil {
		return quiz.Winner{}, fmt.Errorf("postgres: result of user %d in round %d: %w", userID, roundID, notFound(err, "result"))
	}
	return r.winner(), nil
}

// publishedQuery reads a locked round's prize rows, without the personal
// data, through the partial index that holds the prize rows only.
const publishedQuery = `SELECT rank, prize_tier, prize, user_id, full_name, unit
	FROM round_results WHERE round_id = $1 AND prize_tier > 0 ORDER BY position`

// PublishedResults reads what the public sees of a locked round: the prize
// rows with their rank, prize, name and unit only (no personal data is
// read), the units with a prize, and the number of contestants, in one
// snapshot. The partial indexes round_results_prizes and
// round_unit_results_prizes hold exactly those rows, so the read does not
// grow with the round.
func (db *DB) PublishedResults(ctx context.Context, l *quiz.WinnerList) error {
	roundID := l.Round.ID
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		// Positions run from 1 to the number of rows: the last is the count.
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM round_results WHERE round_id = $1`,
			roundID).Scan(&l.Stats.Participants); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, publishedQuery, roundID)
		l.Entries = nil
		var w quiz.Winner
		if _, err := pgx.ForEachRow(rows, []any{&w.Rank, &w.PrizeTier, &w.Prize, &w.UserID, &w.FullName, &w.Unit},
			func() error {
				l.Entries = append(l.Entries, w)
				return nil
			}); err != nil {
			return err
		}
		var err error
		l.Units, err = lockedUnits(ctx, tx, roundID, " AND prize <> ''")
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: published results of round %d: %w", roundID, err)
	}
	return nil
}

var (
	_ quiz.ResultsStore = (*DB)(nil)
	_ quiz.StatsStore   = (*DB)(nil)
)
