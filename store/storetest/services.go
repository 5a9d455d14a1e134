package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store/internal/rows"
)

// Full is a whole store as hoithi runs on it: every quiz interface the
// services use, the rows the privacy tests read, and hooks for what no
// method reads back and for a second handle on the same data.
type Full interface {
	Store
	quiz.AccountStore
	quiz.ConsentStore
	quiz.AccountAdminStore
	quiz.CatalogStore
	quiz.IssuerStore
	quiz.AuditStore
	quiz.ResultsStore
	quiz.ReportStore
	quiz.StatsStore
	quiz.PrivacyStore
	quiz.LiveStore
	quiz.LiveAnswerWriter
	PrivacyRows
	Setting(ctx context.Context, key string) (value string, ok bool, err error)
	EnsureSetting(ctx context.Context, key, value string) (string, error)
	Close() error
	// ColumnText returns one column of every row of a table as text (NULL
	// as ""), in no particular order.
	ColumnText(ctx context.Context, table, column string) ([]string, error)
	// OpenAgain opens another handle on the store's data, as another
	// process, another node or the same server after a restart does; it is
	// closed at the test's end.
	OpenAgain(t *testing.T) Full
}

// RunServices runs hoithi's services (quiz.Accounts, quiz.Consents,
// quiz.AccountAdmin, quiz.Privacy, quiz.Results, quiz.Live) over the
// stores open opens, and what a store must do across its handles: close,
// open again, and see what another handle wrote.
func RunServices(t *testing.T, open func(t *testing.T) Full) {
	t.Run("ids", func(t *testing.T) { testIDs(t, open) })
	t.Run("closing", func(t *testing.T) { testClose(t, open) })
	t.Run("creating accounts", func(t *testing.T) { testCreateUser(t, open) })
	t.Run("attempts of any length", func(t *testing.T) { testAttemptLengths(t, open) })
	t.Run("consents", func(t *testing.T) { runConsents(t, open) })
	t.Run("a registration hashes its password in its turn", func(t *testing.T) { testRegistrationHashTurn(t, open) })
	t.Run("account administration", func(t *testing.T) { runAccountAdmin(t, open) })
	t.Run("ended sessions reach every process", func(t *testing.T) { testSessionsAcrossHandles(t, open) })
	t.Run("profile corrections", func(t *testing.T) { runCorrections(t, open) })
	t.Run("a purge through another handle moves the ranking version", func(t *testing.T) { testPurgeAcrossHandles(t, open) })
	t.Run("a live game carries on after a restart", func(t *testing.T) { testLiveRestart(t, open) })
}

// served is a bank of questions, an open round on it with prizes, and a
// contestant, in a fresh store.
type served struct {
	s     Full
	bank  quiz.Bank
	round quiz.Round
	user  quiz.User
	pool  quiz.Pool
}

// newServed sets up a bank of questions, an unpublished round drawing
// count of them with maxAttempts (0: no limit), and a contestant who gave
// consent version 1, in a store open opens (Serve).
func newServed(t *testing.T, open func(t *testing.T) Full, questions, count, maxAttempts int) served {
	t.Helper()
	s := open(t)
	x := Serve(t, s, questions, count, maxAttempts)
	return served{s, x.Bank, x.Round, x.User, x.Pool}
}

// newAttempt starts (or resumes) the contestant's attempt at time at.
func (f served) newAttempt(t *testing.T, at time.Time) (quiz.Attempt, bool, error) {
	t.Helper()
	return Served{f.bank, f.round, f.user, f.pool}.Start(t, f.s, at)
}

// Served is what Serve sets up: a bank, a round on it, a contestant and
// the bank's pool of questions.
type Served struct {
	Bank  quiz.Bank
	Round quiz.Round
	User  quiz.User
	Pool  quiz.Pool
}

// Serve sets up, in s, a bank of questions (half on topic A, half on B,
// each with one right option of three), an unpublished round drawing
// count of them with maxAttempts (0: no limit) and at least one on topic
// A, and a contestant who gave consent version 1. A store's own tests use
// it too.
func Serve(t *testing.T, s Full, questions, count, maxAttempts int) Served {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	bank, err := s.CreateBank(ctx, quiz.Bank{Name: "Ngân hàng", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	var qs []quiz.Question
	for i := range questions {
		qs = append(qs, quiz.Question{Topic: []string{"A", "B"}[i%2], Text: fmt.Sprintf("Câu %d?", i),
			Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}, {Text: "Có thể"}}})
	}
	if _, err := s.AddQuestions(ctx, bank.ID, qs); err != nil {
		t.Fatal(err)
	}
	contest, err := s.CreateContest(ctx, quiz.Contest{Slug: "thi", Title: "Hội thi", CreatedAt: now}, 0)
	if err != nil {
		t.Fatal(err)
	}
	round, err := s.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "Tuần 1", BankID: bank.ID,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), DurationSeconds: 600, QuestionCount: count,
		TopicQuotas: map[string]int{"A": 1}, PointsPerQuestion: 2, MaxAttempts: maxAttempts,
		Reveal: quiz.RevealAfterSubmit, Prizes: []quiz.Prize{{Name: "Giải Nhất", Count: 1}, {Name: "Giải Nhì", Count: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	user, err := s.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Nguyễn Văn An", Phone: "0912345678",
		CreatedAt: now}, "hash", &quiz.Consent{Purpose: quiz.PurposeContest, Version: "contest-2026-01", AgreedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := s.Pool(ctx, bank.ID)
	if err != nil {
		t.Fatal(err)
	}
	return Served{bank, round, user, pool}
}

// Start starts (or resumes) the contestant's attempt in s at time at,
// its questions drawn with a seed made of at.
func (f Served) Start(t *testing.T, s quiz.PlayStore, at time.Time) (quiz.Attempt, bool, error) {
	t.Helper()
	var seed quiz.Seed
	seed[0] = byte(at.UnixNano())
	drawn, err := quiz.Draw(f.Pool.Questions, f.Round.QuestionCount, f.Round.TopicQuotas, seed)
	if err != nil {
		t.Fatal(err)
	}
	return s.StartAttempt(context.Background(), quiz.NewAttempt{RoundID: f.Round.ID, UserID: f.User.ID, Seed: seed,
		StartedAt: at, Deadline: at.Add(10 * time.Minute), Questions: drawn, MaxAttempts: f.Round.MaxAttempts})
}

// submitted starts the contestant's attempt and submits it at once.
func (f served) submitted(t *testing.T) quiz.Attempt {
	t.Helper()
	a, _, err := f.newAttempt(t, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SubmitAttempt(context.Background(), quiz.Submission{AttemptID: a.ID, SubmittedAt: time.Now(),
		Points: 1}); err != nil {
		t.Fatal(err)
	}
	return a
}

func testIDs(t *testing.T, open func(t *testing.T) Full) {
	t.Run("questions, options, accounts and attempts get random 15-digit ids; banks and rounds counted ones", func(t *testing.T) {
		f := newServed(t, open, 4, 2, 0)
		random := func(kind string, id int64) {
			t.Helper()
			if id < rows.MinRandomID || id > rows.MaxRandomID {
				t.Errorf("%s id %d, want a random id", kind, id)
			}
		}
		for _, q := range f.pool.Questions {
			random("question", q.ID)
			for _, o := range q.OptionIDs {
				random("option", o)
			}
		}
		random("user", f.user.ID)
		a, _, err := f.newAttempt(t, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		random("attempt", a.ID)
		for kind, id := range map[string]int64{"bank": f.bank.ID, "round": f.round.ID} {
			if id >= rows.MinRandomID {
				t.Errorf("%s id %d, want a counted one", kind, id)
			}
		}
	})

	t.Run("an account, a round, an attempt or a bank that does not exist is not found", func(t *testing.T) {
		s := open(t)
		ctx := context.Background()
		_, errUser := s.User(ctx, 42)
		_, errRound := s.Round(ctx, 42)
		_, errAttempt := s.Attempt(ctx, 42)
		_, errBank := s.Bank(ctx, 42)
		for what, err := range map[string]error{"account": errUser, "round": errRound, "attempt": errAttempt, "bank": errBank} {
			if quiz.ErrorCode(err) != quiz.CodeNotFound {
				t.Errorf("%s 42: got %v, want %s", what, err, quiz.CodeNotFound)
			}
		}
	})
}

func testClose(t *testing.T, open func(t *testing.T) Full) {
	t.Run("writes queued at Close are committed or refused, and those acknowledged are kept", func(t *testing.T) {
		s := open(t)
		ctx := context.Background()
		const writes = 50
		var acknowledged atomic.Int32
		var wg sync.WaitGroup
		for i := range writes {
			wg.Go(func() {
				if _, err := s.EnsureSetting(ctx, fmt.Sprint("q", i), "v"); err == nil {
					acknowledged.Add(1)
				}
			})
		}
		time.Sleep(5 * time.Millisecond)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		again := s.OpenAgain(t)
		stored := int32(0)
		for i := range writes {
			if _, ok, err := again.Setting(ctx, fmt.Sprint("q", i)); err != nil {
				t.Fatal(err)
			} else if ok {
				stored++
			}
		}
		if stored != acknowledged.Load() {
			t.Errorf("%d writes acknowledged, %d stored", acknowledged.Load(), stored)
		}
		if _, err := again.EnsureSetting(ctx, "after", "v"); err != nil {
			t.Errorf("the store opened again refused a write: %v", err)
		}
	})

	t.Run("a write after Close fails", func(t *testing.T) {
		s := open(t)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnsureSetting(context.Background(), "k", "v"); err == nil {
			t.Error("got no error, want the write refused")
		}
	})
}

func testCreateUser(t *testing.T, open func(t *testing.T) Full) {
	f := newServed(t, open, 4, 2, 1)
	ctx := context.Background()

	t.Run("a taken phone is named, and the e-mail beside it, unused, is not", func(t *testing.T) {
		_, err := f.s.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Khác", Phone: "0912345678",
			Email: "x@y.vn", CreatedAt: time.Now()}, "h", nil)
		var qe *quiz.Error
		if !errors.As(err, &qe) || qe.Code != quiz.CodeAccountExists || qe.Fields["phone"] != quiz.MsgPhoneTaken {
			t.Fatalf("got %v, want %s naming the phone", err, quiz.CodeAccountExists)
		}
		if _, taken := qe.Fields["email"]; taken {
			t.Errorf("the unused e-mail is reported taken: %v", qe.Fields)
		}
	})
	t.Run("an e-mail differing only in case is taken", func(t *testing.T) {
		if _, err := f.s.CreateUser(ctx, quiz.User{Role: quiz.RoleOrganizer, FullName: "Org", Email: "Org@Y.vn",
			CreatedAt: time.Now()}, "h", nil); err != nil {
			t.Fatal(err)
		}
		_, err := f.s.CreateUser(ctx, quiz.User{Role: quiz.RoleOrganizer, FullName: "Org 2", Email: "org@y.vn",
			CreatedAt: time.Now()}, "h", nil)
		wantCode(t, err, quiz.CodeAccountExists)
	})
	t.Run("the account signs in by its phone and keeps the consent given at registration", func(t *testing.T) {
		u, hash, err := f.s.UserByLogin(ctx, "0912345678")
		if err != nil || u.ID != f.user.ID || hash != "hash" {
			t.Errorf("got %+v, %q, %v; want account %d with its hash", u, hash, err, f.user.ID)
		}
		consents, err := f.s.Consents(ctx, f.user.ID)
		if err != nil || len(consents) != 1 || consents[0].Version != "contest-2026-01" {
			t.Errorf("consents %+v, %v; want the one given at registration", consents, err)
		}
	})
	t.Run("a round reads back with its prizes and its contest's slug, and shows its contest published at once", func(t *testing.T) {
		r, err := f.s.Round(ctx, f.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Prizes) != 2 || r.Prizes[1] != (quiz.Prize{Name: "Giải Nhì", Count: 2}) || r.ContestSlug != "thi" || r.ContestPublished {
			t.Errorf("round %+v, want two prizes, contest thi, unpublished", r)
		}
		if err := f.s.PublishContest(ctx, r.ContestID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if again, _ := f.s.Round(ctx, r.ID); !again.ContestPublished {
			t.Error("publishing did not show on the round")
		}
	})
}

// testAttemptLengths stores attempts of lengths that a store inserting
// rows in batches (SQLite: ten, five and one a statement) splits every
// way.
func testAttemptLengths(t *testing.T, open func(t *testing.T) Full) {
	for _, count := range []int{1, 4, 5, 9, 10, 16, 23} {
		t.Run(fmt.Sprintf("an attempt drawing %d keeps its questions and their options in the drawn order", count), func(t *testing.T) {
			f := newServed(t, open, count, count, 0)
			a, created, err := f.newAttempt(t, time.Now().UTC())
			if err != nil || !created {
				t.Fatalf("start: %v (created %v)", err, created)
			}
			drawn, err := quiz.Draw(f.pool.Questions, count, f.round.TopicQuotas, a.Seed)
			if err != nil {
				t.Fatal(err)
			}
			d, err := f.s.AttemptDetail(context.Background(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Questions) != count {
				t.Fatalf("%d questions stored, want %d", len(d.Questions), count)
			}
			for i, q := range d.Questions {
				if q.ID != drawn[i].QuestionID || len(q.Options) != len(drawn[i].OptionOrder) {
					t.Fatalf("question %d is %d with %d options, want %d with %d", i+1, q.ID, len(q.Options),
						drawn[i].QuestionID, len(drawn[i].OptionOrder))
				}
				for j, o := range q.Options {
					if o.ID != drawn[i].OptionOrder[j] {
						t.Errorf("question %d option %d is %d, want %d", i+1, j+1, o.ID, drawn[i].OptionOrder[j])
					}
				}
			}
		})
	}
}

// testPurgeAcrossHandles purges through another handle, as the purge
// command in another process (or another node) does: the server's
// handle must see that its ranking is stale.
func testPurgeAcrossHandles(t *testing.T, open func(t *testing.T) Full) {
	ctx := context.Background()
	server := open(t)
	now := time.Now().UTC()
	bank, err := server.CreateBank(ctx, quiz.Bank{Name: "b", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	contest, err := server.CreateContest(ctx, quiz.Contest{Slug: "c", Title: "Hội thi", CreatedAt: now}, 0)
	if err != nil {
		t.Fatal(err)
	}
	round, err := server.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "Tuần 1", BankID: bank.ID,
		OpensAt: now.Add(-2 * time.Hour), ClosesAt: now.Add(-time.Hour), DurationSeconds: 600, QuestionCount: 3,
		PointsPerQuestion: 1, Reveal: quiz.RevealAfterClose})
	if err != nil {
		t.Fatal(err)
	}
	user, err := server.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Nguyễn Văn An", Phone: "0912345678",
		IDNumber: "001090012345", CreatedAt: now.Add(-time.Hour)}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := server.InsertResultRow(ctx, ResultRow{RoundID: round.ID, Position: 1, Rank: 1, PrizeTier: 1, Prize: "Giải Nhất",
		UserID: user.ID, Name: user.FullName, IDNumber: user.IDNumber, Phone: user.Phone}); err != nil {
		t.Fatal(err)
	}
	before, err := server.RankingVersion(ctx, round.ID)
	if err != nil {
		t.Fatal(err)
	}
	command := server.OpenAgain(t)
	if _, err := command.Purge(ctx, quiz.PurgeReport{Cutoff: now, At: now}, func(quiz.PurgeReport) quiz.AuditEntry {
		return quiz.AuditEntry{At: now, Action: quiz.AuditPurge}
	}); err != nil {
		t.Fatal(err)
	}
	if err := command.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := server.RankingVersion(ctx, round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.All <= before.All {
		t.Errorf("version %+v before the purge, %+v after: the server cannot tell its ranking is stale", before, after)
	}
	if row := resultRow(t, server, round.ID, 1); row.IDNumber != "" || row.Phone != "" {
		t.Errorf("the purge left %+v", row)
	}
}

// testRegistrationHashTurn: a registration's password hash runs in the turn the context carries, and
// only the hash: a refused turn stores nothing.
func testRegistrationHashTurn(t *testing.T, open func(t *testing.T) Full) {
	db := open(t)
	a := quiz.NewAccounts(db, PlainHasher{}, []quiz.Province{{Code: "01", Name: "Hà Nội"}}, time.Now)
	reg := func(phone string) quiz.Registration {
		return quiz.Registration{FullName: "Nguyễn Văn An", BirthDate: "1990-05-12", IDNumber: "001090012345",
			Phone: phone, Province: "01", Password: "mat-khau-123", Consent: true}
	}
	turns := 0
	ctx := quiz.WithHashTurn(context.Background(), func(work func()) error {
		turns++
		work()
		return nil
	})
	if _, err := a.Register(ctx, reg("0911111111"), quiz.ClientInfo{}); err != nil {
		t.Fatal(err)
	}
	if turns != 1 {
		t.Errorf("the registration took %d hashing turns, want 1", turns)
	}
	if _, err := a.Register(ctx, quiz.Registration{FullName: "Thiếu Mật Khẩu"}, quiz.ClientInfo{}); quiz.ErrorCode(err) != quiz.CodeValidation || turns != 1 {
		t.Errorf("an invalid registration: %v after %d turns; want validation_failed without a turn", err, turns)
	}
	full := quiz.Errorf(quiz.CodeRateLimited, "the queue is full")
	refused := quiz.WithHashTurn(context.Background(), func(func()) error { return full })
	if _, err := a.Register(refused, reg("0922222222"), quiz.ClientInfo{}); err != full {
		t.Errorf("a refused turn gave %v, want its error", err)
	}
	if _, _, err := db.UserByLogin(context.Background(), "0922222222"); quiz.ErrorCode(err) != quiz.CodeNotFound {
		t.Errorf("a registration refused its turn was stored: %v", err)
	}
}
