package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
	"hoithi/store/internal/rows"
)

// nowMs is the database server's clock in milliseconds, whole seconds as
// SQLite's strftime('%s','now') * 1000 gives them, for the rows whose
// creation time the SQLite store takes from its own clock.
const nowMs = "(floor(extract(epoch FROM now()))::bigint * 1000)"

// CreateBank stores a new, empty bank.
func (db *DB) CreateBank(ctx context.Context, b quiz.Bank) (quiz.Bank, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "INSERT INTO banks (name, description, created_at) VALUES ($1, $2, $3) RETURNING id",
			b.Name, b.Description, ms(b.CreatedAt)).Scan(&b.ID)
		if isUnique(err) {
			return &quiz.Error{Code: quiz.CodeBankNameTaken, Message: "a bank with this name exists",
				Fields: map[string]string{"name": quiz.MsgBankNameTaken}}
		}
		return err
	})
	if err != nil {
		return quiz.Bank{}, fmt.Errorf("postgres: create bank: %w", err)
	}
	return b, nil
}

// Banks lists every bank with its count of questions in use.
func (db *DB) Banks(ctx context.Context) ([]quiz.Bank, error) {
	rows, _ := db.r.Query(ctx, "SELECT "+bankColumns+" FROM banks b ORDER BY b.id")
	var out []quiz.Bank
	var b quiz.Bank
	var created int64
	_, err := pgx.ForEachRow(rows, []any{&b.ID, &b.Name, &b.Description, &created, &b.QuestionCount}, func() error {
		b.CreatedAt = fromMs(created)
		out = append(out, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: banks: %w", err)
	}
	return out, nil
}

// bankColumns are a bank's fields, with its count of questions in use,
// for a query on banks b.
const bankColumns = `b.id, b.name, b.description, b.created_at,
	(SELECT count(*) FROM questions q WHERE q.bank_id = b.id AND q.retired_at IS NULL)`

// Bank returns one bank.
func (db *DB) Bank(ctx context.Context, id int64) (quiz.Bank, error) {
	b, err := db.bankWhere(ctx, "b.id = $1", id)
	if err != nil {
		return quiz.Bank{}, fmt.Errorf("postgres: bank %d: %w", id, err)
	}
	return b, nil
}

// BankByName returns the bank with the given name.
func (db *DB) BankByName(ctx context.Context, name string) (quiz.Bank, error) {
	b, err := db.bankWhere(ctx, "b.name = $1", name)
	if err != nil {
		return quiz.Bank{}, fmt.Errorf("postgres: bank %q: %w", name, err)
	}
	return b, nil
}

func (db *DB) bankWhere(ctx context.Context, where string, arg any) (quiz.Bank, error) {
	var b quiz.Bank
	var created int64
	err := db.r.QueryRow(ctx, "SELECT "+bankColumns+" FROM banks b WHERE "+where, arg).
		Scan(&b.ID, &b.Name, &b.Description, &created, &b.QuestionCount)
	if err != nil {
		return quiz.Bank{}, notFound(err, "bank")
	}
	b.CreatedAt = fromMs(created)
	return b, nil
}

// Questions lists a bank's questions with their options, in the bank's
// order, retired ones included and marked; read in one snapshot so that
// every question has its options.
func (db *DB) Questions(ctx context.Context, bankID int64) ([]quiz.Question, error) {
	var out []quiz.Question
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		index := map[int64]int{}
		rows, _ := tx.Query(ctx, `SELECT id, topic, text, explanation, reference, difficulty, retired_at IS NOT NULL
			FROM questions WHERE bank_id = $1 ORDER BY seq`, bankID)
		q := quiz.Question{BankID: bankID}
		if _, err := pgx.ForEachRow(rows, []any{&q.ID, &q.Topic, &q.Text, &q.Explanation, &q.Reference,
			&q.Difficulty, &q.Retired}, func() error {
			index[q.ID] = len(out)
			out = append(out, q)
			return nil
		}); err != nil {
			return err
		}
		var qid int64
		var o quiz.Option
		rows, _ = tx.Query(ctx, `SELECT o.question_id, o.id, o.text, o.correct FROM options o
			JOIN questions q ON q.id = o.question_id WHERE q.bank_id = $1 ORDER BY q.seq, o.position`, bankID)
		_, err := pgx.ForEachRow(rows, []any{&qid, &o.ID, &o.Text, &o.Correct}, func() error {
			q := &out[index[qid]]
			q.Options = append(q.Options, o)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: questions of bank %d: %w", bankID, err)
	}
	return out, nil
}

// SetRetired retires a question (true) or puts it back in use (false).
func (db *DB) SetRetired(ctx context.Context, bankID, questionID int64, retired bool, at time.Time) error {
	var when *int64
	if retired {
		v := ms(at)
		when = &v
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE questions SET retired_at = $1 WHERE id = $2 AND bank_id = $3", when, questionID, bankID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return quiz.NotFound("question")
		}
		return bumpBankVersion(ctx, tx, bankID)
	})
	if err != nil {
		return fmt.Errorf("postgres: retire question %d: %w", questionID, err)
	}
	return nil
}

// ReplaceQuestion retires a question and adds its new version in one
// transaction. Attempts that drew the old version keep showing it as it
// was. Of two replacements of one question at once, the second waits for
// the first's row lock, then finds the question retired: not found, as in
// the SQLite store, whose writes take turns.
func (db *DB) ReplaceQuestion(ctx context.Context, bankID, questionID int64, q quiz.Question, at time.Time) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE questions SET retired_at = $1 WHERE id = $2 AND bank_id = $3 AND retired_at IS NULL",
			ms(at), questionID, bankID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return quiz.NotFound("question")
		}
		if err := bumpBankVersion(ctx, tx, bankID); err != nil {
			return err
		}
		if err := lockQuestionSeq(ctx, tx); err != nil {
			return err
		}
		id, err = insertQuestion(ctx, tx, bankID, q)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: replace question %d: %w", questionID, err)
	}
	return id, nil
}

// bumpBankVersion moves the bank's version after a change to its questions,
// so that pools drawn from it are read again.
func bumpBankVersion(ctx context.Context, tx pgx.Tx, bankID int64) error {
	_, err := tx.Exec(ctx, "UPDATE banks SET version = version + 1 WHERE id = $1", bankID)
	return err
}

// TopicCounts returns the number of questions in use per topic.
func (db *DB) TopicCounts(ctx context.Context, bankID int64) (map[string]int, error) {
	if _, err := db.BankVersion(ctx, bankID); err != nil {
		return nil, err
	}
	rows, _ := db.r.Query(ctx, `SELECT topic, count(*) FROM questions
		WHERE bank_id = $1 AND retired_at IS NULL GROUP BY topic`, bankID)
	out := map[string]int{}
	var topic string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&topic, &n}, func() error {
		out[topic] = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: topics of bank %d: %w", bankID, err)
	}
	return out, nil
}

// AddQuestions stores questions in a bank and returns their ids.
func (db *DB) AddQuestions(ctx context.Context, bankID int64, qs []quiz.Question) ([]int64, error) {
	ids := make([]int64, len(qs))
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE banks SET version = version + 1 WHERE id = $1", bankID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return quiz.NotFound("bank")
		}
		if err := lockQuestionSeq(ctx, tx); err != nil {
			return err
		}
		for i, q := range qs {
			if ids[i], err = insertQuestion(ctx, tx, bankID, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: add questions to bank %d: %w", bankID, err)
	}
	return ids, nil
}

// questionSeqLock is the advisory lock of the transactions that add
// questions. A question's seq is the largest so far plus one; two
// transactions adding questions at once, to any banks, would both take
// the same number and the second would fail on questions_seq. Under the
// lock they take turns, as every write does in the SQLite store.
const questionSeqLock = 0x686f69746869_01

// lockQuestionSeq takes questionSeqLock until tx ends. Taken after the
// bank's row is updated, as every adder does, so that two adders always
// take their locks in the same order.
func lockQuestionSeq(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(questionSeqLock))
	return err
}

// insertQuestion stores a question and its options with random ids (see
// ids.go); the question's seq, counted across all banks, keeps the order
// in which questions were added, which is the bank's order.
func insertQuestion(ctx context.Context, tx pgx.Tx, bankID int64, q quiz.Question) (int64, error) {
	id, err := insertWithNewID(func(id int64) (bool, error) {
		tag, err := tx.Exec(ctx, `INSERT INTO questions (id, seq, bank_id, topic, text, explanation, reference, difficulty, created_at)
			VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM questions), $2, $3, $4, $5, $6, $7, `+nowMs+`)
			ON CONFLICT (id) DO NOTHING`,
			id, bankID, q.Topic, q.Text, q.Explanation, q.Reference, q.Difficulty)
		return tag.RowsAffected() == 1, err
	})
	if err != nil {
		return 0, err
	}
	for pos, o := range q.Options {
		if _, err := insertWithNewID(func(optionID int64) (bool, error) {
			tag, err := tx.Exec(ctx, `INSERT INTO options (id, question_id, position, text, correct) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (id) DO NOTHING`, optionID, id, pos+1, o.Text, o.Correct)
			return tag.RowsAffected() == 1, err
		}); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// BankVersion returns the bank's version, which grows with every change to
// its questions.
func (db *DB) BankVersion(ctx context.Context, bankID int64) (int64, error) {
	var v int64
	err := db.r.QueryRow(ctx, "SELECT version FROM banks WHERE id = $1", bankID).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("postgres: bank %d: %w", bankID, notFound(err, "bank"))
	}
	return v, nil
}

// Pool returns the bank's questions in use, for drawing and scoring, read in
// one snapshot so that questions and version agree.
func (db *DB) Pool(ctx context.Context, bankID int64) (quiz.Pool, error) {
	p := quiz.Pool{BankID: bankID}
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT version FROM banks WHERE id = $1", bankID).Scan(&p.Version); err != nil {
			return notFound(err, "bank")
		}
		rows, _ := tx.Query(ctx, `SELECT q.id, q.seq, q.topic, q.text, q.explanation, q.reference, o.id, o.text, o.correct
			FROM questions q JOIN options o ON o.question_id = q.id
			WHERE q.bank_id = $1 AND q.retired_at IS NULL ORDER BY q.seq, o.position`, bankID)
		var q quiz.PoolQuestion
		var o quiz.Option
		_, err := pgx.ForEachRow(rows, []any{&q.ID, &q.Seq, &q.Topic, &q.Text, &q.Explanation, &q.Reference,
			&o.ID, &o.Text, &o.Correct}, func() error {
			if n := len(p.Questions); n == 0 || p.Questions[n-1].ID != q.ID {
				p.Questions = append(p.Questions, quiz.PoolQuestion{ID: q.ID, Seq: q.Seq, Topic: q.Topic, Text: q.Text,
					Explanation: q.Explanation, Reference: q.Reference})
			}
			last := &p.Questions[len(p.Questions)-1]
			last.Options = append(last.Options, o)
			last.OptionIDs = append(last.OptionIDs, o.ID)
			if o.Correct {
				last.Correct = append(last.Correct, o.ID)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return quiz.Pool{}, fmt.Errorf("postgres: pool of bank %d: %w", bankID, err)
	}
	for i := range p.Questions {
		slices.Sort(p.Questions[i].Correct)
	}
	return p, nil
}

// CreateContest stores a new, unpublished contest.
func (db *DB) CreateContest(ctx context.Context, c quiz.Contest, createdBy int64) (quiz.Contest, error) {
	var by *int64
	if createdBy != 0 {
		by = &createdBy
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO contests (slug, title, description, one_prize_per_person, rules,
			controller_name, controller_address, controller_contact, identity_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			c.Slug, c.Title, c.Description, c.OnePrizePerPerson, c.Rules, c.Controller.Name, c.Controller.Address,
			c.Controller.Contact, identityAt(c.IdentityAt), by, ms(c.CreatedAt)).Scan(&c.ID)
		if isUnique(err) {
			return &quiz.Error{Code: quiz.CodeSlugTaken, Message: "a contest with this slug exists",
				Fields: map[string]string{"slug": quiz.MsgSlugTaken}}
		}
		return err
	})
	if err != nil {
		return quiz.Contest{}, fmt.Errorf("postgres: create contest: %w", err)
	}
	return c, nil
}

// identityAt is the stored identity rule, the default when unset.
func identityAt(s string) string {
	if s == "" {
		return quiz.IdentityAtRegistration
	}
	return s
}

// PublishContest publishes a contest; publishing twice keeps the first time.
func (db *DB) PublishContest(ctx context.Context, id int64, at time.Time) error {
	err := db.changeContest(ctx, "UPDATE contests SET published_at = coalesce(published_at, $1) WHERE id = $2", ms(at), id)
	if err != nil {
		return fmt.Errorf("postgres: publish contest %d: %w", id, err)
	}
	return nil
}

// CreateRound stores a round with its topic quotas and prize tiers.
func (db *DB) CreateRound(ctx context.Context, r quiz.Round) (quiz.Round, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO rounds (contest_id, name, bank_id, opens_at, closes_at, duration_seconds,
			question_count, points_per_question, max_attempts, prediction_prompt, prediction_target, reveal,
			prize_cap_percent, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, `+nowMs+`) RETURNING id`,
			r.ContestID, r.Name, r.BankID, ms(r.OpensAt), ms(r.ClosesAt), r.DurationSeconds, r.QuestionCount,
			r.PointsPerQuestion, r.MaxAttempts, r.PredictionPrompt, r.PredictionTarget, r.Reveal, r.PrizeCapPercent).Scan(&r.ID)
		if err != nil {
			return err
		}
		return saveRoundParts(ctx, tx, r)
	})
	db.forgetRounds()
	if err != nil {
		return quiz.Round{}, fmt.Errorf("postgres: create round: %w", err)
	}
	return db.Round(ctx, r.ID)
}

// saveRoundParts stores a round's topic quotas and prize tiers in place of
// those it had.
func saveRoundParts(ctx context.Context, tx pgx.Tx, r quiz.Round) error {
	if _, err := tx.Exec(ctx, "DELETE FROM round_topic_quotas WHERE round_id = $1", r.ID); err != nil {
		return err
	}
	for topic, n := range r.TopicQuotas {
		if _, err := tx.Exec(ctx, "INSERT INTO round_topic_quotas (round_id, topic, count) VALUES ($1, $2, $3)",
			r.ID, topic, n); err != nil {
			return err
		}
	}
	if err := savePrizes(ctx, tx, "round_prizes", r.ID, r.Prizes); err != nil {
		return err
	}
	return savePrizes(ctx, tx, "round_unit_prizes", r.ID, r.UnitPrizes)
}

// savePrizes replaces a round's tiers in table (round_prizes or
// round_unit_prizes), in their order.
func savePrizes(ctx context.Context, tx pgx.Tx, table string, roundID int64, prizes []quiz.Prize) error {
	if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE round_id = $1", roundID); err != nil {
		return err
	}
	for i, p := range prizes {
		if _, err := tx.Exec(ctx, "INSERT INTO "+table+" (round_id, position, name, count) VALUES ($1, $2, $3, $4)",
			roundID, i+1, p.Name, p.Count); err != nil {
			return err
		}
	}
	return nil
}

// roundTTL is how long a round read is reused: every attempt start reads
// its round, thousands of times a second in a round's opening rush. This
// node's own changes clear the cache at once, another node's when their
// RoundChanged arrives (ForgetRounds), and within the TTL should it be
// lost.
const roundTTL = time.Second

type cachedRound struct {
	round quiz.Round
	at    time.Time
}

// Round returns one round with its contest's title and state.
func (db *DB) Round(ctx context.Context, id int64) (quiz.Round, error) {
	db.roundMu.Lock()
	c, ok := db.roundCache[id]
	db.roundMu.Unlock()
	if ok && time.Since(c.at) < roundTTL {
		return rows.CopyRound(c.round), nil
	}
	r, err := db.FreshRound(ctx, id)
	if err != nil {
		return quiz.Round{}, err
	}
	db.roundMu.Lock()
	db.roundCache[id] = cachedRound{r, time.Now()}
	db.roundMu.Unlock()
	return rows.CopyRound(r), nil
}

// FreshRound reads a round from the database, past the second for which
// Round reuses what it read.
func (db *DB) FreshRound(ctx context.Context, id int64) (quiz.Round, error) {
	rounds, err := db.rounds(ctx, "r.id = $1", id)
	if err != nil {
		return quiz.Round{}, err
	}
	if len(rounds) == 0 {
		return quiz.Round{}, fmt.Errorf("postgres: round %d: %w", id, quiz.NotFound("round"))
	}
	return rounds[0], nil
}

// ForgetRounds drops every round kept read, when another node changed
// one (quiz.RoundChanged), without waiting for roundTTL.
func (db *DB) ForgetRounds() { db.forgetRounds() }

// forgetRounds drops every cached round after a change to rounds or
// contests.
func (db *DB) forgetRounds() {
	db.roundMu.Lock()
	clear(db.roundCache)
	db.roundMu.Unlock()
}

// rounds loads the rounds matching where, ordered by opening time, with
// their quotas and prizes, in one snapshot.
func (db *DB) rounds(ctx context.Context, where string, args ...any) ([]quiz.Round, error) {
	var out []quiz.Round
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = roundsIn(ctx, tx, where, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: rounds: %w", err)
	}
	return out, nil
}

func roundRows(ctx context.Context, tx pgx.Tx, where string, args []any) ([]quiz.Round, error) {
	rows, _ := tx.Query(ctx, `SELECT r.id, r.contest_id, r.name, r.bank_id, r.opens_at, r.closes_at,
		r.duration_seconds, r.question_count, r.points_per_question, r.max_attempts, r.prediction_prompt,
		r.prediction_target, r.reveal, r.locked_at, coalesce(r.locked_by, 0), r.prize_cap_percent, r.actual,
		c.published_at IS NOT NULL, c.title, c.slug, c.one_prize_per_person,
		c.controller_name, c.controller_address, c.controller_contact, c.identity_at
		FROM rounds r JOIN contests c ON c.id = r.contest_id WHERE `+where+` ORDER BY r.opens_at, r.id`, args...)
	var out []quiz.Round
	var r quiz.Round
	var opens, closes int64
	var locked, actual *int64
	_, err := pgx.ForEachRow(rows, []any{&r.ID, &r.ContestID, &r.Name, &r.BankID, &opens, &closes, &r.DurationSeconds,
		&r.QuestionCount, &r.PointsPerQuestion, &r.MaxAttempts, &r.PredictionPrompt, &r.PredictionTarget,
		&r.Reveal, &locked, &r.LockedBy, &r.PrizeCapPercent, &actual,
		&r.ContestPublished, &r.ContestTitle, &r.ContestSlug, &r.ContestOnePrize, &r.ContestController.Name,
		&r.ContestController.Address, &r.ContestController.Contact, &r.ContestIdentityAt}, func() error {
		round := r
		round.Actual = intPtr(actual)
		round.OpensAt, round.ClosesAt, round.LockedAt = fromMs(opens), fromMs(closes), fromNullMs(locked)
		round.TopicQuotas = map[string]int{}
		out = append(out, round)
		return nil
	})
	return out, err
}

// roundParts reads the quotas and prize tiers of rounds into them.
func roundParts(ctx context.Context, tx pgx.Tx, rounds []quiz.Round) error {
	index := make(map[int64]*quiz.Round, len(rounds))
	ids := make([]int64, len(rounds))
	for i := range rounds {
		index[rounds[i].ID], ids[i] = &rounds[i], rounds[i].ID
	}
	var id int64
	var topic string
	var n int
	rows, _ := tx.Query(ctx, "SELECT round_id, topic, count FROM round_topic_quotas WHERE round_id = ANY ($1)", ids)
	if _, err := pgx.ForEachRow(rows, []any{&id, &topic, &n}, func() error {
		index[id].TopicQuotas[topic] = n
		return nil
	}); err != nil {
		return fmt.Errorf("round quotas: %w", err)
	}
	for _, table := range []string{"round_prizes", "round_unit_prizes"} {
		var p quiz.Prize
		rows, _ := tx.Query(ctx, "SELECT round_id, name, count FROM "+table+" WHERE round_id = ANY ($1) ORDER BY round_id, position", ids)
		if _, err := pgx.ForEachRow(rows, []any{&id, &p.Name, &p.Count}, func() error {
			if table == "round_prizes" {
				index[id].Prizes = append(index[id].Prizes, p)
			} else {
				index[id].UnitPrizes = append(index[id].UnitPrizes, p)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}
