package quiz

import (
	"context"
	"maps"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Contest is a cuộc thi: a title and its rounds, shown to the public once
// published.
type Contest struct {
	ID          int64
	Slug        string
	Title       string
	Description string
	PublishedAt *time.Time
	CreatedAt   time.Time
	Rounds      []Round
	// OnePrizePerPerson: a person gets at most one prize across all the
	// contest's rounds, the highest.
	OnePrizePerPerson bool
	// Rules are the contest's published rules (thể lệ) as the organizer
	// typed them, in NFC; placeholders such as [Các đợt thi] are filled
	// in from the contest and its rounds when shown (RulesPlaceholders).
	Rules string
	// Controller is the organizing agency as the data controller; empty:
	// the installation's.
	Controller Controller
	// IdentityAt says when the identity number and birth date are asked:
	// IdentityAtRegistration or IdentityAtPrize.
	IdentityAt string
}

// Round statuses as the API reports them.
const (
	StatusUpcoming = "upcoming"
	StatusOpen     = "open"
	StatusClosed   = "closed"
	StatusLocked   = "locked"
)

// Prediction targets: what the round's prediction question asks to guess.
const (
	TargetPerfectScorers = "perfect_scorers"
	TargetParticipants   = "participants"
	TargetAttempts       = "attempts"
)

// Reveal policies: when a contestant may see the correct options of their
// attempt.
const (
	RevealNever       = "never"
	RevealAfterSubmit = "after_submit"
	RevealAfterClose  = "after_close"
)

// Round is one đợt thi of a contest: a window of time in which contestants
// make timed attempts drawn from a bank.
type Round struct {
	ID                int64
	ContestID         int64
	Name              string
	BankID            int64
	OpensAt           time.Time
	ClosesAt          time.Time
	DurationSeconds   int
	QuestionCount     int
	TopicQuotas       map[string]int
	PointsPerQuestion int
	MaxAttempts       int // 0: no limit
	PredictionPrompt  string
	PredictionTarget  string
	Reveal            string
	Prizes            []Prize
	// PrizeCapPercent limits individual prizes to this share of the
	// round's contestants; 0: no cap.
	PrizeCapPercent int
	// UnitPrizes are group prize tiers, given to units (đơn vị).
	UnitPrizes []Prize
	LockedAt   *time.Time
	LockedBy   int64
	// Actual is the prediction's actual count stored at the lock.
	Actual *int

	// Of the round's contest, for the checks that need it.
	ContestPublished bool
	ContestTitle     string
	ContestSlug      string
	// ContestOnePrize: one prize per person across the contest's rounds.
	ContestOnePrize bool
	// ContestController and ContestIdentityAt are the contest's, for the
	// check before an attempt starts.
	ContestController Controller
	ContestIdentityAt string
}

// Prize is a tier of individual prizes: its name and how many are given.
type Prize struct {
	Name  string
	Count int
}

// Status returns the round's status at now.
func (r Round) Status(now time.Time) string {
	switch {
	case r.LockedAt != nil:
		return StatusLocked
	case now.Before(r.OpensAt):
		return StatusUpcoming
	case now.Before(r.ClosesAt):
		return StatusOpen
	}
	return StatusClosed
}

// Duration is the time limit of one attempt.
func (r Round) Duration() time.Duration { return time.Duration(r.DurationSeconds) * time.Second }

// AsksPrediction reports whether the round ends with a prediction question.
func (r Round) AsksPrediction() bool { return r.PredictionPrompt != "" }

// HasPrizes reports whether the round gives individual prizes, the ones a
// score wins (group prizes go to units by how many took part).
func (r Round) HasPrizes() bool { return len(r.Prizes) > 0 }

// RevealsAt reports whether an attempt's correct options may be shown at now.
// A prize round never shows them before it closes, whatever its policy
// says: accounts are cheap, and answers read from one attempt's review would
// win the next attempt a prize.
func (r Round) RevealsAt(submitted bool, now time.Time) bool {
	switch r.Reveal {
	case RevealAfterSubmit:
		if r.HasPrizes() {
			return submitted && !now.Before(r.ClosesAt)
		}
		return submitted
	case RevealAfterClose:
		return submitted && !now.Before(r.ClosesAt)
	}
	return false
}

// Message keys for contest and round problems.
const (
	MsgSlugInvalid       = "field.slug_invalid"
	MsgSlugTaken         = "field.slug_taken"
	MsgClosesBeforeOpens = "field.closes_before_opens"
	MsgOutOfRange        = "field.out_of_range"
	MsgBankNotFound      = "field.bank_not_found"
	MsgNotEnoughInBank   = "field.not_enough_in_bank"
	MsgUnknownTopic      = "field.unknown_topic"
	MsgQuotaOverCount    = "field.quota_over_count"
	MsgTargetInvalid     = "field.target_invalid"
	MsgTargetRequired    = "field.target_required"
	MsgRevealInvalid     = "field.reveal_invalid"
	MsgRevealPrizes      = "field.reveal_prizes"
	MsgTimeInvalid       = "field.time_invalid"
	MsgBankNameTaken     = "field.bank_name_taken"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)

// Round limits.
const (
	maxDurationSeconds = 24 * 60 * 60
	maxQuestionCount   = 500
	maxPrizeTiers      = 20
	maxPrizeCount      = 100000
)

// Message keys of the round limits above: each says the range it wants, in
// the same numbers.
const (
	MsgRangeDuration        = "ux.range_duration_seconds"  // 1 to 86 400 seconds
	MsgRangeDurationMinutes = "ux.range_duration_minutes"  // the same in the builder's minutes
	MsgRangeQuestionCount   = "ux.range_question_count"    // 1 to 500
	MsgRangePoints          = "ux.range_points"            // 1 to 1 000 a question
	MsgRangeMaxAttempts     = "ux.range_max_attempts"      // 0 to 1 000, 0 no limit
	MsgRangeQuota           = "ux.range_topic_quota"       // 0 or more
	MsgRangePrizes          = "ux.range_prizes"            // up to 20 tiers of 1 to 100 000
	MsgRangePrizeCap        = "ux.range_prize_cap_percent" // 0 to 100
)

// normalize cleans r and checks it against the bank's topics (question
// counts by topic, retired questions left out).
func (r Round) normalize(topics map[string]int, bankFound bool) (Round, error) {
	bad := FieldErrors{}
	r.Name = Clean(r.Name)
	if r.Name == "" {
		bad.Add("name", MsgRequired)
	}
	checkLen(bad, "name", r.Name, 200)
	if r.OpensAt.IsZero() {
		bad.Add("opens_at", MsgTimeInvalid)
	}
	if r.ClosesAt.IsZero() {
		bad.Add("closes_at", MsgTimeInvalid)
	} else if !r.OpensAt.IsZero() && !r.ClosesAt.After(r.OpensAt) {
		bad.Add("closes_at", MsgClosesBeforeOpens)
	}
	if r.DurationSeconds < 1 || r.DurationSeconds > maxDurationSeconds {
		bad.Add("duration_seconds", MsgRangeDuration)
	}
	if r.PointsPerQuestion == 0 {
		r.PointsPerQuestion = 1
	}
	if r.PointsPerQuestion < 1 || r.PointsPerQuestion > 1000 {
		bad.Add("points_per_question", MsgRangePoints)
	}
	if r.MaxAttempts < 0 || r.MaxAttempts > 1000 {
		bad.Add("max_attempts", MsgRangeMaxAttempts)
	}

	available := 0
	for _, n := range topics {
		available += n
	}
	switch {
	case !bankFound:
		bad.Add("bank_id", MsgBankNotFound)
	case r.QuestionCount < 1 || r.QuestionCount > maxQuestionCount:
		bad.Add("question_count", MsgRangeQuestionCount)
	case r.QuestionCount > available:
		bad.Add("question_count", MsgNotEnoughInBank)
	}
	quotaSum := 0
	cleanQuotas := map[string]int{}
	for topic, n := range r.TopicQuotas {
		topic = Clean(topic)
		quotaSum += n
		cleanQuotas[topic] += n
		switch {
		case n < 0:
			bad.Add("topic_quotas", MsgRangeQuota)
		case bankFound && topics[topic] == 0:
			bad.Add("topic_quotas", MsgUnknownTopic)
		case bankFound && n > topics[topic]:
			bad.Add("topic_quotas", MsgNotEnoughInBank)
		}
	}
	r.TopicQuotas = cleanQuotas
	if quotaSum > r.QuestionCount {
		bad.Add("topic_quotas", MsgQuotaOverCount)
	}

	r.PredictionPrompt = CleanText(r.PredictionPrompt)
	checkLen(bad, "prediction_prompt", r.PredictionPrompt, 500)
	switch r.PredictionTarget {
	case "":
		if r.PredictionPrompt != "" {
			bad.Add("prediction_target", MsgTargetRequired)
		}
	case TargetPerfectScorers, TargetParticipants, TargetAttempts:
		if r.PredictionPrompt == "" {
			bad.Add("prediction_prompt", MsgRequired)
		}
	default:
		bad.Add("prediction_target", MsgTargetInvalid)
	}

	r.Prizes = checkPrizes(bad, "prizes", r.Prizes)
	r.UnitPrizes = checkPrizes(bad, "unit_prizes", r.UnitPrizes)

	// A prize round keeps its answer key until it closes: two throwaway
	// accounts reading their reviews would otherwise learn the bank and a
	// third would win with it.
	switch {
	case r.Reveal == "" && r.HasPrizes():
		r.Reveal = RevealAfterClose
	case r.Reveal == "":
		r.Reveal = RevealAfterSubmit
	case r.Reveal != RevealNever && r.Reveal != RevealAfterSubmit && r.Reveal != RevealAfterClose:
		bad.Add("reveal", MsgRevealInvalid)
	case r.Reveal == RevealAfterSubmit && r.HasPrizes():
		bad.Add("reveal", MsgRevealPrizes)
	}
	if r.PrizeCapPercent < 0 || r.PrizeCapPercent > 100 {
		bad.Add("prize_cap_percent", MsgRangePrizeCap)
	}
	return r, bad.Err()
}

// checkPrizes cleans prize tiers, naming field in bad for each problem.
func checkPrizes(bad FieldErrors, field string, prizes []Prize) []Prize {
	if len(prizes) > maxPrizeTiers {
		bad.Add(field, MsgRangePrizes)
	}
	out := make([]Prize, len(prizes))
	seen := map[string]bool{}
	for i, p := range prizes {
		out[i] = Prize{Name: Clean(p.Name), Count: p.Count}
		if out[i].Name == "" || utf8.RuneCountInString(out[i].Name) > 100 || seen[out[i].Name] {
			bad.Add(field, MsgInvalid)
		}
		seen[out[i].Name] = true
		if p.Count < 1 || p.Count > maxPrizeCount {
			bad.Add(field, MsgRangePrizes)
		}
	}
	return out
}

// CatalogStore is what Catalog needs from storage.
type CatalogStore interface {
	Banks(ctx context.Context) ([]Bank, error)
	CreateBank(ctx context.Context, b Bank) (Bank, error)
	Bank(ctx context.Context, id int64) (Bank, error)
	BankByName(ctx context.Context, name string) (Bank, error)
	Questions(ctx context.Context, bankID int64) ([]Question, error)
	AddQuestions(ctx context.Context, bankID int64, qs []Question) ([]int64, error)
	SetRetired(ctx context.Context, bankID, questionID int64, retired bool, at time.Time) error
	ReplaceQuestion(ctx context.Context, bankID, questionID int64, q Question, at time.Time) (int64, error)
	TopicCounts(ctx context.Context, bankID int64) (map[string]int, error)

	CreateContest(ctx context.Context, c Contest, createdBy int64) (Contest, error)
	// UpdateContest stores a contest's title, description, rules,
	// controller, identity rule and prize rule.
	UpdateContest(ctx context.Context, c Contest) error
	Contest(ctx context.Context, id int64) (Contest, error)
	ContestBySlug(ctx context.Context, slug string) (Contest, error)
	PublishContest(ctx context.Context, id int64, at time.Time) error
	UnpublishContest(ctx context.Context, id int64) error
	Contests(ctx context.Context, publishedOnly bool) ([]Contest, error)
	CreateRound(ctx context.Context, r Round) (Round, error)
	UpdateRound(ctx context.Context, r Round) (Round, error)
	RoundCounts(ctx context.Context, roundID int64) (started, submitted int, err error)
	Round(ctx context.Context, id int64) (Round, error)
}

// Catalog keeps question banks, contests and rounds.
type Catalog struct {
	store    CatalogStore
	now      func() time.Time
	notifier Notifier
}

// NewCatalog returns the catalog service.
func NewCatalog(store CatalogStore, now func() time.Time) *Catalog {
	return &Catalog{store: store, now: now}
}

// SetNotifier has the catalog announce its edits of rounds and contests
// (RoundChanged) on n. Call it before the catalog is used.
func (c *Catalog) SetNotifier(n Notifier) { c.notifier = n }

// Banks lists every bank with its count of questions in use.
func (c *Catalog) Banks(ctx context.Context) ([]Bank, error) { return c.store.Banks(ctx) }

// Bank returns one bank.
func (c *Catalog) Bank(ctx context.Context, id int64) (Bank, error) { return c.store.Bank(ctx, id) }

// BankNamed returns the bank with that name, creating it when there is
// none, for imports that name their bank.
func (c *Catalog) BankNamed(ctx context.Context, name string) (Bank, bool, error) {
	b, err := c.store.BankByName(ctx, Clean(name))
	if ErrorCode(err) != CodeNotFound {
		return b, false, err
	}
	b, err = c.CreateBank(ctx, name, "")
	return b, err == nil, err
}

// CreateBank creates an empty bank; names are unique.
func (c *Catalog) CreateBank(ctx context.Context, name, description string) (Bank, error) {
	b := Bank{Name: Clean(name), Description: CleanText(description), CreatedAt: c.now()}
	bad := FieldErrors{}
	if b.Name == "" {
		bad.Add("name", MsgRequired)
	}
	checkLen(bad, "name", b.Name, 200)
	checkLen(bad, "description", b.Description, 2000)
	if err := bad.Err(); err != nil {
		return Bank{}, err
	}
	return c.store.CreateBank(ctx, b)
}

// Questions lists a bank's questions, retired ones included and marked.
func (c *Catalog) Questions(ctx context.Context, bankID int64) ([]Question, error) {
	if _, err := c.store.Bank(ctx, bankID); err != nil {
		return nil, err
	}
	return c.store.Questions(ctx, bankID)
}

// AddQuestions validates questions and adds them all to a bank, or none
// when any is invalid.
func (c *Catalog) AddQuestions(ctx context.Context, bankID int64, qs []Question) ([]int64, error) {
	clean := make([]Question, len(qs))
	for i, q := range qs {
		var err error
		if clean[i], err = q.Normalize(); err != nil {
			return nil, err
		}
	}
	if _, err := c.store.Bank(ctx, bankID); err != nil {
		return nil, err
	}
	return c.store.AddQuestions(ctx, bankID, clean)
}

// AddQuestion adds one question typed in by an organizer, unless the bank
// already has it (same text and options).
func (c *Catalog) AddQuestion(ctx context.Context, bankID int64, q Question) (int64, error) {
	q, err := c.checkNew(ctx, bankID, 0, q)
	if err != nil {
		return 0, err
	}
	ids, err := c.store.AddQuestions(ctx, bankID, []Question{q})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// EditQuestion replaces a question with its edited version, a new question:
// the old one is retired, so that attempts that drew it still show it as
// they saw it.
func (c *Catalog) EditQuestion(ctx context.Context, bankID, questionID int64, q Question) (int64, error) {
	q, err := c.checkNew(ctx, bankID, questionID, q)
	if err != nil {
		return 0, err
	}
	return c.store.ReplaceQuestion(ctx, bankID, questionID, q, c.now())
}

// SetRetired takes a question out of use (it is no longer drawn) or puts it
// back.
func (c *Catalog) SetRetired(ctx context.Context, bankID, questionID int64, retired bool) error {
	return c.store.SetRetired(ctx, bankID, questionID, retired, c.now())
}

// Question returns one question of a bank.
func (c *Catalog) Question(ctx context.Context, bankID, questionID int64) (Question, error) {
	qs, err := c.Questions(ctx, bankID)
	if err != nil {
		return Question{}, err
	}
	for _, q := range qs {
		if q.ID == questionID {
			return q, nil
		}
	}
	return Question{}, NotFound("question")
}

// checkNew normalizes a question typed in and refuses it when another
// question of the bank (but the one it replaces) has the same text and
// options.
func (c *Catalog) checkNew(ctx context.Context, bankID, replaces int64, q Question) (Question, error) {
	q, err := q.Normalize()
	if err != nil {
		return Question{}, err
	}
	existing, err := c.Questions(ctx, bankID)
	if err != nil {
		return Question{}, err
	}
	fp := fingerprint(q)
	for _, old := range existing {
		if old.ID != replaces && fingerprint(old) == fp {
			return Question{}, &Error{Code: CodeDuplicateQuestion, Message: "the bank already has this question",
				Fields: map[string]string{"text": MsgDuplicateQuestion}}
		}
	}
	return q, nil
}

// A question typed in that the bank already holds.
const (
	CodeDuplicateQuestion = "duplicate_question"
	MsgDuplicateQuestion  = "field.duplicate_question"
)

// Limits on a contest's settings, in characters.
const (
	maxRulesLen      = 20000
	maxControllerLen = 300
)

// Message keys for contest settings.
const (
	MsgRulesCharacters     = "rules.invalid_characters"
	MsgRulesTooLong        = "rules.too_long"
	MsgControllerTooLong   = "consent.controller_too_long"
	MsgControllerPartial   = "consent.controller_incomplete"
	MsgControllerContact   = "consent.controller_contact_invalid"
	MsgIdentityAtInvalid   = "consent.identity_at_invalid"
	controllerFieldsPrefix = "controller."
)

// contactPattern finds what a controller's contact must hold: an e-mail
// address, or a phone number of at least 8 digits however it is spaced.
var (
	contactEmail  = regexp.MustCompile(`[^\s@]+@[^\s@]+\.[^\s@]+`)
	contactDigits = regexp.MustCompile(`[0-9]`)
)

// normalizeSettings cleans and checks a contest's title, description,
// rules, controller and identity rule, naming each bad field in bad.
func (in Contest) normalizeSettings(bad FieldErrors) Contest {
	in.Title = Clean(in.Title)
	in.Description = CleanText(in.Description)
	if in.Title == "" {
		bad.Add("title", MsgRequired)
	}
	checkLen(bad, "title", in.Title, 300)
	checkLen(bad, "description", in.Description, 5000)

	in.Rules = cleanRules(in.Rules)
	if utf8.RuneCountInString(in.Rules) > maxRulesLen {
		bad.Add("rules", MsgRulesTooLong)
	}
	for _, r := range in.Rules {
		if r < ' ' && r != '\n' && r != '\t' || r == 0x7f {
			bad.Add("rules", MsgRulesCharacters)
			break
		}
	}

	ctl := Controller{Clean(in.Controller.Name), Clean(in.Controller.Address), Clean(in.Controller.Contact)}
	if !ctl.IsZero() {
		for field, v := range map[string]string{"name": ctl.Name, "address": ctl.Address, "contact": ctl.Contact} {
			if v == "" {
				bad.Add(controllerFieldsPrefix+field, MsgControllerPartial)
			}
		}
		for field, v := range map[string]string{"name": ctl.Name, "address": ctl.Address, "contact": ctl.Contact} {
			if utf8.RuneCountInString(v) > maxControllerLen {
				bad.Add(controllerFieldsPrefix+field, MsgControllerTooLong)
			}
		}
		if ctl.Contact != "" && !contactEmail.MatchString(ctl.Contact) && len(contactDigits.FindAllString(ctl.Contact, -1)) < 8 {
			bad.Add("controller.contact", MsgControllerContact)
		}
	}
	in.Controller = ctl

	switch in.IdentityAt {
	case "":
		in.IdentityAt = IdentityAtRegistration
	case IdentityAtRegistration, IdentityAtPrize:
	default:
		bad.Add("identity_at", MsgIdentityAtInvalid)
	}
	return in
}

// cleanRules keeps the rules as typed but in NFC, with Unix line ends and
// without blank lines or trailing spaces at either end.
func cleanRules(s string) string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(norm.NFC.String(s))
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// CreateContest creates an unpublished contest. Rules left empty start
// from RulesTemplate, for the organizer to edit.
func (c *Catalog) CreateContest(ctx context.Context, in Contest, createdBy int64) (Contest, error) {
	in.Slug = Clean(in.Slug)
	in.CreatedAt = c.now()
	bad := FieldErrors{}
	if in.Slug == "" {
		bad.Add("slug", MsgRequired)
	} else if !slugPattern.MatchString(in.Slug) {
		bad.Add("slug", MsgSlugInvalid)
	}
	in = in.normalizeSettings(bad)
	if err := bad.Err(); err != nil {
		return Contest{}, err
	}
	if in.Rules == "" {
		in.Rules = RulesTemplate
	}
	return c.store.CreateContest(ctx, in, createdBy)
}

// ContestPatch is a change to a contest's settings: nil fields stay as
// they are.
type ContestPatch struct {
	Title             *string
	Description       *string
	Rules             *string
	Controller        *Controller
	IdentityAt        *string
	OnePrizePerPerson *bool
}

// UpdateContest changes a contest's settings; with any field invalid
// nothing changes.
func (c *Catalog) UpdateContest(ctx context.Context, id int64, p ContestPatch) (Contest, error) {
	ct, err := c.store.Contest(ctx, id)
	if err != nil {
		return Contest{}, err
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&ct.Title, p.Title)
	set(&ct.Description, p.Description)
	set(&ct.Rules, p.Rules)
	set(&ct.IdentityAt, p.IdentityAt)
	if p.IdentityAt != nil && *p.IdentityAt == "" {
		ct.IdentityAt = "-" // an empty value sent is a wrong one, not the default
	}
	if p.Controller != nil {
		ct.Controller = *p.Controller
	}
	if p.OnePrizePerPerson != nil {
		ct.OnePrizePerPerson = *p.OnePrizePerPerson
	}
	bad := FieldErrors{}
	ct = ct.normalizeSettings(bad)
	if err := bad.Err(); err != nil {
		return Contest{}, err
	}
	if err := c.store.UpdateContest(ctx, ct); err != nil {
		return Contest{}, err
	}
	return c.announceRounds(ctx, id)
}

// Contest returns a contest with its rounds.
func (c *Catalog) Contest(ctx context.Context, id int64) (Contest, error) {
	return c.store.Contest(ctx, id)
}

// ContestBySlug returns a contest with its rounds.
func (c *Catalog) ContestBySlug(ctx context.Context, slug string) (Contest, error) {
	return c.store.ContestBySlug(ctx, slug)
}

// PublishContest makes a contest and its rounds visible to the public.
func (c *Catalog) PublishContest(ctx context.Context, id int64) error {
	if err := c.store.PublishContest(ctx, id, c.now()); err != nil {
		return err
	}
	_, err := c.announceRounds(ctx, id)
	return err
}

// UnpublishContest hides a contest and its rounds from the public; attempts
// under way go on to their deadline.
func (c *Catalog) UnpublishContest(ctx context.Context, id int64) error {
	if err := c.store.UnpublishContest(ctx, id); err != nil {
		return err
	}
	_, err := c.announceRounds(ctx, id)
	return err
}

// announceRounds announces a change of a contest to each of its rounds
// (RoundChanged), which carry its title and whether it is published, and
// returns the contest as it is now.
func (c *Catalog) announceRounds(ctx context.Context, id int64) (Contest, error) {
	ct, err := c.store.Contest(ctx, id)
	if err != nil {
		return Contest{}, err
	}
	for _, r := range ct.Rounds {
		notify(c.notifier, Event{Kind: RoundChanged, RoundID: r.ID})
	}
	return ct, nil
}

// CloneRound copies a round into the same contest with its times moved on
// by days (next week's round is a copy of this week's), under a new name
// when one is given.
func (c *Catalog) CloneRound(ctx context.Context, roundID int64, days int, name string) (Round, error) {
	r, err := c.store.Round(ctx, roundID)
	if err != nil {
		return Round{}, err
	}
	if days < 0 || days > 3660 {
		return Round{}, &Error{Code: CodeValidation, Message: "days out of range", Fields: map[string]string{"days": MsgOutOfRange}}
	}
	if name = Clean(name); name != "" {
		r.Name = name
	}
	r.ID, r.LockedAt, r.LockedBy = 0, nil, 0
	r.OpensAt, r.ClosesAt = r.OpensAt.AddDate(0, 0, days), r.ClosesAt.AddDate(0, 0, days)
	return c.CreateRound(ctx, r.ContestID, r)
}

// Contests lists contests with their rounds, newest first.
func (c *Catalog) Contests(ctx context.Context, publishedOnly bool) ([]Contest, error) {
	return c.store.Contests(ctx, publishedOnly)
}

// Round returns one round with its contest's title and state.
func (c *Catalog) Round(ctx context.Context, id int64) (Round, error) { return c.store.Round(ctx, id) }

// CreateRound validates a round against its bank and adds it to a contest.
func (c *Catalog) CreateRound(ctx context.Context, contestID int64, r Round) (Round, error) {
	if _, err := c.store.Contest(ctx, contestID); err != nil {
		return Round{}, err
	}
	r.ContestID = contestID
	topics := map[string]int{}
	bankFound := r.BankID != 0
	if bankFound {
		var err error
		topics, err = c.store.TopicCounts(ctx, r.BankID)
		if ErrorCode(err) == CodeNotFound {
			bankFound = false
		} else if err != nil {
			return Round{}, err
		}
	}
	r, err := r.normalize(topics, bankFound)
	if err != nil {
		return Round{}, err
	}
	r.OpensAt, r.ClosesAt = r.OpensAt.UTC(), r.ClosesAt.UTC()
	return c.store.CreateRound(ctx, r)
}

// Codes for changes a round can no longer take.
const (
	CodeRoundLocked  = "round_locked"
	CodeRoundStarted = "round_started"
	MsgFixedOnceUsed = "field.fixed_once_started"
)

// UpdateRound changes a round. Once contestants have started attempts, what
// shapes the draw and the scoring (bank, question count, topic quotas,
// points, time per attempt) stays as it was, so that every attempt of the
// round is judged alike; the rest, times included, may change. A locked
// round does not change at all.
func (c *Catalog) UpdateRound(ctx context.Context, roundID int64, r Round) (Round, error) {
	old, err := c.store.Round(ctx, roundID)
	if err != nil {
		return Round{}, err
	}
	if old.LockedAt != nil {
		return Round{}, Errorf(CodeRoundLocked, "round %d is locked", roundID)
	}
	r.ID, r.ContestID = roundID, old.ContestID
	topics := map[string]int{}
	bankFound := r.BankID != 0
	if bankFound {
		topics, err = c.store.TopicCounts(ctx, r.BankID)
		if ErrorCode(err) == CodeNotFound {
			bankFound = false
		} else if err != nil {
			return Round{}, err
		}
	}
	r, err = r.normalize(topics, bankFound)
	if err != nil {
		return Round{}, err
	}
	started, _, err := c.store.RoundCounts(ctx, roundID)
	if err != nil {
		return Round{}, err
	}
	if started > 0 {
		fixed := FieldErrors{}
		if r.BankID != old.BankID {
			fixed.Add("bank_id", MsgFixedOnceUsed)
		}
		if r.QuestionCount != old.QuestionCount {
			fixed.Add("question_count", MsgFixedOnceUsed)
		}
		if !maps.Equal(r.TopicQuotas, old.TopicQuotas) {
			fixed.Add("topic_quotas", MsgFixedOnceUsed)
		}
		if r.PointsPerQuestion != old.PointsPerQuestion {
			fixed.Add("points_per_question", MsgFixedOnceUsed)
		}
		if r.DurationSeconds != old.DurationSeconds {
			fixed.Add("duration_seconds", MsgFixedOnceUsed)
		}
		if len(fixed) > 0 {
			return Round{}, &Error{Code: CodeRoundStarted, Message: "attempts have started", Fields: fixed}
		}
	}
	r.OpensAt, r.ClosesAt = r.OpensAt.UTC(), r.ClosesAt.UTC()
	updated, err := c.store.UpdateRound(ctx, r)
	if err != nil {
		return Round{}, err
	}
	notify(c.notifier, Event{Kind: RoundChanged, RoundID: roundID})
	return updated, nil
}

// SortedTopics returns the keys of a quota or count map in a stable order.
func SortedTopics(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
