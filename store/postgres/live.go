package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

// Live quizzes, as the SQLite store keeps them (store/live.go): games with
// random ids and PINs unique among games not ended, their questions as
// drawn, players in the order they joined, and answers written through
// the batched writer.

var _ quiz.LiveAnswerWriter = (*DB)(nil)

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

// errPINTaken says that a game's insert found its PIN held by a game not
// ended.
var errPINTaken = errors.New("the PIN is held by a game not ended")

// CreateLiveGame stores a new game with its questions. Its id is random,
// its PIN drawn from newPIN until one no game not ended holds.
func (db *DB) CreateLiveGame(ctx context.Context, g quiz.LiveGame, questions []quiz.LiveQuestion, newPIN func() string) (quiz.LiveGame, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		for range pinDraws {
			pin := newPIN()
			id, err := insertWithNewID(func(id int64) (bool, error) {
				return insertLiveGame(ctx, tx, id, pin, g)
			})
			if errors.Is(err, errPINTaken) {
				continue
			}
			if err != nil {
				return err
			}
			g.ID, g.PIN = id, pin
			return insertLiveQuestions(ctx, tx, id, questions)
		}
		return fmt.Errorf("no free PIN after %d draws", pinDraws)
	})
	if err != nil {
		return quiz.LiveGame{}, fmt.Errorf("postgres: create live game: %w", err)
	}
	return g, nil
}

// insertLiveGame stores g under id and pin unless either is taken, and
// says which: not stored with no error is an id taken, errPINTaken a PIN
// held. Neither may be an error of the statement, which would end the
// transaction; a game ended meanwhile frees its PIN, so the PIN is looked
// at only when the insert stored nothing.
func insertLiveGame(ctx context.Context, tx pgx.Tx, id int64, pin string, g quiz.LiveGame) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO live_games (id, pin, title, bank_id, created_by, seconds_per_question,
		points_mode, streak_bonus, auto_advance, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT DO NOTHING`,
		id, pin, g.Title, g.BankID, nullID(g.HostID), g.SecondsPerQuestion, g.PointsMode, g.StreakBonus,
		g.AutoAdvance, ms(g.CreatedAt))
	if err != nil || tag.RowsAffected() == 1 {
		return err == nil, err
	}
	var held bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM live_games WHERE pin = $1 AND phase <> 'ended')",
		pin).Scan(&held); err != nil {
		return false, err
	}
	if held {
		return false, errPINTaken
	}
	return false, nil
}

func insertLiveQuestions(ctx context.Context, tx pgx.Tx, gameID int64, questions []quiz.LiveQuestion) error {
	for _, q := range questions {
		options := make([]liveOption, len(q.Options))
		for i, o := range q.Options {
			options[i] = liveOption{o.ID, o.Text, o.Correct}
		}
		data, _ := json.Marshal(options)
		if _, err := tx.Exec(ctx, `INSERT INTO live_questions (game_id, position, question_id, text, options)
			VALUES ($1, $2, $3, $4, $5)`, gameID, q.Index, q.QuestionID, q.Text, string(data)); err != nil {
			return err
		}
	}
	return nil
}

const liveGameColumns = `id, pin, title, bank_id, coalesce(created_by, 0), seconds_per_question, points_mode,
	streak_bonus, auto_advance, phase, question_index, created_at, started_at, ended_at,
	(SELECT count(*) FROM live_questions q WHERE q.game_id = live_games.id)`

func scanLiveGame(row pgx.Row, extra ...any) (quiz.LiveGame, error) {
	var g quiz.LiveGame
	var created int64
	var started, ended *int64
	dest := append([]any{&g.ID, &g.PIN, &g.Title, &g.BankID, &g.HostID, &g.SecondsPerQuestion, &g.PointsMode,
		&g.StreakBonus, &g.AutoAdvance, &g.Phase, &g.Index, &created, &started, &ended, &g.QuestionCount}, extra...)
	if err := row.Scan(dest...); err != nil {
		return quiz.LiveGame{}, err
	}
	g.CreatedAt, g.StartedAt, g.EndedAt = fromMs(created), fromNullMs(started), fromNullMs(ended)
	return g, nil
}

// liveTime is a stored time that may be missing, the zero time then.
func liveTime(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return fromMs(*v)
}

// LiveGame returns a game with its questions, players (in join order) and
// answers, read in one snapshot.
func (db *DB) LiveGame(ctx context.Context, id int64) (quiz.LiveRecord, error) {
	var rec quiz.LiveRecord
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		rec.Game, err = scanLiveGame(tx.QueryRow(ctx, "SELECT "+liveGameColumns+" FROM live_games WHERE id = $1", id))
		if err != nil {
			return notFound(err, "game")
		}
		if rec.Questions, err = liveQuestions(ctx, tx, id); err != nil {
			return err
		}
		if i := rec.Game.Index; rec.Game.Phase == quiz.PhaseQuestion && i >= 0 && i < len(rec.Questions) {
			rec.Game.Deadline = rec.Questions[i].Deadline
		}
		if rec.Players, err = livePlayers(ctx, tx, id); err != nil {
			return err
		}
		rec.Answers, err = liveAnswers(ctx, tx, id)
		return err
	})
	if err != nil {
		return quiz.LiveRecord{}, fmt.Errorf("postgres: live game %d: %w", id, err)
	}
	return rec, nil
}

func liveQuestions(ctx context.Context, tx pgx.Tx, gameID int64) ([]quiz.LiveQuestion, error) {
	rows, _ := tx.Query(ctx, `SELECT position, question_id, text, options, opened_at, deadline, closed_at, skipped
		FROM live_questions WHERE game_id = $1 ORDER BY position`, gameID)
	var out []quiz.LiveQuestion
	var q quiz.LiveQuestion
	var options string
	var opened, deadline, closed *int64
	_, err := pgx.ForEachRow(rows, []any{&q.Index, &q.QuestionID, &q.Text, &options, &opened, &deadline, &closed, &q.Skipped}, func() error {
		var stored []liveOption
		if err := json.Unmarshal([]byte(options), &stored); err != nil {
			return fmt.Errorf("options of question %d: %w", q.Index, err)
		}
		q.Options = nil
		for _, o := range stored {
			q.Options = append(q.Options, quiz.Option{ID: o.ID, Text: o.Text, Correct: o.Correct})
		}
		q.OpenedAt, q.Deadline, q.ClosedAt = liveTime(opened), liveTime(deadline), liveTime(closed)
		out = append(out, q)
		return nil
	})
	return out, err
}

func livePlayers(ctx context.Context, tx pgx.Tx, gameID int64) ([]quiz.LivePlayer, error) {
	rows, _ := tx.Query(ctx, `SELECT id, seq, nickname, nickname_key, coalesce(user_id, 0), token_hash, joined_at, kicked_at
		FROM live_players WHERE game_id = $1 ORDER BY seq`, gameID)
	var out []quiz.LivePlayer
	p := quiz.LivePlayer{GameID: gameID}
	var joined int64
	var kicked *int64
	_, err := pgx.ForEachRow(rows, []any{&p.ID, &p.Seq, &p.Nickname, &p.NicknameKey, &p.UserID, &p.TokenHash, &joined, &kicked}, func() error {
		p.JoinedAt, p.KickedAt = fromMs(joined), fromNullMs(kicked)
		out = append(out, p)
		return nil
	})
	return out, err
}

func liveAnswers(ctx context.Context, tx pgx.Tx, gameID int64) ([]quiz.LiveAnswer, error) {
	// answered_at, then the player: SQLite reads ties in the primary key's
	// order, (position, player_id), which the extra key states here.
	rows, _ := tx.Query(ctx, `SELECT position, player_id, option_ids, correct, points, time_ms, answered_at
		FROM live_answers WHERE game_id = $1 ORDER BY position, answered_at, player_id`, gameID)
	var out []quiz.LiveAnswer
	a := quiz.LiveAnswer{GameID: gameID}
	var ids string
	var at int64
	_, err := pgx.ForEachRow(rows, []any{&a.Index, &a.PlayerID, &ids, &a.Correct, &a.Points, &a.TimeMs, &at}, func() error {
		a.OptionIDs = nil
		if err := json.Unmarshal([]byte(ids), &a.OptionIDs); err != nil {
			return fmt.Errorf("answer of player %d: %w", a.PlayerID, err)
		}
		a.AnsweredAt = fromMs(at)
		out = append(out, a)
		return nil
	})
	return out, err
}

// LiveGames lists the latest games, newest first, with their players
// counted (kicked ones left out).
func (db *DB) LiveGames(ctx context.Context, limit int) ([]quiz.LiveGame, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := db.r.Query(ctx, "SELECT "+liveGameColumns+`,
		(SELECT count(*) FROM live_players p WHERE p.game_id = live_games.id AND p.kicked_at IS NULL)
		FROM live_games ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: live games: %w", err)
	}
	defer rows.Close()
	var out []quiz.LiveGame
	for rows.Next() {
		var players int
		g, err := scanLiveGame(rows, &players)
		if err != nil {
			return nil, fmt.Errorf("postgres: live games: %w", err)
		}
		g.Players = players
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: live games: %w", err)
	}
	return out, nil
}

// UnfinishedLiveGames lists the games not ended, oldest first.
func (db *DB) UnfinishedLiveGames(ctx context.Context) ([]int64, error) {
	rows, _ := db.r.Query(ctx, "SELECT id FROM live_games WHERE phase <> 'ended' ORDER BY created_at, id")
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: unfinished live games: %w", err)
	}
	return ids, nil
}

// UnfinishedLiveGame returns the id of the game not ended that holds pin.
func (db *DB) UnfinishedLiveGame(ctx context.Context, pin string) (int64, error) {
	var id int64
	err := db.r.QueryRow(ctx, "SELECT id FROM live_games WHERE pin = $1 AND phase <> 'ended'", pin).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("postgres: live game %s: %w", pin, notFound(err, "game"))
	}
	return id, nil
}

// AddLivePlayer stores a player of a game not ended, with a random id.
// The game's row is locked (FOR NO KEY UPDATE, which answers' and
// players' foreign keys do not wait for): joins of one game on any node
// take turns, so that two cannot take the same nickname or place.
func (db *DB) AddLivePlayer(ctx context.Context, p quiz.LivePlayer) (quiz.LivePlayer, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var phase string
		if err := tx.QueryRow(ctx, "SELECT phase FROM live_games WHERE id = $1 FOR NO KEY UPDATE", p.GameID).Scan(&phase); err != nil {
			return notFound(err, "game")
		}
		if phase == quiz.PhaseEnded {
			return quiz.Errorf(quiz.CodeGameEnded, "the game has ended")
		}
		var taken bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM live_players WHERE game_id = $1 AND nickname_key = $2)",
			p.GameID, p.NicknameKey).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return quiz.Errorf(quiz.CodeNicknameTaken, "the nickname is taken in this game")
		}
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(seq), 0) + 1 FROM live_players WHERE game_id = $1", p.GameID).Scan(&p.Seq); err != nil {
			return err
		}
		var err error
		p.ID, err = insertWithNewID(func(id int64) (bool, error) {
			tag, err := tx.Exec(ctx, `INSERT INTO live_players (id, game_id, seq, nickname, nickname_key, user_id, token_hash, joined_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
				id, p.GameID, p.Seq, p.Nickname, p.NicknameKey, nullID(p.UserID), p.TokenHash, ms(p.JoinedAt))
			return tag.RowsAffected() == 1, err
		})
		if isUnique(err) {
			return quiz.Errorf(quiz.CodeAlreadyJoined, "this account is in the game already")
		}
		return err
	})
	if err != nil {
		return quiz.LivePlayer{}, fmt.Errorf("postgres: add live player: %w", err)
	}
	return p, nil
}

// SetLiveToken replaces a player's rejoin token.
func (db *DB) SetLiveToken(ctx context.Context, playerID int64, tokenHash string) error {
	err := db.liveUpdateOne(ctx, "player", "UPDATE live_players SET token_hash = $1 WHERE id = $2", tokenHash, playerID)
	if err != nil {
		return fmt.Errorf("postgres: live player %d token: %w", playerID, err)
	}
	return nil
}

// KickLivePlayer marks a player kicked, once.
func (db *DB) KickLivePlayer(ctx context.Context, playerID int64, at time.Time) error {
	err := db.liveUpdateOne(ctx, "player", "UPDATE live_players SET kicked_at = coalesce(kicked_at, $1) WHERE id = $2", ms(at), playerID)
	if err != nil {
		return fmt.Errorf("postgres: kick live player %d: %w", playerID, err)
	}
	return nil
}

// SetLiveAutoAdvance turns a game's auto-advance on or off.
func (db *DB) SetLiveAutoAdvance(ctx context.Context, gameID int64, on bool) error {
	err := db.liveUpdateOne(ctx, "game", "UPDATE live_games SET auto_advance = $1 WHERE id = $2", on, gameID)
	if err != nil {
		return fmt.Errorf("postgres: live game %d auto-advance: %w", gameID, err)
	}
	return nil
}

// liveUpdateOne runs an UPDATE of one row in its own transaction; no row
// is quiz.NotFound(what).
func (db *DB) liveUpdateOne(ctx context.Context, what, query string, args ...any) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return quiz.NotFound(what)
		}
		return nil
	})
}

// SaveLiveTransition stores a game's move to a phase, with the times of
// the question it opens or closes, in one transaction. A game ended takes
// no more moves (CodeGameEnded).
func (db *DB) SaveLiveTransition(ctx context.Context, t quiz.LiveTransition) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var moved int64
		switch t.Phase {
		case quiz.PhaseQuestion:
			tag, err := tx.Exec(ctx, `UPDATE live_games SET phase = 'question', question_index = $1,
				started_at = coalesce(started_at, $2) WHERE id = $3 AND phase <> 'ended'`, t.Index, ms(t.At), t.GameID)
			if err != nil {
				return err
			}
			moved = tag.RowsAffected()
		case quiz.PhaseReveal, quiz.PhaseLeaderboard:
			tag, err := tx.Exec(ctx, "UPDATE live_games SET phase = $1, question_index = $2 WHERE id = $3 AND phase <> 'ended'",
				t.Phase, t.Index, t.GameID)
			if err != nil {
				return err
			}
			moved = tag.RowsAffected()
		case quiz.PhaseEnded:
			tag, err := tx.Exec(ctx, "UPDATE live_games SET phase = 'ended', ended_at = $1 WHERE id = $2 AND phase <> 'ended'",
				ms(t.At), t.GameID)
			if err != nil {
				return err
			}
			moved = tag.RowsAffected()
		default:
			return fmt.Errorf("unknown phase %q", t.Phase)
		}
		if moved == 0 {
			return quiz.Errorf(quiz.CodeGameEnded, "the game has ended")
		}
		var err error
		switch t.Phase {
		case quiz.PhaseQuestion:
			_, err = tx.Exec(ctx, `UPDATE live_questions SET opened_at = $1, deadline = $2, closed_at = NULL, skipped = false
				WHERE game_id = $3 AND position = $4`, ms(t.At), ms(t.Deadline), t.GameID, t.Index)
		case quiz.PhaseReveal:
			_, err = tx.Exec(ctx, "UPDATE live_questions SET closed_at = $1, skipped = $2 WHERE game_id = $3 AND position = $4",
				ms(t.At), t.Skipped, t.GameID, t.Index)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: live game %d to %s: %w", t.GameID, t.Phase, err)
	}
	return nil
}

// liveAnswerStatement stores one answer while the stored game has its
// question open, unless the player has answered it, and says which. The
// game's row is read FOR SHARE: a transition on another node (an UPDATE
// of that row) then either waits for this answer's commit, or has
// committed before and the answer sees the question closed. An answer
// never lands after the reveal that closed its question.
const liveAnswerStatement = `WITH open AS (
		SELECT 1 FROM live_games WHERE id = $1 AND phase = 'question' AND question_index = $2 FOR SHARE
	), saved AS (
		INSERT INTO live_answers (game_id, position, player_id, option_ids, correct, points, time_ms, answered_at)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM open
		ON CONFLICT (game_id, position, player_id) DO NOTHING
		RETURNING 1
	)
	SELECT EXISTS (SELECT 1 FROM saved), EXISTS (SELECT 1 FROM open)`

// SaveLiveAnswer stores a player's answer in the same batches as the
// attempts' answers, and returns once it is committed. A question the
// stored game no longer has open is CodeQuestionClosed; a second answer
// of the player to it, CodeAlreadyAnswered.
func (db *DB) SaveLiveAnswer(ctx context.Context, a quiz.LiveAnswer) error {
	ids, _ := json.Marshal(a.OptionIDs)
	err := db.write(ctx, func(q queued) {
		q.row(func(row pgx.Row) error {
			var saved, open bool
			if err := row.Scan(&saved, &open); err != nil {
				return err
			}
			switch {
			case saved:
				return nil
			case !open:
				return quiz.Errorf(quiz.CodeQuestionClosed, "question %d is closed", a.Index)
			}
			return quiz.Errorf(quiz.CodeAlreadyAnswered, "question %d has been answered", a.Index)
		}, liveAnswerStatement, a.GameID, a.Index, a.PlayerID, string(ids), a.Correct, a.Points, a.TimeMs, ms(a.AnsweredAt))
	})
	if err != nil {
		return fmt.Errorf("postgres: save live answer: %w", err)
	}
	return nil
}

var _ quiz.LiveStore = (*DB)(nil)
