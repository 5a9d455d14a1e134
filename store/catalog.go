package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"hoithi/quiz"
	"hoithi/store/internal/rows"
)

// Banks lists every bank with its count of questions in use.
func (db *DB) Banks(ctx context.Context) ([]quiz.Bank, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT b.id, b.name, b.description, b.created_at,
		(SELECT count(*) FROM questions q WHERE q.bank_id = b.id AND q.retired_at IS NULL)
		FROM banks b ORDER BY b.id`)
	if err != nil {
		return nil, fmt.Errorf("store: banks: %w", err)
	}
	defer rows.Close()
	var out []quiz.Bank
	for rows.Next() {
		var b quiz.Bank
		var created int64
		if err := rows.Scan(&b.ID, &b.Name, &b.Description, &created, &b.QuestionCount); err != nil {
			return nil, fmt.Errorf("store: banks: %w", err)
		}
		b.CreatedAt = fromMs(created)
		out = append(out, b)
	}
	return out, rows.Err()
}

// Bank returns one bank.
func (db *DB) Bank(ctx context.Context, id int64) (quiz.Bank, error) {
	b := quiz.Bank{ID: id}
	var created int64
	err := db.r.QueryRowContext(ctx, `SELECT name, description, created_at,
		(SELECT count(*) FROM questions q WHERE q.bank_id = b.id AND q.retired_at IS NULL)
		FROM banks b WHERE id = ?`, id).Scan(&b.Name, &b.Description, &created, &b.QuestionCount)
	if err != nil {
		return quiz.Bank{}, fmt.Errorf("store: bank %d: %w", id, notFound(err, "bank"))
	}
	b.CreatedAt = fromMs(created)
	return b, nil
}

// BankByName returns the bank with the given name.
func (db *DB) BankByName(ctx context.Context, name string) (quiz.Bank, error) {
	var id int64
	if err := db.r.QueryRowContext(ctx, "SELECT id FROM banks WHERE name = ?", name).Scan(&id); err != nil {
		return quiz.Bank{}, fmt.Errorf("store: bank %q: %w", name, notFound(err, "bank"))
	}
	return db.Bank(ctx, id)
}

// CreateBank stores a new, empty bank.
func (db *DB) CreateBank(ctx context.Context, b quiz.Bank) (quiz.Bank, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("INSERT INTO banks (name, description, created_at) VALUES (?, ?, ?)",
			b.Name, b.Description, ms(b.CreatedAt))
		if isUnique(err) {
			return &quiz.Error{Code: quiz.CodeBankNameTaken, Message: "a bank with this name exists",
				Fields: map[string]string{"name": quiz.MsgBankNameTaken}}
		}
		if err != nil {
			return err
		}
		b.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return quiz.Bank{}, fmt.Errorf("store: create bank: %w", err)
	}
	return b, nil
}

// Questions lists a bank's questions with their options, retired ones
// included and marked.
func (db *DB) Questions(ctx context.Context, bankID int64) ([]quiz.Question, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, topic, text, explanation, reference, difficulty, retired_at IS NOT NULL
		FROM questions WHERE bank_id = ? ORDER BY seq`, bankID)
	if err != nil {
		return nil, fmt.Errorf("store: questions of bank %d: %w", bankID, err)
	}
	defer rows.Close()
	var out []quiz.Question
	index := map[int64]int{}
	for rows.Next() {
		q := quiz.Question{BankID: bankID}
		if err := rows.Scan(&q.ID, &q.Topic, &q.Text, &q.Explanation, &q.Reference, &q.Difficulty, &q.Retired); err != nil {
			return nil, fmt.Errorf("store: questions of bank %d: %w", bankID, err)
		}
		index[q.ID] = len(out)
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: questions of bank %d: %w", bankID, err)
	}
	orows, err := db.r.QueryContext(ctx, `SELECT o.question_id, o.id, o.text, o.correct FROM options o
		JOIN questions q ON q.id = o.question_id WHERE q.bank_id = ? ORDER BY q.seq, o.position`, bankID)
	if err != nil {
		return nil, fmt.Errorf("store: options of bank %d: %w", bankID, err)
	}
	defer orows.Close()
	for orows.Next() {
		var qid int64
		var o quiz.Option
		if err := orows.Scan(&qid, &o.ID, &o.Text, &o.Correct); err != nil {
			return nil, fmt.Errorf("store: options of bank %d: %w", bankID, err)
		}
		q := &out[index[qid]]
		q.Options = append(q.Options, o)
	}
	return out, orows.Err()
}

// AddQuestions stores questions in a bank and returns their ids.
func (db *DB) AddQuestions(ctx context.Context, bankID int64, qs []quiz.Question) ([]int64, error) {
	ids := make([]int64, len(qs))
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("UPDATE banks SET version = version + 1 WHERE id = ?", bankID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return quiz.NotFound("bank")
		}
		ins, err := prepareQuestionInserts(tx)
		if err != nil {
			return err
		}
		defer ins.close()
		for i, q := range qs {
			if ids[i], err = ins.insert(bankID, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: add questions to bank %d: %w", bankID, err)
	}
	return ids, nil
}

// SetRetired retires a question (true) or puts it back in use (false).
func (db *DB) SetRetired(ctx context.Context, bankID, questionID int64, retired bool, at time.Time) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var when sql.NullInt64
		if retired {
			when = sql.NullInt64{Int64: ms(at), Valid: true}
		}
		res, err := tx.Exec("UPDATE questions SET retired_at = ? WHERE id = ? AND bank_id = ?", when, questionID, bankID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return quiz.NotFound("question")
		}
		_, err = tx.Exec("UPDATE banks SET version = version + 1 WHERE id = ?", bankID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: retire question %d: %w", questionID, err)
	}
	return nil
}

// ReplaceQuestion retires a question and adds its new version in one
// transaction. Attempts that drew the old version keep showing it as it was.
func (db *DB) ReplaceQuestion(ctx context.Context, bankID, questionID int64, q quiz.Question, at time.Time) (int64, error) {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("UPDATE questions SET retired_at = ? WHERE id = ? AND bank_id = ? AND retired_at IS NULL",
			ms(at), questionID, bankID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return quiz.NotFound("question")
		}
		if _, err := tx.Exec("UPDATE banks SET version = version + 1 WHERE id = ?", bankID); err != nil {
			return err
		}
		ins, err := prepareQuestionInserts(tx)
		if err != nil {
			return err
		}
		defer ins.close()
		id, err = ins.insert(bankID, q)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: replace question %d: %w", questionID, err)
	}
	return id, nil
}

// questionInserts are the statements that store a question and its
// options, prepared once for a whole import. Questions and options get
// random ids (see ids.go); a question's seq, counted across all banks, keeps
// the order in which questions were added, which is the bank's order.
type questionInserts struct {
	question, option *sql.Stmt
}

func prepareQuestionInserts(tx *sql.Tx) (questionInserts, error) {
	question, err := tx.Prepare(`INSERT INTO questions (id, seq, bank_id, topic, text, explanation, reference, difficulty, created_at)
		VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM questions), ?, ?, ?, ?, ?, ?, strftime('%s','now') * 1000)`)
	if err != nil {
		return questionInserts{}, err
	}
	option, err := tx.Prepare("INSERT INTO options (id, question_id, position, text, correct) VALUES (?, ?, ?, ?, ?)")
	if err != nil {
		question.Close()
		return questionInserts{}, err
	}
	return questionInserts{question, option}, nil
}

func (qi questionInserts) close() {
	qi.question.Close()
	qi.option.Close()
}

func (qi questionInserts) insert(bankID int64, q quiz.Question) (int64, error) {
	id, err := insertWithNewID(func(id int64) error {
		_, err := qi.question.Exec(id, bankID, q.Topic, q.Text, q.Explanation, q.Reference, q.Difficulty)
		return err
	})
	if err != nil {
		return 0, err
	}
	for pos, o := range q.Options {
		if _, err := insertWithNewID(func(optionID int64) error {
			_, err := qi.option.Exec(optionID, id, pos+1, o.Text, o.Correct)
			return err
		}); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// TopicCounts returns the number of questions in use per topic.
func (db *DB) TopicCounts(ctx context.Context, bankID int64) (map[string]int, error) {
	if _, err := db.BankVersion(ctx, bankID); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT topic, count(*) FROM questions
		WHERE bank_id = ? AND retired_at IS NULL GROUP BY topic`, bankID)
	if err != nil {
		return nil, fmt.Errorf("store: topics of bank %d: %w", bankID, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var topic string
		var n int
		if err := rows.Scan(&topic, &n); err != nil {
			return nil, fmt.Errorf("store: topics of bank %d: %w", bankID, err)
		}
		out[topic] = n
	}
	return out, rows.Err()
}

// BankVersion returns the bank's version, which grows with every change to
// its questions.
func (db *DB) BankVersion(ctx context.Context, bankID int64) (int64, error) {
	var v int64
	err := db.bankVersion.QueryRowContext(ctx, bankID).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: bank %d: %w", bankID, notFound(err, "bank"))
	}
	return v, nil
}

// Pool returns the bank's questions in use, for drawing and scoring, read in
// one transaction so that questions and version agree.
func (db *DB) Pool(ctx context.Context, bankID int64) (quiz.Pool, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return quiz.Pool{}, fmt.Errorf("store: pool of bank %d: %w", bankID, err)
	}
	defer tx.Rollback()
	p := quiz.Pool{BankID: bankID}
	if err := tx.QueryRowContext(ctx, "SELECT version FROM banks WHERE id = ?", bankID).Scan(&p.Version); err != nil {
		return quiz.Pool{}, fmt.Errorf("store: pool of bank %d: %w", bankID, notFound(err, "bank"))
	}
	rows, err := tx.QueryContext(ctx, `SELECT q.id, q.seq, q.topic, q.text, q.explanation, q.reference, o.id, o.text, o.correct
		FROM questions q JOIN options o ON o.question_id = q.id
		WHERE q.bank_id = ? AND q.retired_at IS NULL ORDER BY q.seq, o.position`, bankID)
	if err != nil {
		return quiz.Pool{}, fmt.Errorf("store: pool of bank %d: %w", bankID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var q quiz.PoolQuestion
		var o quiz.Option
		if err := rows.Scan(&q.ID, &q.Seq, &q.Topic, &q.Text, &q.Explanation, &q.Reference, &o.ID, &o.Text, &o.Correct); err != nil {
			return quiz.Pool{}, fmt.Errorf("store: pool of bank %d: %w", bankID, err)
		}
		if n := len(p.Questions); n == 0 || p.Questions[n-1].ID != q.ID {
			p.Questions = append(p.Questions, q)
		}
		last := &p.Questions[len(p.Questions)-1]
		last.Options = append(last.Options, o)
		last.OptionIDs = append(last.OptionIDs, o.ID)
		if o.Correct {
			last.Correct = append(last.Correct, o.ID)
		}
	}
	for i := range p.Questions {
		slices.Sort(p.Questions[i].Correct)
	}
	return p, rows.Err()
}

// CreateContest stores a new, unpublished contest.
func (db *DB) CreateContest(ctx context.Context, c quiz.Contest, createdBy int64) (quiz.Contest, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT INTO contests (slug, title, description, one_prize_per_person, rules,
			controller_name, controller_address, controller_contact, identity_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Slug, c.Title, c.Description, c.OnePrizePerPerson, c.Rules, c.Controller.Name, c.Controller.Address,
			c.Controller.Contact, identityAt(c.IdentityAt), sql.NullInt64{Int64: createdBy, Valid: createdBy != 0}, ms(c.CreatedAt))
		if isUnique(err) {
			return &quiz.Error{Code: quiz.CodeSlugTaken, Message: "a contest with this slug exists",
				Fields: map[string]string{"slug": quiz.MsgSlugTaken}}
		}
		if err != nil {
			return err
		}
		c.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return quiz.Contest{}, fmt.Errorf("store: create contest: %w", err)
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

// UpdateContest stores a contest's settings.
func (db *DB) UpdateContest(ctx context.Context, c quiz.Contest) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE contests SET title = ?, description = ?, one_prize_per_person = ?, rules = ?,
			controller_name = ?, controller_address = ?, controller_contact = ?, identity_at = ? WHERE id = ?`,
			c.Title, c.Description, c.OnePrizePerPerson, c.Rules, c.Controller.Name, c.Controller.Address,
			c.Controller.Contact, identityAt(c.IdentityAt), c.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return quiz.NotFound("contest")
		}
		return nil
	})
	db.forgetRounds()
	if err != nil {
		return fmt.Errorf("store: update contest %d: %w", c.ID, err)
	}
	return nil
}

// UnpublishContest hides a contest from the public again.
func (db *DB) UnpublishContest(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("UPDATE contests SET published_at = NULL WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return quiz.NotFound("contest")
		}
		return nil
	})
	db.forgetRounds()
	if err != nil {
		return fmt.Errorf("store: unpublish contest %d: %w", id, err)
	}
	return nil
}

// PublishContest publishes a contest; publishing twice keeps the first time.
func (db *DB) PublishContest(ctx context.Context, id int64, at time.Time) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("UPDATE contests SET published_at = coalesce(published_at, ?) WHERE id = ?", ms(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return quiz.NotFound("contest")
		}
		return nil
	})
	db.forgetRounds()
	if err != nil {
		return fmt.Errorf("store: publish contest %d: %w", id, err)
	}
	return nil
}

const contestColumns = `id, slug, title, description, published_at, created_at, one_prize_per_person, rules,
	controller_name, controller_address, controller_contact, identity_at`

func scanContest(row interface{ Scan(...any) error }) (quiz.Contest, error) {
	var c quiz.Contest
	var published sql.NullInt64
	var created int64
	if err := row.Scan(&c.ID, &c.Slug, &c.Title, &c.Description, &published, &created, &c.OnePrizePerPerson, &c.Rules,
		&c.Controller.Name, &c.Controller.Address, &c.Controller.Contact, &c.IdentityAt); err != nil {
		return quiz.Contest{}, err
	}
	c.PublishedAt = fromNullMs(published)
	c.CreatedAt = fromMs(created)
	return c, nil
}

// Contest returns a contest with its rounds.
func (db *DB) Contest(ctx context.Context, id int64) (quiz.Contest, error) {
	return db.contestWhere(ctx, "id = ?", id)
}

// ContestBySlug returns a contest with its rounds.
func (db *DB) ContestBySlug(ctx context.Context, slug string) (quiz.Contest, error) {
	return db.contestWhere(ctx, "slug = ?", slug)
}

func (db *DB) contestWhere(ctx context.Context, where string, arg any) (quiz.Contest, error) {
	c, err := scanContest(db.r.QueryRowContext(ctx, "SELECT "+contestColumns+" FROM contests WHERE "+where, arg))
	if err != nil {
		return quiz.Contest{}, fmt.Errorf("store: contest %v: %w", arg, notFound(err, "contest"))
	}
	if c.Rounds, err = db.rounds(ctx, "r.contest_id = ?", c.ID); err != nil {
		return quiz.Contest{}, err
	}
	return c, nil
}

// Contests lists contests, newest first, each with its rounds.
func (db *DB) Contests(ctx context.Context, publishedOnly bool) ([]quiz.Contest, error) {
	query := "SELECT " + contestColumns + " FROM contests"
	if publishedOnly {
		query += " WHERE published_at IS NOT NULL"
	}
	rows, err := db.r.QueryContext(ctx, query+" ORDER BY created_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("store: contests: %w", err)
	}
	defer rows.Close()
	var out []quiz.Contest
	for rows.Next() {
		c, err := scanContest(rows)
		if err != nil {
			return nil, fmt.Errorf("store: contests: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: contests: %w", err)
	}
	rounds, err := db.rounds(ctx, "1 = 1")
	if err != nil {
		return nil, err
	}
	for i := range out {
		for _, r := range rounds {
			if r.ContestID == out[i].ID {
				out[i].Rounds = append(out[i].Rounds, r)
			}
		}
	}
	return out, nil
}

// CreateRound stores a round with its topic quotas and prize tiers.
func (db *DB) CreateRound(ctx context.Context, r quiz.Round) (quiz.Round, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT INTO rounds (contest_id, name, bank_id, opens_at, closes_at, duration_seconds,
			question_count, points_per_question, max_attempts, prediction_prompt, prediction_target, reveal,
			prize_cap_percent, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%s','now') * 1000)`,
			r.ContestID, r.Name, r.BankID, ms(r.OpensAt), ms(r.ClosesAt), r.DurationSeconds, r.QuestionCount,
			r.PointsPerQuestion, r.MaxAttempts, r.PredictionPrompt, r.PredictionTarget, r.Reveal, r.PrizeCapPercent)
		if err != nil {
			return err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return saveRoundParts(tx, r)
	})
	db.forgetRounds()
	if err != nil {
		return quiz.Round{}, fmt.Errorf("store: create round: %w", err)
	}
	return db.Round(ctx, r.ID)
}

// saveRoundParts stores a round's topic quotas and prize tiers in place of
// those it had.
func saveRoundParts(tx *sql.Tx, r quiz.Round) error {
	if _, err := tx.Exec("DELETE FROM round_topic_quotas WHERE round_id = ?", r.ID); err != nil {
		return err
	}
	for topic, n := range r.TopicQuotas {
		if _, err := tx.Exec("INSERT INTO round_topic_quotas (round_id, topic, count) VALUES (?, ?, ?)", r.ID, topic, n); err != nil {
			return err
		}
	}
	if err := savePrizes(tx, "round_prizes", r.ID, r.Prizes); err != nil {
		return err
	}
	return savePrizes(tx, "round_unit_prizes", r.ID, r.UnitPrizes)
}

// savePrizes replaces a round's tiers in table (round_prizes or
// round_unit_prizes), in their order.
func savePrizes(tx *sql.Tx, table string, roundID int64, prizes []quiz.Prize) error {
	if _, err := tx.Exec("DELETE FROM "+table+" WHERE round_id = ?", roundID); err != nil {
		return err
	}
	for i, p := range prizes {
		if _, err := tx.Exec("INSERT INTO "+table+" (round_id, position, name, count) VALUES (?, ?, ?, ?)", roundID, i+1, p.Name, p.Count); err != nil {
			return err
		}
	}
	return nil
}

// UpdateRound stores a round's new fields, unless it has been locked.
func (db *DB) UpdateRound(ctx context.Context, r quiz.Round) (quiz.Round, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE rounds SET name = ?, bank_id = ?, opens_at = ?, closes_at = ?, duration_seconds = ?,
			question_count = ?, points_per_question = ?, max_attempts = ?, prediction_prompt = ?, prediction_target = ?, reveal = ?,
			prize_cap_percent = ?
			WHERE id = ? AND locked_at IS NULL`,
			r.Name, r.BankID, ms(r.OpensAt), ms(r.ClosesAt), r.DurationSeconds, r.QuestionCount, r.PointsPerQuestion,
			r.MaxAttempts, r.PredictionPrompt, r.PredictionTarget, r.Reveal, r.PrizeCapPercent, r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return quiz.Errorf(quiz.CodeRoundLocked, "round %d is locked or gone", r.ID)
		}
		return saveRoundParts(tx, r)
	})
	db.forgetRounds()
	if err != nil {
		return quiz.Round{}, fmt.Errorf("store: update round %d: %w", r.ID, err)
	}
	return db.Round(ctx, r.ID)
}

// roundTTL is how long a round read is reused. Every attempt start and
// every page about a round reads its round; in a round's opening rush that
// is thousands of reads of one row a second. This process's own changes
// clear the cache at once; another process's show within the TTL.
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
	rounds, err := db.rounds(ctx, "r.id = ?", id)
	if err != nil {
		return quiz.Round{}, err
	}
	if len(rounds) == 0 {
		return quiz.Round{}, fmt.Errorf("store: round %d: %w", id, quiz.NotFound("round"))
	}
	db.roundMu.Lock()
	db.roundCache[id] = cachedRound{rounds[0], time.Now()}
	db.roundMu.Unlock()
	return rows.CopyRound(rounds[0]), nil
}

// ForgetRounds drops every round kept read, when a change made elsewhere
// (quiz.RoundChanged) may have made one out of date.
func (db *DB) ForgetRounds() { db.forgetRounds() }

// forgetRounds drops every cached round after a change to rounds or
// contests.
func (db *DB) forgetRounds() {
	db.roundMu.Lock()
	clear(db.roundCache)
	db.roundMu.Unlock()
}

// rounds loads the rounds matching where, ordered by opening time.
func (db *DB) rounds(ctx context.Context, where string, args ...any) ([]quiz.Round, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT r.id, r.contest_id, r.name, r.bank_id, r.opens_at, r.closes_at,
		r.duration_seconds, r.question_count, r.points_per_question, r.max_attempts, r.prediction_prompt,
		r.prediction_target, r.reveal, r.locked_at, coalesce(r.locked_by, 0), r.prize_cap_percent, r.actual,
		c.published_at IS NOT NULL, c.title, c.slug, c.one_prize_per_person,
		c.controller_name, c.controller_address, c.controller_contact, c.identity_at
		FROM rounds r JOIN contests c ON c.id = r.contest_id WHERE `+where+` ORDER BY r.opens_at, r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: rounds: %w", err)
	}
	defer rows.Close()
	var out []quiz.Round
	var ids []any
	for rows.Next() {
		var r quiz.Round
		var opens, closes int64
		var locked, actual sql.NullInt64
		if err := rows.Scan(&r.ID, &r.ContestID, &r.Name, &r.BankID, &opens, &closes, &r.DurationSeconds,
			&r.QuestionCount, &r.PointsPerQuestion, &r.MaxAttempts, &r.PredictionPrompt, &r.PredictionTarget,
			&r.Reveal, &locked, &r.LockedBy, &r.PrizeCapPercent, &actual,
			&r.ContestPublished, &r.ContestTitle, &r.ContestSlug, &r.ContestOnePrize, &r.ContestController.Name,
			&r.ContestController.Address, &r.ContestController.Contact, &r.ContestIdentityAt); err != nil {
			return nil, fmt.Errorf("store: rounds: %w", err)
		}
		if actual.Valid {
			n := int(actual.Int64)
			r.Actual = &n
		}
		r.OpensAt, r.ClosesAt, r.LockedAt = fromMs(opens), fromMs(closes), fromNullMs(locked)
		r.TopicQuotas = map[string]int{}
		out = append(out, r)
		ids = append(ids, r.ID)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	index := make(map[int64]*quiz.Round, len(out))
	for i := range out {
		index[out[i].ID] = &out[i]
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
	qrows, err := db.r.QueryContext(ctx, "SELECT round_id, topic, count FROM round_topic_quotas WHERE round_id IN "+in, ids...)
	if err != nil {
		return nil, fmt.Errorf("store: round quotas: %w", err)
	}
	defer qrows.Close()
	for qrows.Next() {
		var id int64
		var topic string
		var n int
		if err := qrows.Scan(&id, &topic, &n); err != nil {
			return nil, fmt.Errorf("store: round quotas: %w", err)
		}
		index[id].TopicQuotas[topic] = n
	}
	if err := qrows.Err(); err != nil {
		return nil, err
	}
	if err := db.loadPrizes(ctx, "round_prizes", in, ids, func(id int64, p quiz.Prize) {
		index[id].Prizes = append(index[id].Prizes, p)
	}); err != nil {
		return nil, err
	}
	if err := db.loadPrizes(ctx, "round_unit_prizes", in, ids, func(id int64, p quiz.Prize) {
		index[id].UnitPrizes = append(index[id].UnitPrizes, p)
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// loadPrizes reads the tiers in table (round_prizes or round_unit_prizes)
// of the rounds ids, in their order, handing each to add.
func (db *DB) loadPrizes(ctx context.Context, table, in string, ids []any, add func(roundID int64, p quiz.Prize)) error {
	rows, err := db.r.QueryContext(ctx, "SELECT round_id, name, count FROM "+table+" WHERE round_id IN "+in+" ORDER BY round_id, position", ids...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p quiz.Prize
		if err := rows.Scan(&id, &p.Name, &p.Count); err != nil {
			return fmt.Errorf("store: %s: %w", table, err)
		}
		add(id, p)
	}
	return rows.Err()
}
