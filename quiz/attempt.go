package quiz

import (
	"context"
	"crypto/rand"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Attempt is one timed try at a round by one contestant.
type Attempt struct {
	ID            int64
	RoundID       int64
	UserID        int64
	Number        int // 1 for the contestant's first attempt in the round
	Seed          Seed
	StartedAt     time.Time
	Deadline      time.Time
	SubmittedAt   *time.Time
	AutoSubmitted bool
	Score         int
	Correct       int
	Total         int
	Prediction    *int
}

// Submitted reports whether the attempt is over.
func (a Attempt) Submitted() bool { return a.SubmittedAt != nil }

// Answer is a contestant's current choice for one question of an attempt.
type Answer struct {
	AttemptID  int64
	QuestionID int64
	OptionIDs  []int64 // sorted; empty clears the choice
	Correct    bool
	AnsweredAt time.Time
}

// AttemptQuestion is a question as one attempt shows it: options in this
// attempt's order. Correct, Explanation and Reference are for scoring and
// for review once the round's reveal policy allows; they never reach a
// contestant while the attempt runs.
type AttemptQuestion struct {
	ID          int64
	Topic       string
	Text        string
	Multiple    bool // several options are correct
	Options     []Option
	Explanation string
	Reference   string
}

// AttemptDetail is an attempt with its questions and current answers.
type AttemptDetail struct {
	Attempt   Attempt
	Questions []AttemptQuestion
	Answers   map[int64][]int64 // by question id
}

// NewAttempt is what the store needs to start an attempt.
type NewAttempt struct {
	RoundID     int64
	UserID      int64
	Seed        Seed
	StartedAt   time.Time
	Deadline    time.Time
	Questions   []DrawnQuestion
	MaxAttempts int // 0: no limit
}

// Submission ends an attempt.
type Submission struct {
	AttemptID   int64
	SubmittedAt time.Time
	Prediction  *int
	Auto        bool
	Points      int // per correct answer
}

// PlayStore is what the Engine needs from storage.
type PlayStore interface {
	Round(ctx context.Context, id int64) (Round, error)
	BankVersion(ctx context.Context, bankID int64) (int64, error)
	Pool(ctx context.Context, bankID int64) (Pool, error)
	// StartAttempt returns the contestant's unsubmitted attempt in the round
	// whose deadline is after a.StartedAt (created false), or else creates a
	// new one unless MaxAttempts are used up.
	StartAttempt(ctx context.Context, a NewAttempt) (attempt Attempt, created bool, err error)
	Attempt(ctx context.Context, id int64) (Attempt, error)
	AttemptDetail(ctx context.Context, id int64) (AttemptDetail, error)
	// SaveAnswer stores an answer durably before it returns; it fails with
	// CodeAlreadySubmitted once the attempt is submitted.
	SaveAnswer(ctx context.Context, a Answer) error
	// SubmitAttempt scores the attempt from its stored answers and ends it;
	// it fails with CodeAlreadySubmitted when it has ended already, and an
	// automatic submission (Auto) fails with CodeNotDue while the stored
	// deadline is after its SubmittedAt.
	SubmitAttempt(ctx context.Context, s Submission) (Result, error)
	// ShowAttempt records that the attempt's questions were first shown at
	// shownAt and moves its start and deadline to startedAt and deadline,
	// unless its questions were shown before or it has ended; it returns
	// the attempt as stored after.
	ShowAttempt(ctx context.Context, attemptID int64, shownAt, startedAt, deadline time.Time) (Attempt, error)
	Answers(ctx context.Context, attemptID int64) (map[int64][]int64, error)
	UnsubmittedAttempts(ctx context.Context) ([]Attempt, error)
	// DueAttempts lists at most limit attempts not submitted whose
	// deadline is at or before before, soonest first.
	DueAttempts(ctx context.Context, before time.Time, limit int) ([]Attempt, error)
	UserAttempts(ctx context.Context, userID, roundID int64) ([]Attempt, error)
	RoundResults(ctx context.Context, roundID int64) ([]Result, error)
}

// Outcome is what a contestant learns when an attempt ends.
type Outcome struct {
	AttemptID  int64 `json:"attempt_id"`
	RoundID    int64 `json:"round_id"`
	UserID     int64 `json:"user_id"`
	Score      int   `json:"score"`
	Correct    int   `json:"correct"`
	Total      int   `json:"total"`
	DurationMs int64 `json:"duration_ms"`
	Rank       int   `json:"rank,omitempty"` // 0 while the round's prediction keeps a rank beyond the public top secret
	Auto       bool  `json:"auto,omitempty"`
}

// Limits on a prediction.
const maxPrediction = 1_000_000_000

// More error codes of the attempt protocol.
const CodeInvalidPrediction = "invalid_prediction"

// EngineConfig sets up an Engine.
type EngineConfig struct {
	Store PlayStore
	// Clock is the time attempts run on: every deadline is read from it,
	// and the submits at the deadline, the closing of a round's board and
	// the sweep of idle boards wait on it. Nil is the real clock.
	Clock Clock
	// Grace is how long after its deadline an attempt still takes answers,
	// for messages that were on the network at the deadline. The server
	// submits the attempt itself when the grace is over.
	Grace time.Duration
	// OnAutoSubmit is told of every attempt the server submits by itself.
	OnAutoSubmit func(Outcome)
	// Notifier carries the submissions that move a board to those who
	// follow boards, and the changes that make a board out of date (a
	// round edited, an account changed or deleted) to the engine, which
	// then builds the board again. Nil: nobody follows, and the engine
	// hears of nothing.
	Notifier Notifier
	// Shared says that other nodes write to the same database: a
	// contestant's answers may reach any of them, so a socket's state reads
	// them from the store rather than from what this engine saw.
	Shared bool
	Log    *slog.Logger
}

// Engine runs attempts: it draws questions, checks and stores answers,
// submits attempts at their deadline even when nobody is connected, and keeps
// each round's leaderboard in memory.
type Engine struct {
	store        PlayStore
	clock        Clock
	grace        time.Duration
	onAutoSubmit func(Outcome)
	notifier     Notifier
	shared       bool
	log          *slog.Logger

	mu      sync.Mutex
	live    map[int64]*liveAttempt
	pools   map[int64]*Pool
	boards  map[int64]*roundBoard
	stopped bool
	pending sync.WaitGroup  // auto-submits under way
	sweeper Timer           // the next sweep of idle boards
	rates   map[int64]*rate // answers per second, by round

	finished finishedAttempts // submitted here lately, for their result pages
}

// liveAttempt is an attempt that has not been submitted yet.
type liveAttempt struct {
	id, roundID, userID int64
	timer               Timer // the submit at the end of the grace

	// clock guards the attempt's start and deadline, which move once when
	// its questions are first shown (show).
	clock   sync.Mutex
	attempt Attempt
	// showing is held while the first showing is stored; shown is set
	// once it is.
	showing sync.Mutex
	shown   bool
	// announce is held from an automatic submission's commit until it is
	// announced (onAutoSubmit), and by Attach.
	announce sync.Mutex

	// What the attempt shows and how it scores, kept from its start or,
	// after a restart, loaded on first use.
	mu               sync.Mutex
	questions        []AttemptQuestion // in the attempt's order, with each option's Correct
	points           int
	predictionPrompt string

	// answers are the attempt's stored answers by question, kept as each
	// commits so that a socket's state needs no read; nil until read
	// after a restart. answerMu is held from an answer's store to its
	// entry here, so the two agree in the order the store took them.
	answerMu sync.Mutex
	answers  map[int64][]int64
}

// rules is what scoring and the state message need of the attempt's round.
type rules struct {
	points           int
	predictionPrompt string
}

type roundBoard struct {
	ready chan struct{}
	board *Board
	err   error
	timer Timer        // the board's Finalize at the round's close
	used  atomic.Int64 // unix nanoseconds of the last Board call
}

// Boards of closed rounds nobody has looked at for boardIdle are dropped
// from memory (and rebuilt from the store if asked for again), so that a
// server running contests week after week does not keep every round ever
// ranked.
const (
	boardIdle  = 30 * time.Minute
	sweepEvery = 5 * time.Minute
)

// NewEngine returns an engine; call Start before use.
func NewEngine(cfg EngineConfig) *Engine {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.OnAutoSubmit == nil {
		cfg.OnAutoSubmit = func(Outcome) {}
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	e := &Engine{
		store: cfg.Store, clock: cfg.Clock, grace: cfg.Grace, onAutoSubmit: cfg.OnAutoSubmit,
		notifier: cfg.Notifier, shared: cfg.Shared, log: cfg.Log,
		live: map[int64]*liveAttempt{}, pools: map[int64]*Pool{}, boards: map[int64]*roundBoard{},
		rates: map[int64]*rate{},
	}
	if cfg.Notifier != nil {
		cfg.Notifier.Subscribe(e.hear)
	}
	return e
}

// now is the engine's clock's time.
func (e *Engine) now() time.Time { return e.clock.Now() }

// Grace returns how long after its deadline an attempt still takes answers.
func (e *Engine) Grace() time.Duration { return e.grace }

// Start picks up the attempts that were running when the server stopped:
// those whose deadline and grace have passed are submitted before Start
// returns (so before the server takes connections: a contestant who
// reconnects finds the attempt submitted, its state first and its result
// after), the others get their timer back.
func (e *Engine) Start(ctx context.Context) error {
	open, err := e.store.UnsubmittedAttempts(ctx)
	if err != nil {
		return err
	}
	now := e.now()
	var due []*liveAttempt
	for _, a := range open {
		if a.Deadline.Add(e.grace).After(now) {
			e.track(a, nil, rules{})
		} else {
			due = append(due, e.trackUnarmed(a))
		}
	}
	e.submitNow(due)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sweeper == nil {
		e.scheduleSweep()
	}
	return nil
}

// SubmitDue submits the attempts whose deadline and grace have passed and
// that no timer of this engine keeps: in a cluster, those of a node that
// died with them, whose contestants did not come back to another node.
// Whichever node gets there first submits an attempt (the store lets one
// submission through), at its deadline, and its socket hears the result
// wherever it is. The engine runs it with its sweep of boards.
func (e *Engine) SubmitDue() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	due, err := e.store.DueAttempts(ctx, e.now().Add(-e.grace), dueBatch)
	if err != nil {
		e.log.Warn("deadlines: due attempts", "err", err)
		return
	}
	var orphans []*liveAttempt
	for _, a := range due {
		if _, kept := e.liveAttempt(a.ID); !kept {
			orphans = append(orphans, e.trackUnarmed(a))
		}
	}
	e.submitNow(orphans)
}

// dueBatch is how many overdue attempts one sweep submits at most.
const dueBatch = 10_000

// submitNow submits attempts whose grace has passed, many at once, so
// that the writer commits them in batches.
func (e *Engine) submitNow(due []*liveAttempt) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for _, la := range due {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			e.autoSubmit(la)
		}()
	}
	wg.Wait()
}

// noTimer is the timer of an attempt submitted by Start itself.
type noTimer struct{}

func (noTimer) Stop() bool { return false }

// trackUnarmed registers an unsubmitted attempt without a timer: Start
// submits it at once.
func (e *Engine) trackUnarmed(a Attempt) *liveAttempt {
	e.mu.Lock()
	defer e.mu.Unlock()
	la := &liveAttempt{attempt: a, id: a.ID, roundID: a.RoundID, userID: a.UserID, timer: noTimer{}}
	e.live[a.ID] = la
	return la
}

// scheduleSweep sets the next SweepBoards sweepEvery from now on the
// engine's clock, each sweep setting the one after it: idleness is the
// clock's time, so a clock that is moved forward sweeps as the hours it
// passes would. The caller holds e.mu.
func (e *Engine) scheduleSweep() {
	if e.stopped {
		return
	}
	e.sweeper = e.clock.AfterFunc(sweepEvery, func() {
		e.SweepBoards()
		e.SubmitDue()
		e.mu.Lock()
		defer e.mu.Unlock()
		e.scheduleSweep()
	})
}

// SweepBoards forgets the boards of closed rounds that have not been asked
// for in boardIdle. The engine runs it every few minutes.
func (e *Engine) SweepBoards() {
	idleSince := e.now().Add(-boardIdle).UnixNano()
	e.mu.Lock()
	defer e.mu.Unlock()
	for id, rb := range e.boards {
		select {
		case <-rb.ready:
		default:
			continue // still loading
		}
		if rb.board != nil && rb.board.Closed() && rb.used.Load() < idleSince {
			delete(e.boards, id)
		}
	}
}

// Stop cancels every timer and waits for the auto-submits under way. The
// attempts stay unsubmitted in the store; the next Start takes them up.
func (e *Engine) Stop() {
	e.mu.Lock()
	if e.sweeper != nil {
		e.sweeper.Stop()
	}
	e.stopped = true
	for _, la := range e.live {
		la.timer.Stop()
	}
	for _, rb := range e.boards {
		if rb.timer != nil {
			rb.timer.Stop()
		}
	}
	e.mu.Unlock()
	e.pending.Wait()
}

// track registers an unsubmitted attempt and sets its timer for the end of
// its grace. questions are given at the start, when nothing is answered
// yet; nil after a restart, they and the answers are read on first use.
func (e *Engine) track(a Attempt, questions []AttemptQuestion, r rules) *liveAttempt {
	e.mu.Lock()
	defer e.mu.Unlock()
	if la, ok := e.live[a.ID]; ok {
		return la
	}
	la := &liveAttempt{attempt: a, id: a.ID, roundID: a.RoundID, userID: a.UserID}
	if questions != nil { // just started: nothing answered yet
		la.setQuestions(questions, r)
		la.answers = map[int64][]int64{}
	}
	wait := a.Deadline.Add(e.grace).Sub(e.now())
	la.timer = e.clock.AfterFunc(max(wait, 0), func() { e.autoSubmit(la) })
	if e.stopped {
		la.timer.Stop()
	}
	e.live[a.ID] = la
	return la
}

// end returns the attempt's deadline.
func (la *liveAttempt) end() time.Time {
	la.clock.Lock()
	defer la.clock.Unlock()
	return la.attempt.Deadline
}

// current returns the attempt as it stands, with its start and deadline.
func (la *liveAttempt) current() Attempt {
	la.clock.Lock()
	defer la.clock.Unlock()
	return la.attempt
}

// ShowQuestions starts the clock of a contestant's running attempt whose
// questions they are about to read other than through its socket (the
// attempt read through the API), as its socket's first state does. It
// does nothing for an attempt that is not theirs or not running.
func (e *Engine) ShowQuestions(ctx context.Context, userID, attemptID int64) error {
	if la, ok := e.liveAttempt(attemptID); ok {
		if la.userID != userID {
			return nil // Review says why
		}
		return e.show(ctx, la)
	}
	a, err := e.store.Attempt(ctx, attemptID)
	if err != nil || a.UserID != userID || a.Submitted() {
		return nil // Review says why, if it must
	}
	return e.show(ctx, e.track(a, nil, rules{}))
}

// maxStartWait is how much later than its start an attempt's clock may
// begin: the time its contestant waited for the questions in a round's
// opening rush, or on a slow network, does not count against them, but
// one who starts and looks at the questions only much later has used the
// rest.
const maxStartWait = time.Minute

// show starts the attempt's clock when its contestant first sees its
// questions (its socket's first state, or the attempt read through the
// API): its start and deadline move later by the time since the start was
// taken up, at most maxStartWait, and never past the round's close. The
// start is taken up before the attempt is stored and answered, and the
// questions reach the contestant only after: in a rush of thousands that
// wait is seconds, which the working time that ranks them would otherwise
// count. It is stored before the questions are sent, and happens once:
// later showings, on this node or another, find it done.
func (e *Engine) show(ctx context.Context, la *liveAttempt) error {
	la.showing.Lock()
	defer la.showing.Unlock()
	if la.shown {
		return nil
	}
	a := la.current()
	if a.Submitted() {
		return nil
	}
	stored, err := e.showStored(ctx, a)
	if err != nil {
		return err
	}
	la.setWindow(stored)
	la.shown = true
	return nil
}

// showStored stores the first showing of a running attempt's questions
// now, as show describes, and returns the attempt as stored after; one
// whose first deadline and grace have passed (or end now) is left as it
// is.
func (e *Engine) showStored(ctx context.Context, a Attempt) (Attempt, error) {
	now := e.now()
	if !now.Before(a.Deadline.Add(e.grace)) {
		// Not shown by the deadline its start gave: it is over, as its
		// timer has it, wherever that runs; the timer fires at the
		// grace's last instant, so that instant is over too.
		return a, nil
	}
	r, err := e.store.Round(ctx, a.RoundID)
	if err != nil {
		return Attempt{}, err
	}
	begin := now
	if limit := a.StartedAt.Add(maxStartWait); begin.After(limit) {
		begin = limit
	}
	if begin.Before(a.StartedAt) {
		begin = a.StartedAt
	}
	end := begin.Add(r.Duration())
	if end.After(r.ClosesAt) {
		end = r.ClosesAt
	}
	if end.Before(a.Deadline) {
		end = a.Deadline
	}
	return e.store.ShowAttempt(ctx, a.ID, now, begin, end)
}

// setWindow takes the attempt's start and deadline as stored. A timer set
// for the deadline before finds it moved when it fires, and waits again
// (autoSubmit).
func (la *liveAttempt) setWindow(a Attempt) {
	la.clock.Lock()
	defer la.clock.Unlock()
	la.attempt.StartedAt, la.attempt.Deadline = a.StartedAt, a.Deadline
}

// rearm sets the attempt's timer for the end of its grace, as it stands.
func (e *Engine) rearm(la *liveAttempt) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped || e.live[la.id] != la {
		return
	}
	la.timer = e.clock.AfterFunc(max(la.end().Add(e.grace).Sub(e.now()), 0), func() { e.autoSubmit(la) })
}

func (e *Engine) untrack(la *liveAttempt) {
	e.mu.Lock()
	defer e.mu.Unlock()
	la.timer.Stop()
	delete(e.live, la.id)
}

// StartAttempt starts a new attempt at a round, or returns the contestant's
// attempt that is still running (created false).
func (e *Engine) StartAttempt(ctx context.Context, userID, roundID int64) (Attempt, bool, error) {
	r, err := e.store.Round(ctx, roundID)
	if err != nil {
		return Attempt{}, false, err
	}
	if !r.ContestPublished {
		return Attempt{}, false, NotFound("round")
	}
	now := e.now()
	if r.Status(now) != StatusOpen {
		return Attempt{}, false, Errorf(CodeRoundNotOpen, "the round is %s", r.Status(now))
	}
	// The store resumes a running attempt and refuses one past the round's
	// attempts in the transaction that would insert it; the draw before it
	// is done in memory, and thrown away then.
	pool, err := e.pool(ctx, r.BankID)
	if err != nil {
		return Attempt{}, false, err
	}
	var seed Seed
	_, _ = rand.Read(seed[:]) // crypto/rand.Read never fails
	drawn, err := Draw(pool.Questions, r.QuestionCount, r.TopicQuotas, seed)
	if err != nil {
		// A bank cut below the round's count since an attempt began still
		// lets that attempt resume.
		if a, ok := e.runningAttempt(ctx, userID, roundID, now); ok {
			return a, false, nil
		}
		return Attempt{}, false, err
	}
	deadline := now.Add(r.Duration())
	if deadline.After(r.ClosesAt) {
		deadline = r.ClosesAt
	}
	a, created, err := e.store.StartAttempt(ctx, NewAttempt{
		RoundID: roundID, UserID: userID, Seed: seed, StartedAt: now, Deadline: deadline,
		Questions: drawn, MaxAttempts: r.MaxAttempts,
	})
	if err != nil {
		return Attempt{}, false, err
	}
	if created {
		e.track(a, pool.shown(drawn), rules{r.PointsPerQuestion, r.PredictionPrompt})
	}
	return a, created, nil
}

// runningAttempt returns the contestant's attempt at the round still
// running at now (Attempt.RunningAt), if there is one.
func (e *Engine) runningAttempt(ctx context.Context, userID, roundID int64, now time.Time) (Attempt, bool) {
	mine, err := e.store.UserAttempts(ctx, userID, roundID)
	if err != nil {
		return Attempt{}, false
	}
	for _, a := range mine {
		if a.RunningAt(now) {
			return a, true
		}
	}
	return Attempt{}, false
}

// Preview draws a round's questions as a new attempt would, quotas and
// shuffles included, without starting one: what organizers check before
// they publish.
func (e *Engine) Preview(ctx context.Context, roundID int64) (Round, []AttemptQuestion, error) {
	r, err := e.store.Round(ctx, roundID)
	if err != nil {
		return Round{}, nil, err
	}
	pool, err := e.pool(ctx, r.BankID)
	if err != nil {
		return Round{}, nil, err
	}
	var seed Seed
	_, _ = rand.Read(seed[:])
	drawn, err := Draw(pool.Questions, r.QuestionCount, r.TopicQuotas, seed)
	if err != nil {
		return Round{}, nil, err
	}
	return r, pool.shown(drawn), nil
}

// pool returns the bank's questions in use, reloading them when the bank
// has changed since they were cached.
func (e *Engine) pool(ctx context.Context, bankID int64) (*Pool, error) {
	version, err := e.store.BankVersion(ctx, bankID)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	p := e.pools[bankID]
	e.mu.Unlock()
	if p != nil && p.Version == version {
		return p, nil
	}
	loaded, err := e.store.Pool(ctx, bankID)
	if err != nil {
		return nil, err
	}
	loaded.byID = loaded.index() // once, before any start shares it
	e.mu.Lock()
	e.pools[bankID] = &loaded
	e.mu.Unlock()
	return &loaded, nil
}

// shown returns the drawn questions as the attempt shows them: in the
// drawn order, each with its options in the drawn order.
func (p *Pool) shown(drawn []DrawnQuestion) []AttemptQuestion {
	byID := p.byID
	if byID == nil {
		byID = p.index()
	}
	out := make([]AttemptQuestion, len(drawn))
	n := 0
	for _, d := range drawn {
		n += len(d.OptionOrder)
	}
	options := make([]Option, n) // every question's, in one allocation
	for i, d := range drawn {
		q := byID[d.QuestionID]
		aq := AttemptQuestion{ID: q.ID, Topic: q.Topic, Text: q.Text, Multiple: len(q.Correct) > 1,
			Explanation: q.Explanation, Reference: q.Reference, Options: options[:len(d.OptionOrder):len(d.OptionOrder)]}
		options = options[len(d.OptionOrder):]
		for j, id := range d.OptionOrder {
			for _, o := range q.Options { // a handful: a search is cheaper than a map
				if o.ID == id {
					aq.Options[j] = o
					break
				}
			}
		}
		out[i] = aq
	}
	return out
}

// index maps the pool's questions by id.
func (p *Pool) index() map[int64]*PoolQuestion {
	byID := make(map[int64]*PoolQuestion, len(p.Questions))
	for i := range p.Questions {
		byID[p.Questions[i].ID] = &p.Questions[i]
	}
	return byID
}

// setQuestions keeps the attempt's questions, which carry its scoring key
// (each option's Correct), and its round's rules. The caller holds la.mu
// or owns la alone.
func (la *liveAttempt) setQuestions(questions []AttemptQuestion, r rules) {
	la.questions, la.points, la.predictionPrompt = questions, r.points, r.predictionPrompt
}

// question returns the attempt's question with the given id. Twenty or so
// ids side by side are searched faster than a map is built for them.
func (la *liveAttempt) question(id int64) (*AttemptQuestion, bool) {
	for i := range la.questions {
		if la.questions[i].ID == id {
			return &la.questions[i], true
		}
	}
	return nil, false
}

// running returns the live attempt for userID, or the error the protocol
// gives for an attempt that is not theirs or is over.
func (e *Engine) running(ctx context.Context, userID, attemptID int64) (*liveAttempt, error) {
	e.mu.Lock()
	la := e.live[attemptID]
	e.mu.Unlock()
	if la != nil {
		if la.userID != userID {
			return nil, Errorf(CodeForbidden, "attempt %d belongs to someone else", attemptID)
		}
		return la, nil
	}
	a, err := e.store.Attempt(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	if a.UserID != userID {
		return nil, Errorf(CodeForbidden, "attempt %d belongs to someone else", attemptID)
	}
	if a.Submitted() {
		return nil, endedError(a)
	}
	return e.track(a, nil, rules{}), nil
}

// endedError is the error for a message on an attempt that is over: a
// contestant's own submit says already_submitted, the deadline says
// deadline_passed.
func endedError(a Attempt) error {
	if a.AutoSubmitted {
		return Errorf(CodeDeadlinePassed, "the attempt ended at its deadline")
	}
	return Errorf(CodeAlreadySubmitted, "the attempt has been submitted")
}

// load fills in the attempt's questions and scoring rules the first time
// they are needed after a restart.
func (e *Engine) load(ctx context.Context, la *liveAttempt) error {
	la.mu.Lock()
	defer la.mu.Unlock()
	if la.questions != nil {
		return nil
	}
	d, err := e.store.AttemptDetail(ctx, la.id)
	if err != nil {
		return err
	}
	r, err := e.store.Round(ctx, la.roundID)
	if err != nil {
		return err
	}
	la.setQuestions(d.Questions, rules{r.PointsPerQuestion, r.PredictionPrompt})
	return nil
}

// Answer checks and stores a contestant's choice for one question; it
// returns only once the answer is durable. A later answer to the same
// question replaces the earlier one.
func (e *Engine) Answer(ctx context.Context, userID, attemptID, questionID int64, optionIDs []int64) error {
	la, err := e.running(ctx, userID, attemptID)
	if err != nil {
		return err
	}
	now, deadline := e.now(), la.end()
	if now.After(deadline.Add(e.grace)) {
		return Errorf(CodeDeadlinePassed, "the deadline was %s", deadline.Format(time.RFC3339))
	}
	if err := e.load(ctx, la); err != nil {
		return err
	}
	q, ok := la.question(questionID)
	if !ok {
		return Errorf(CodeUnknownQuestion, "question %d is not in this attempt", questionID)
	}
	chosen, correct, err := choice(q, optionIDs)
	if err != nil {
		return err
	}
	la.answerMu.Lock()
	err = e.store.SaveAnswer(ctx, Answer{
		AttemptID: attemptID, QuestionID: questionID, OptionIDs: chosen,
		Correct: correct, AnsweredAt: now,
	})
	if err == nil && la.answers != nil {
		la.answers[questionID] = chosen
	}
	la.answerMu.Unlock()
	if ErrorCode(err) == CodeAlreadySubmitted && now.After(deadline) {
		return Errorf(CodeDeadlinePassed, "the attempt ended at its deadline")
	}
	if err == nil {
		e.countAnswer(la.roundID, now)
	}
	return err
}

// choice returns the chosen options sorted and without repeats, and
// whether they are exactly q's correct ones, or CodeInvalidOption when one
// is not an option of q or several are chosen for a single-answer
// question (one with one correct option).
func choice(q *AttemptQuestion, optionIDs []int64) (chosen []int64, correct bool, err error) {
	chosen = slices.Clone(optionIDs)
	slices.Sort(chosen)
	chosen = slices.Compact(chosen)
	for _, id := range chosen {
		if !slices.ContainsFunc(q.Options, func(o Option) bool { return o.ID == id }) {
			return nil, false, Errorf(CodeInvalidOption, "option %d is not an option of question %d", id, q.ID)
		}
	}
	rights, missed := 0, false
	for _, o := range q.Options {
		if o.Correct {
			rights++
			missed = missed || !slices.Contains(chosen, o.ID)
		}
	}
	if len(chosen) > 1 && rights < 2 {
		return nil, false, Errorf(CodeInvalidOption, "question %d takes one option", q.ID)
	}
	if chosen == nil {
		chosen = []int64{}
	}
	// The options are distinct, so every right one chosen and as many
	// chosen as right is the right set.
	return chosen, !missed && len(chosen) == rights, nil
}

// Submit ends an attempt at the contestant's request and scores it.
// prediction is ignored when the round asks none.
func (e *Engine) Submit(ctx context.Context, userID, attemptID int64, prediction *int) (Outcome, error) {
	la, err := e.running(ctx, userID, attemptID)
	if err != nil {
		return Outcome{}, err
	}
	now, deadline := e.now(), la.end()
	if now.After(deadline.Add(e.grace)) {
		return Outcome{}, Errorf(CodeDeadlinePassed, "the deadline was %s", deadline.Format(time.RFC3339))
	}
	if err := e.load(ctx, la); err != nil {
		return Outcome{}, err
	}
	if la.predictionPrompt == "" {
		prediction = nil
	}
	if prediction != nil && (*prediction < 0 || *prediction > maxPrediction) {
		return Outcome{}, Errorf(CodeInvalidPrediction, "a prediction is a whole number from 0 to %d", maxPrediction)
	}
	submittedAt := now
	if submittedAt.After(deadline) {
		submittedAt = deadline
	}
	res, err := e.store.SubmitAttempt(ctx, Submission{
		AttemptID: attemptID, SubmittedAt: submittedAt, Prediction: prediction, Points: la.points,
	})
	if ErrorCode(err) == CodeAlreadySubmitted {
		e.untrack(la)
		if now.After(deadline) {
			return Outcome{}, Errorf(CodeDeadlinePassed, "the attempt ended at its deadline")
		}
	}
	if err != nil {
		return Outcome{}, err
	}
	e.untrack(la)
	e.finish(la)
	return e.record(ctx, la.roundID, res, false)
}

// autoSubmit ends an attempt at the end of its grace, with working time up
// to its deadline.
func (e *Engine) autoSubmit(la *liveAttempt) {
	e.mu.Lock()
	if e.stopped {
		e.mu.Unlock()
		return
	}
	e.pending.Add(1)
	e.mu.Unlock()
	defer e.pending.Done()

	deadline := la.end()
	if e.now().Before(deadline.Add(e.grace)) {
		// Its deadline moved later since the timer was set: its questions
		// were first shown.
		e.rearm(la)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.load(ctx, la); err != nil {
		e.retryAutoSubmit(la, err)
		return
	}
	la.announce.Lock()
	defer la.announce.Unlock()
	res, err := e.store.SubmitAttempt(ctx, Submission{
		AttemptID: la.id, SubmittedAt: deadline, Auto: true, Points: la.points,
	})
	if ErrorCode(err) == CodeAlreadySubmitted {
		e.untrack(la)
		return
	}
	if ErrorCode(err) == CodeNotDue {
		// Its questions were first shown on another node of a cluster,
		// which moved its deadline: keep the one stored.
		a, err := e.store.Attempt(ctx, la.id)
		if err != nil {
			e.retryAutoSubmit(la, err)
			return
		}
		la.setWindow(a)
		e.rearm(la)
		return
	}
	if err != nil {
		e.retryAutoSubmit(la, err)
		return
	}
	e.finish(la)
	out, err := e.record(ctx, la.roundID, res, true)
	if err != nil {
		e.log.Error("auto-submit: leaderboard", "attempt", la.id, "err", err)
	}
	e.onAutoSubmit(out)
	// The contestant's socket may be on another node of a cluster.
	notify(e.notifier, Event{Kind: AttemptSubmitted, RoundID: out.RoundID, UserID: out.UserID, AttemptID: out.AttemptID,
		Outcome: &out})
	e.untrack(la) // once announced: until then Attach waits for it
}

// Attach runs attach while no automatic submission of the attempt is
// between its commit and its announcement: running tells whether the
// attempt still runs. A connection that attaches itself in attach (so
// that announcements reach it) therefore hears of a submission either
// from the announcement, when running was true, or, when it is false, by
// reading the attempt: never both, never neither.
func (e *Engine) Attach(attemptID int64, attach func(running bool)) {
	la, ok := e.liveAttempt(attemptID)
	if !ok {
		attach(false)
		return
	}
	la.announce.Lock()
	defer la.announce.Unlock()
	_, running := e.liveAttempt(attemptID)
	attach(running)
}

func (e *Engine) retryAutoSubmit(la *liveAttempt, err error) {
	// A database that cannot be written is logged by the store, once, not
	// every second for every attempt that waits for it.
	if ErrorCode(err) == CodeStorageUnavailable {
		e.log.Debug("auto-submit waits for the database; retrying", "attempt", la.id, "err", err)
	} else {
		e.log.Error("auto-submit failed; retrying", "attempt", la.id, "err", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.stopped {
		la.timer = e.clock.AfterFunc(time.Second, func() { e.autoSubmit(la) })
	}
}

// record puts a submitted attempt on its round's board and returns the
// contestant's outcome with their rank in the round now.
func (e *Engine) record(ctx context.Context, roundID int64, res Result, auto bool) (Outcome, error) {
	out := outcomeOf(roundID, res, auto)
	board, err := e.Board(ctx, roundID)
	if err != nil {
		return out, err
	}
	// Announced even when the board had it already (a board loaded just
	// now reads the committed attempt from the store): boards elsewhere
	// have not.
	board.Offer(res)
	notify(e.notifier, Event{Kind: BoardMoved, RoundID: roundID, UserID: res.UserID, AttemptID: res.AttemptID})
	out.Rank = ownRank(board, res.UserID)
	return out, nil
}

// SubmittedOutcome returns a submitted attempt's outcome as its submit
// returned it, with the contestant's rank in the round now: what a socket
// that reconnects after the submit is told again. Without the round's
// board (err) the outcome has no rank.
func (e *Engine) SubmittedOutcome(ctx context.Context, a Attempt) (Outcome, error) {
	res := Result{AttemptID: a.ID, UserID: a.UserID, Score: a.Score, Correct: a.Correct, Total: a.Total,
		Prediction: a.Prediction, StartedAt: a.StartedAt}
	if a.SubmittedAt != nil {
		res.SubmittedAt = *a.SubmittedAt
	}
	out := outcomeOf(a.RoundID, res, a.AutoSubmitted)
	board, err := e.Board(ctx, a.RoundID)
	if err != nil {
		return out, err
	}
	out.Rank = ownRank(board, a.UserID)
	return out, nil
}

// outcomeOf is a submitted attempt's outcome without its rank.
func outcomeOf(roundID int64, res Result, auto bool) Outcome {
	return Outcome{AttemptID: res.AttemptID, RoundID: roundID, UserID: res.UserID, Score: res.Score,
		Correct: res.Correct, Total: res.Total, DurationMs: res.DurationMs(), Auto: auto}
}

// ownRank is the contestant's rank as they may be told it (Board.OwnEntry):
// 0 when they are not on the board or the rank is kept hidden.
func ownRank(board *Board, userID int64) int {
	if entry, ok := board.OwnEntry(userID); ok {
		return entry.Rank
	}
	return 0
}

// Board returns a round's leaderboard, built from the store the first time
// it is asked for.
func (e *Engine) Board(ctx context.Context, roundID int64) (*Board, error) {
	e.mu.Lock()
	rb := e.boards[roundID]
	if rb != nil {
		rb.used.Store(e.now().UnixNano())
		e.mu.Unlock()
		<-rb.ready
		if rb.err != nil {
			return nil, rb.err
		}
		return rb.board, nil
	}
	rb = &roundBoard{ready: make(chan struct{})}
	rb.used.Store(e.now().UnixNano())
	e.boards[roundID] = rb
	e.mu.Unlock()

	rb.board, rb.err = e.loadBoard(ctx, roundID, rb)
	if rb.err != nil {
		e.mu.Lock()
		delete(e.boards, roundID)
		e.mu.Unlock()
	}
	close(rb.ready)
	return rb.board, rb.err
}

func (e *Engine) loadBoard(ctx context.Context, roundID int64, rb *roundBoard) (*Board, error) {
	r, err := e.store.Round(ctx, roundID)
	if err != nil {
		return nil, err
	}
	target := ""
	if r.AsksPrediction() {
		target = r.PredictionTarget
	}
	board := NewBoard(target)
	results, err := e.store.RoundResults(ctx, roundID)
	if err != nil {
		return nil, err
	}
	for _, res := range results {
		board.Offer(res)
	}
	// The board takes the closed round's order once every attempt has had
	// its deadline and grace: deadlines never pass the round's close.
	final := r.ClosesAt.Add(e.grace + time.Second)
	if wait := final.Sub(e.now()); wait <= 0 {
		board.Finalize()
	} else {
		e.mu.Lock()
		if !e.stopped {
			rb.timer = e.clock.AfterFunc(wait, board.Finalize)
		}
		e.mu.Unlock()
	}
	return board, nil
}

// hear drops the boards an event makes out of date, to be built again from
// the store when next asked for. A board that already holds a submission
// it hears of (its own, or one heard twice) stays.
func (e *Engine) hear(ev Event) {
	switch ev.Kind {
	case RoundChanged:
		e.dropBoards(func(roundID int64, _ *Board) bool { return roundID == ev.RoundID })
	case AccountChanged, AccountDeleted:
		// Boards built before the change show the name and unit as they were.
		e.dropBoards(func(_ int64, b *Board) bool { _, on := b.Best(ev.UserID); return on })
	case BoardMoved:
		e.dropBoards(func(roundID int64, b *Board) bool {
			return roundID == ev.RoundID && !b.Holds(ev.UserID, ev.AttemptID)
		})
	case EventsMissed:
		e.dropBoards(func(int64, *Board) bool { return true })
	}
}

// dropBoards drops the loaded boards stale says are out of date. A board
// still loading is left alone: it reads the store as it is now.
func (e *Engine) dropBoards(stale func(roundID int64, b *Board) bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for roundID, rb := range e.boards {
		select {
		case <-rb.ready:
		default:
			continue
		}
		if rb.board == nil || !stale(roundID, rb.board) {
			continue
		}
		if rb.timer != nil {
			rb.timer.Stop()
		}
		delete(e.boards, roundID)
	}
}

// CheckOwner returns CodeNotFound or CodeForbidden unless the attempt
// exists and is userID's.
func (e *Engine) CheckOwner(ctx context.Context, userID, attemptID int64) error {
	e.mu.Lock()
	la := e.live[attemptID]
	e.mu.Unlock()
	owner := int64(0)
	if la != nil {
		owner = la.userID
	} else {
		a, err := e.store.Attempt(ctx, attemptID)
		if err != nil {
			return err
		}
		owner = a.UserID
	}
	if owner != userID {
		return Errorf(CodeForbidden, "attempt %d belongs to someone else", attemptID)
	}
	return nil
}

// State returns an attempt with its questions and stored answers, for its
// owner, and the round's prediction question. A running attempt is read
// from memory but for its answers.
func (e *Engine) State(ctx context.Context, userID, attemptID int64) (AttemptDetail, string, error) {
	e.mu.Lock()
	la := e.live[attemptID]
	e.mu.Unlock()
	if la != nil && la.userID == userID {
		if err := e.load(ctx, la); err != nil {
			return AttemptDetail{}, "", err
		}
		if err := e.show(ctx, la); err != nil {
			return AttemptDetail{}, "", err
		}
		answers, err := e.storedAnswers(ctx, la)
		if err != nil {
			return AttemptDetail{}, "", err
		}
		// A submit may have landed between the lookup and the read.
		if _, stillLive := e.liveAttempt(attemptID); stillLive {
			return AttemptDetail{Attempt: la.current(), Questions: la.questions, Answers: answers}, la.predictionPrompt, nil
		}
	}
	d, err := e.store.AttemptDetail(ctx, attemptID)
	if err != nil {
		return AttemptDetail{}, "", err
	}
	if d.Attempt.UserID != userID {
		return AttemptDetail{}, "", Errorf(CodeForbidden, "attempt %d belongs to someone else", attemptID)
	}
	if la == nil && !d.Attempt.Submitted() {
		// A running attempt this engine does not keep: in a cluster, one
		// started on a node that died, whose contestant came back here.
		// Its deadline is kept here from now on (at once, if it passed).
		la := e.track(d.Attempt, nil, rules{})
		if err := e.show(ctx, la); err != nil {
			return AttemptDetail{}, "", err
		}
		now := la.current()
		d.Attempt.StartedAt, d.Attempt.Deadline = now.StartedAt, now.Deadline
	}
	r, err := e.store.Round(ctx, d.Attempt.RoundID)
	if err != nil {
		return AttemptDetail{}, "", err
	}
	return d, r.PredictionPrompt, nil
}

// storedAnswers returns a copy of a running attempt's stored answers,
// read from the store only the first time after a restart, or every time
// when other nodes may store answers too.
func (e *Engine) storedAnswers(ctx context.Context, la *liveAttempt) (map[int64][]int64, error) {
	if e.shared {
		return e.store.Answers(ctx, la.id)
	}
	la.answerMu.Lock()
	defer la.answerMu.Unlock()
	if la.answers == nil {
		stored, err := e.store.Answers(ctx, la.id)
		if err != nil {
			return nil, err
		}
		la.answers = stored
	}
	return maps.Clone(la.answers), nil
}

// takingAnswers reports whether an attempt at the round still takes
// answers at now (its deadline and grace are ahead).
func (e *Engine) takingAnswers(roundID int64, now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, la := range e.live {
		if la.roundID == roundID && !now.After(la.end().Add(e.grace)) {
			return true
		}
	}
	return false
}

func (e *Engine) liveAttempt(id int64) (*liveAttempt, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	la, ok := e.live[id]
	return la, ok
}

// Playing returns userID's attempt attemptID with its round while it
// runs: what the quiz page shows, without the questions and answers a
// review reads. ok is false when the attempt is submitted, someone
// else's or not found; Review then says which.
func (e *Engine) Playing(ctx context.Context, userID, attemptID int64) (a Attempt, r Round, ok bool) {
	if la, live := e.liveAttempt(attemptID); live {
		a, ok = la.current(), la.userID == userID
	} else if e.finished.holds(attemptID, e.now()) {
		return Attempt{}, Round{}, false // submitted here: its result page needs no read here
	} else {
		stored, err := e.store.Attempt(ctx, attemptID)
		a, ok = stored, err == nil && stored.UserID == userID && !stored.Submitted()
	}
	if !ok {
		return Attempt{}, Round{}, false
	}
	r, err := e.store.Round(ctx, a.RoundID)
	return a, r, err == nil
}

// Review is a finished or running attempt as its result page shows it.
type Review struct {
	Detail   AttemptDetail
	Round    Round
	Revealed bool // correct options, explanations and references may be shown
	Rank     int  // the contestant's rank in the round by their best attempt; 0 before any or when hidden
	// RankHidden: the contestant has a rank, but the round asks a prediction
	// and is open, and the rank is beyond the public top (Board.OwnEntry).
	RankHidden bool
}

// Review returns an attempt for its owner, or for staff, with the correct
// options only when the round's reveal policy allows it (staff always see
// them). For a contestant the round's close counts only once no attempt at
// it takes answers: the grace after a deadline at the close, and attempts
// whose deadline an earlier close (an organizer's edit) did not move, would
// otherwise let a key read from one attempt's review win another.
func (e *Engine) Review(ctx context.Context, viewer User, attemptID int64) (Review, error) {
	d, err := e.attemptDetail(ctx, attemptID)
	if err != nil {
		return Review{}, err
	}
	if d.Attempt.UserID != viewer.ID && !viewer.Role.Staff() {
		return Review{}, Errorf(CodeForbidden, "attempt %d belongs to someone else", attemptID)
	}
	r, err := e.store.Round(ctx, d.Attempt.RoundID)
	if err != nil {
		return Review{}, err
	}
	rev := Review{Detail: d, Round: r}
	now := e.now()
	rev.Revealed = r.RevealsAt(d.Attempt.Submitted(), now.Add(-e.grace))
	// A reveal that waits for the close (an open round never reveals)
	// waits for the last attempt that takes answers too.
	if rev.Revealed && !r.RevealsAt(true, r.OpensAt) && e.takingAnswers(r.ID, now) {
		rev.Revealed = false
	}
	rev.Revealed = rev.Revealed || viewer.Role.Staff()
	if !rev.Revealed {
		for i := range d.Questions {
			q := &d.Questions[i]
			q.Explanation, q.Reference = "", ""
			for j := range q.Options {
				q.Options[j].Correct = false
			}
		}
	}
	if board, err := e.Board(ctx, r.ID); err == nil {
		rank := board.OwnEntry
		if viewer.Role.Staff() {
			rank = board.RankOf
		}
		if entry, ok := rank(d.Attempt.UserID); ok {
			rev.Rank, rev.RankHidden = entry.Rank, entry.Rank == 0
		}
	}
	return rev, nil
}
