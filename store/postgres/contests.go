package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

var _ quiz.CatalogStore = (*DB)(nil)

// UpdateContest stores a contest's settings.
func (db *DB) UpdateContest(ctx context.Context, c quiz.Contest) error {
	err := db.changeContest(ctx, `UPDATE contests SET title = $1, description = $2, one_prize_per_person = $3, rules = $4,
		controller_name = $5, controller_address = $6, controller_contact = $7, identity_at = $8 WHERE id = $9`,
		c.Title, c.Description, c.OnePrizePerPerson, c.Rules, c.Controller.Name, c.Controller.Address,
		c.Controller.Contact, identityAt(c.IdentityAt), c.ID)
	if err != nil {
		return fmt.Errorf("postgres: update contest %d: %w", c.ID, err)
	}
	return nil
}

// UnpublishContest hides a contest from the public again.
func (db *DB) UnpublishContest(ctx context.Context, id int64) error {
	if err := db.changeContest(ctx, "UPDATE contests SET published_at = NULL WHERE id = $1", id); err != nil {
		return fmt.Errorf("postgres: unpublish contest %d: %w", id, err)
	}
	return nil
}

// changeContest runs update, an UPDATE of one contest, in a transaction of
// its own: not found when it changes no row. Rounds carry their contest's
// title, state and rules, so the cached rounds are dropped, whatever the
// outcome.
func (db *DB) changeContest(ctx context.Context, update string, args ...any) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, update, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return quiz.NotFound("contest")
		}
		return nil
	})
	db.forgetRounds()
	return err
}

const contestColumns = `id, slug, title, description, published_at, created_at, one_prize_per_person, rules,
	controller_name, controller_address, controller_contact, identity_at`

// contestScan holds one contests row as it is scanned.
type contestScan struct {
	c         quiz.Contest
	published *int64
	created   int64
}

func (s *contestScan) dest() []any {
	return []any{&s.c.ID, &s.c.Slug, &s.c.Title, &s.c.Description, &s.published, &s.created,
		&s.c.OnePrizePerPerson, &s.c.Rules, &s.c.Controller.Name, &s.c.Controller.Address,
		&s.c.Controller.Contact, &s.c.IdentityAt}
}

func (s *contestScan) contest() quiz.Contest {
	c := s.c
	c.PublishedAt = fromNullMs(s.published)
	c.CreatedAt = fromMs(s.created)
	return c
}

// Contest returns a contest with its rounds.
func (db *DB) Contest(ctx context.Context, id int64) (quiz.Contest, error) {
	return db.contestWhere(ctx, "id = $1", id)
}

// ContestBySlug returns a contest with its rounds.
func (db *DB) ContestBySlug(ctx context.Context, slug string) (quiz.Contest, error) {
	return db.contestWhere(ctx, "slug = $1", slug)
}

// contestWhere reads the contest matching where and its rounds, in one
// snapshot.
func (db *DB) contestWhere(ctx context.Context, where string, arg any) (quiz.Contest, error) {
	var c quiz.Contest
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		var s contestScan
		if err := tx.QueryRow(ctx, "SELECT "+contestColumns+" FROM contests WHERE "+where, arg).Scan(s.dest()...); err != nil {
			return notFound(err, "contest")
		}
		c = s.contest()
		var err error
		c.Rounds, err = roundsIn(ctx, tx, "r.contest_id = $1", c.ID)
		return err
	})
	if err != nil {
		return quiz.Contest{}, fmt.Errorf("postgres: contest %v: %w", arg, err)
	}
	return c, nil
}

// Contests lists contests, newest first, each with its rounds by opening
// time, in one snapshot.
func (db *DB) Contests(ctx context.Context, publishedOnly bool) ([]quiz.Contest, error) {
	query := "SELECT " + contestColumns + " FROM contests"
	if publishedOnly {
		query += " WHERE published_at IS NOT NULL"
	}
	var out []quiz.Contest
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		var s contestScan
		rows, _ := tx.Query(ctx, query+" ORDER BY created_at DESC, id DESC")
		if _, err := pgx.ForEachRow(rows, s.dest(), func() error {
			out = append(out, s.contest())
			return nil
		}); err != nil {
			return err
		}
		rounds, err := roundsIn(ctx, tx, "true")
		if err != nil {
			return err
		}
		for i := range out {
			for _, r := range rounds {
				if r.ContestID == out[i].ID {
					out[i].Rounds = append(out[i].Rounds, r)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: contests: %w", err)
	}
	return out, nil
}

// roundsIn reads the rounds matching where, with their quotas and prizes,
// in tx.
func roundsIn(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]quiz.Round, error) {
	rounds, err := roundRows(ctx, tx, where, args)
	if err != nil || len(rounds) == 0 {
		return rounds, err
	}
	return rounds, roundParts(ctx, tx, rounds)
}

// UpdateRound stores a round's new fields, quotas and prizes, unless it
// has been locked: round_locked then, and for a round that is gone. The
// row lock the update takes orders it with a lock of the round on any
// node; the cached rounds are dropped, whatever the outcome.
func (db *DB) UpdateRound(ctx context.Context, r quiz.Round) (quiz.Round, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE rounds SET name = $1, bank_id = $2, opens_at = $3, closes_at = $4,
			duration_seconds = $5, question_count = $6, points_per_question = $7, max_attempts = $8,
			prediction_prompt = $9, prediction_target = $10, reveal = $11, prize_cap_percent = $12
			WHERE id = $13 AND locked_at IS NULL`,
			r.Name, r.BankID, ms(r.OpensAt), ms(r.ClosesAt), r.DurationSeconds, r.QuestionCount, r.PointsPerQuestion,
			r.MaxAttempts, r.PredictionPrompt, r.PredictionTarget, r.Reveal, r.PrizeCapPercent, r.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return quiz.Errorf(quiz.CodeRoundLocked, "round %d is locked or gone", r.ID)
		}
		return saveRoundParts(ctx, tx, r)
	})
	db.forgetRounds()
	if err != nil {
		return quiz.Round{}, fmt.Errorf("postgres: update round %d: %w", r.ID, err)
	}
	return db.Round(ctx, r.ID)
}

// RoundCounts returns how many attempts of the round were started and how
// many submitted.
func (db *DB) RoundCounts(ctx context.Context, roundID int64) (started, submitted int, err error) {
	err = db.r.QueryRow(ctx, "SELECT count(*), count(submitted_at) FROM attempts WHERE round_id = $1", roundID).
		Scan(&started, &submitted)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: counts of round %d: %w", roundID, err)
	}
	return started, submitted, nil
}
