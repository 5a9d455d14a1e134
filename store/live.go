package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"hoithi/quiz"
)

// liveOption is an option of a live game's question as stored.
type liveOption struct {
	ID      int64  `json:"id"`
	Text    string `json:"text"`
	Correct bool   `json:"correct"`
}

// pinDraws bounds the PINs drawn for one game: with a million PINs and
// the games of one server running at once, a second draw is rare and an
// eighth means something is wrong.
const pinDraws = 8

// CreateLiveGame stores a new game with its questions. Its id is random,
// its PIN drawn from newPIN until one no game not ended holds.
func (db *DB) CreateLiveGame(ctx context.Context, g quiz.LiveGame, questions []quiz.LiveQuestion, newPIN func() string) (quiz.LiveGame, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		for range pinDraws {
			pin := newPIN()
			id, err := insertWithNewID(func(id int64) error {
				_, err := tx.Exec(`INSERT INTO live_games (id, pin, title, bank_id, created_by, seconds_per_question,
					points_mode, streak_bonus, auto_advance, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					id, pin, g.Title, g.BankID, nullID(g.HostID), g.SecondsPerQuestion, g.PointsMode, g.StreakBonus,
					g.AutoAdvance, ms(g.CreatedAt))
				return err
			})
			if isUnique(err) {
				continue // the PIN is held by a game not ended
			}
			if err != nil {
				return err
			}
			g.ID, g.PIN = id, pin
			for _, q := range questions {
				options := make([]liveOption, len(q.Options))
				for i, o := range q.Options {
					options[i] = liveOption{o.ID, o.Text, o.Correct}
				}
				data, _ := json.Marshal(options)
				if _, err := tx.Exec(`INSERT INTO live_questions (game_id, position, question_id, text, options)
					VALUES (?, ?, ?, ?, ?)`, id, q.Index, q.QuestionID, q.Text, string(data)); err != nil {
					return err
				}
			}
			return nil
		}
		return fmt.Errorf("no free PIN after %d draws", pinDraws)
	})
	if err != nil {
		return quiz.LiveGame{}, fmt.Errorf("store: create live game: %w", err)
	}
	return g, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

const liveGameColumns = `id, pin, title, bank_id, coalesce(created_by, 0), seconds_per_question, points_mode,
	streak_bonus, auto_advance, phase, question_index, created_at, started_at, ended_at,
	(SELECT count(*) FROM live_questions q WHERE q.game_id = live_games.id)`

func scanLiveGame(row interface{ Scan(...any) error }) (quiz.LiveGame, error) {
	var g quiz.LiveGame
	var created int64
	var started, ended sql.NullInt64
	if err := row.Scan(&g.ID, &g.PIN, &g.Title, &g.BankID, &g.HostID, &g.SecondsPerQuestion, &g.PointsMode,
		&g.StreakBonus, &g.AutoAdvance, &g.Phase, &g.Index, &created, &started, &ended, &g.QuestionCount); err != nil {
		return quiz.LiveGame{}, err
	}
	g.CreatedAt, g.StartedAt, g.EndedAt = fromMs(created), fromNullMs(started), fromNullMs(ended)
	return g, nil
}

func fromNullMsZero(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMs(v.Int64)
}

// LiveGame returns a game with its questions, players (in join order) and
// answers, read in one transaction.
func (db *DB) LiveGame(ctx context.Context, id int64) (quiz.LiveRecord, error) {
	var rec quiz.LiveRecord
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		rec.Game, err = scanLiveGame(tx.QueryRowContext(ctx, "SELECT "+liveGameColumns+" FROM live_games WHERE id = ?", id))
		if err != nil {
			return notFound(err, "game")
		}
		qrows, err := tx.QueryContext(ctx, `SELECT position, question_id, text, options, opened_at, deadline, closed_at, skipped
			FROM live_questions WHERE game_id = ? ORDER BY position`, id)
		if err != nil {
			return err
		}
		defer qrows.Close()
		for qrows.Next() {
			var q quiz.LiveQuestion
			var options string
			var opened, deadline, closed sql.NullInt64
			if err := qrows.Scan(&q.Index, &q.QuestionID, &q.Text, &options, &opened, &deadline, &closed, &q.Skipped); err != nil {
				return err
			}
			var stored []liveOption
			if err := json.Unmarshal([]byte(options), &stored); err != nil {
				return fmt.Errorf("options of question %d: %w", q.Index, err)
			}
			for _, o := range stored {
				q.Options = append(q.Options, quiz.Option{ID: o.ID, Text: o.Text, Correct: o.Correct})
			}
			q.OpenedAt, q.Deadline, q.ClosedAt = fromNullMsZero(opened), fromNullMsZero(deadline), fromNullMsZero(closed)
			rec.Questions = append(rec.Questions, q)
		}
		if err := qrows.Err(); err != nil {
			return err
		}
		if i := rec.Game.Index; rec.Game.Phase == quiz.PhaseQuestion && i >= 0 && i < len(rec.Questions) {
			rec.Game.Deadline = rec.Questions[i].Deadline
		}

		prows, err := tx.QueryContext(ctx, `SELECT id, seq, nickname, nickname_key, coalesce(user_id, 0), token_hash, joined_at, kicked_at
			FROM live_players WHERE game_id = ? ORDER BY seq`, id)
		if err != nil {
			return err
		}
		defer prows.Close()
		for prows.Next() {
			p := quiz.LivePlayer{GameID: id}
			var joined int64
			var kicked sql.NullInt64
			if err := prows.Scan(&p.ID, &p.Seq, &p.Nickname, &p.NicknameKey, &p.UserID, &p.TokenHash, &joined, &kicked); err != nil {
				return err
			}
			p.JoinedAt, p.KickedAt = fromMs(joined), fromNullMs(kicked)
			rec.Players = append(rec.Players, p)
		}
		if err := prows.Err(); err != nil {
			return err
		}

		arows, err := tx.QueryContext(ctx, `SELECT position, player_id, option_ids, correct, points, time_ms, answered_at
			FROM live_answers WHERE game_id = ? ORDER BY position, answered_at`, id)
		if err != nil {
			return err
		}
		defer arows.Close()
		for arows.Next() {
			a := quiz.LiveAnswer{GameID: id}
			var ids string
			var at int64
			if err := arows.Scan(&a.Index, &a.PlayerID, &ids, &a.Correct, &a.Points, &a.TimeMs, &at); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(ids), &a.OptionIDs); err != nil {
				return fmt.Errorf("answer of player %d: %w", a.PlayerID, err)
			}
			a.AnsweredAt = fromMs(at)
			rec.Answers = append(rec.Answers, a)
		}
		return arows.Err()
	})
	if err != nil {
		return quiz.LiveRecord{}, fmt.Errorf("store: live game %d: %w", id, err)
	}
	return rec, nil
}

// LiveGames lists the latest games, newest first, with their players
// counted (kicked ones left out).
func (db *DB) LiveGames(ctx context.Context, limit int) ([]quiz.LiveGame, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+liveGameColumns+`,
		(SELECT count(*) FROM live_players p WHERE p.game_id = live_games.id AND p.kicked_at IS NULL)
		FROM live_games ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: live games: %w", err)
	}
	defer rows.Close()
	var out []quiz.LiveGame
	for rows.Next() {
		var players int
		g, err := scanLiveGame(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &players)...) }))
		if err != nil {
			return nil, fmt.Errorf("store: live games: %w", err)
		}
		g.Players = players
		out = append(out, g)
	}
	return out, rows.Err()
}

// scanFunc lets a function stand for a row's Scan.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// UnfinishedLiveGames lists the games not ended, oldest first.
func (db *DB) UnfinishedLiveGames(ctx context.Context) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id FROM live_games WHERE phase <> 'ended' ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("store: unfinished live games: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: unfinished live games: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// UnfinishedLiveGame returns the id of the game not ended that holds pin.
func (db *DB) UnfinishedLiveGame(ctx context.Context, pin string) (int64, error) {
	var id int64
	err := db.r.QueryRowContext(ctx, "SELECT id FROM live_games WHERE pin = ? AND phase <> 'ended'", pin).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: live game %s: %w", pin, notFound(err, "game"))
	}
	return id, nil
}

// AddLivePlayer stores a player of a game not ended, with a random id.
func (db *DB) AddLivePlayer(ctx context.Context, p quiz.LivePlayer) (quiz.LivePlayer, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var phase string
		if err := tx.QueryRow("SELECT phase FROM live_games WHERE id = ?", p.GameID).Scan(&phase); err != nil {
			return notFound(err, "game")
		}
		if phase == quiz.PhaseEnded {
			return quiz.Errorf(quiz.CodeGameEnded, "the game has ended")
		}
		var taken int
		if err := tx.QueryRow("SELECT count(*) FROM live_players WHERE game_id = ? AND nickname_key = ?",
			p.GameID, p.NicknameKey).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return quiz.Errorf(quiz.CodeNicknameTaken, "the nickname is taken in this game")
		}
		if err := tx.QueryRow("SELECT coalesce(max(seq), 0) + 1 FROM live_players WHERE game_id = ?", p.GameID).Scan(&p.Seq); err != nil {
			return err
		}
		var err error
		p.ID, err = insertWithNewID(func(id int64) error {
			_, err := tx.Exec(`INSERT INTO live_players (id, game_id, seq, nickname, nickname_key, user_id, token_hash, joined_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, p.GameID, p.Seq, p.Nickname, p.NicknameKey, nullID(p.UserID), p.TokenHash, ms(p.JoinedAt))
			return err
		})
		if isUnique(err) {
			return quiz.Errorf(quiz.CodeAlreadyJoined, "this account is in the game already")
		}
		return err
	})
	if err != nil {
		return quiz.LivePlayer{}, fmt.Errorf("store: add live player: %w", err)
	}
	return p, nil
}

// SetLiveToken replaces a player's rejoin token.
func (db *DB) SetLiveToken(ctx context.Context, playerID int64, tokenHash string) error {
	err := db.updateOne(ctx, "player", "UPDATE live_players SET token_hash = ? WHERE id = ?", tokenHash, playerID)
	if err != nil {
		return fmt.Errorf("store: live player %d token: %w", playerID, err)
	}
	return nil
}

// KickLivePlayer marks a player kicked, once.
func (db *DB) KickLivePlayer(ctx context.Context, playerID int64, at time.Time) error {
	err := db.updateOne(ctx, "player", "UPDATE live_players SET kicked_at = coalesce(kicked_at, ?) WHERE id = ?", ms(at), playerID)
	if err != nil {
		return fmt.Errorf("store: kick live player %d: %w", playerID, err)
	}
	return nil
}

// updateOne runs an UPDATE of one row in its own write; no row is
// quiz.NotFound(what).
func (db *DB) updateOne(ctx context.Context, what, query string, args ...any) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(query, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return quiz.NotFound(what)
		}
		return nil
	})
}

// SaveLiveTransition stores a game's move to a phase, with the times of
// the question it opens or closes, in one transaction. A game ended takes
// no more moves (CodeGameEnded).
func (db *DB) SaveLiveTransition(ctx context.Context, t quiz.LiveTransition) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		switch t.Phase {
		case quiz.PhaseQuestion:
			res, err = tx.Exec(`UPDATE live_games SET phase = 'question', question_index = ?,
				started_at = coalesce(started_at, ?) WHERE id = ? AND phase <> 'ended'`, t.Index, ms(t.At), t.GameID)
		case quiz.PhaseReveal, quiz.PhaseLeaderboard:
			res, err = tx.Exec("UPDATE live_games SET phase = ?, question_index = ? WHERE id = ? AND phase <> 'ended'",
				t.Phase, t.Index, t.GameID)
		case quiz.PhaseEnded:
			res, err = tx.Exec("UPDATE live_games SET phase = 'ended', ended_at = ? WHERE id = ? AND phase <> 'ended'",
				ms(t.At), t.GameID)
		default:
			return fmt.Errorf("unknown phase %q", t.Phase)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return quiz.Errorf(quiz.CodeGameEnded, "the game has ended")
		}
		switch t.Phase {
		case quiz.PhaseQuestion:
			_, err = tx.Exec(`UPDATE live_questions SET opened_at = ?, deadline = ?, closed_at = NULL, skipped = 0
				WHERE game_id = ? AND position = ?`, ms(t.At), ms(t.Deadline), t.GameID, t.Index)
		case quiz.PhaseReveal:
			_, err = tx.Exec("UPDATE live_questions SET closed_at = ?, skipped = ? WHERE game_id = ? AND position = ?",
				ms(t.At), t.Skipped, t.GameID, t.Index)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: live game %d to %s: %w", t.GameID, t.Phase, err)
	}
	return nil
}

// SetLiveAutoAdvance turns a game's auto-advance on or off.
func (db *DB) SetLiveAutoAdvance(ctx context.Context, gameID int64, on bool) error {
	err := db.updateOne(ctx, "game", "UPDATE live_games SET auto_advance = ? WHERE id = ?", on, gameID)
	if err != nil {
		return fmt.Errorf("store: live game %d auto-advance: %w", gameID, err)
	}
	return nil
}

// liveAnswerSQL stores one answer while the stored game has its question
// open.
const liveAnswerSQL = `INSERT INTO live_answers (game_id, position, player_id, option_ids, correct, points, time_ms, answered_at)
	SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (
		SELECT 1 FROM live_games WHERE id = ? AND phase = 'question' AND question_index = ?)`

// liveAnswerStmt is liveAnswerSQL prepared on the transaction it last ran
// in. A room answers a question all at once, and the writer commits
// hundreds of those answers in one transaction: preparing the insert once
// a transaction rather than once an answer takes half of its cost off
// the single writer (15,000 answers at once: p99 of their acknowledgement
// from about 370 to about 175 ms, BenchmarkLiveQuestion). A statement prepared
// on a transaction ends with it; the next transaction prepares anew.
var liveAnswerStmt struct {
	sync.Mutex
	tx   *sql.Tx
	stmt *sql.Stmt
}

func liveAnswerInsert(tx *sql.Tx) (*sql.Stmt, error) {
	liveAnswerStmt.Lock()
	defer liveAnswerStmt.Unlock()
	if liveAnswerStmt.tx != tx {
		stmt, err := tx.Prepare(liveAnswerSQL)
		if err != nil {
			return nil, err
		}
		liveAnswerStmt.tx, liveAnswerStmt.stmt = tx, stmt
	}
	return liveAnswerStmt.stmt, nil
}

// SaveLiveAnswer stores a player's answer in the same batches as the
// attempts' answers, and returns once it is committed. The insert checks
// that the stored game still has the question open: an answer never lands
// after the reveal that closed its question.
func (db *DB) SaveLiveAnswer(ctx context.Context, a quiz.LiveAnswer) error {
	ids, _ := json.Marshal(a.OptionIDs)
	err := db.write(ctx, func(tx *sql.Tx) error {
		insert, err := liveAnswerInsert(tx)
		if err != nil {
			return err
		}
		res, err := insert.Exec(a.GameID, a.Index, a.PlayerID, string(ids), a.Correct, a.Points, a.TimeMs,
			ms(a.AnsweredAt), a.GameID, a.Index)
		if isUnique(err) {
			return quiz.Errorf(quiz.CodeAlreadyAnswered, "question %d has been answered", a.Index)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return quiz.Errorf(quiz.CodeQuestionClosed, "question %d is closed", a.Index)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save live answer: %w", err)
	}
	return nil
}
