package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
)

// CatalogStore is what the catalog contract tests use of a store: banks,
// contests and rounds, certificate issuers and the audit log, with what
// sets up attempts to count, and two hooks a test file writes for its
// store.
type CatalogStore interface {
	quiz.CatalogStore
	quiz.IssuerStore
	quiz.AuditStore
	CreateUser(ctx context.Context, u quiz.User, passwordHash string, consent *quiz.Consent) (quiz.User, error)
	BankVersion(ctx context.Context, bankID int64) (int64, error)
	Pool(ctx context.Context, bankID int64) (quiz.Pool, error)
	StartAttempt(ctx context.Context, na quiz.NewAttempt) (quiz.Attempt, bool, error)
	SubmitAttempt(ctx context.Context, s quiz.Submission) (quiz.Result, error)
	// LockForTest locks the round as an official's lock does, by the
	// account by, with no winners.
	LockForTest(ctx context.Context, r quiz.Round, by int64) error
	// EveryRankingVersion returns the ranking counter that moves with every
	// change that can move any round's ranking (quiz.RankingVersion.All).
	EveryRankingVersion(ctx context.Context) (int64, error)
}

// RunCatalog runs the catalog contract tests against the stores open
// opens, each test on a fresh, empty store.
func RunCatalog(t *testing.T, open func(t *testing.T) CatalogStore) {
	t.Run("banks", func(t *testing.T) { testBanks(t, open) })
	t.Run("questions", func(t *testing.T) { testQuestions(t, open) })
	t.Run("contests", func(t *testing.T) { testContests(t, open) })
	t.Run("rounds", func(t *testing.T) { testRounds(t, open) })
	t.Run("audit log", func(t *testing.T) { testAuditLog(t, open) })
	t.Run("certificate issuers", func(t *testing.T) { testIssuers(t, open) })
}

// catalogAt is the time the catalog tests' rows are created at, a whole
// number of milliseconds as the stores keep times.
var catalogAt = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

// catalog is a fresh store with a bank of questions and an official.
type catalog struct {
	store    CatalogStore
	bank     quiz.Bank
	official quiz.User
}

func newCatalog(t *testing.T, open func(t *testing.T) CatalogStore) catalog {
	t.Helper()
	c := catalog{store: open(t)}
	c.bank = c.mustBank(t, "Pháp luật")
	c.mustQuestions(t, c.bank.ID, "Câu", 6)
	var err error
	c.official, err = c.store.CreateUser(context.Background(), quiz.User{Role: quiz.RoleOfficial, FullName: "Cán bộ",
		Phone: "0912000000", CreatedAt: catalogAt}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (c catalog) mustBank(t *testing.T, name string) quiz.Bank {
	t.Helper()
	b, err := c.store.CreateBank(context.Background(), quiz.Bank{Name: name, Description: "Mô tả " + name, CreatedAt: catalogAt})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustQuestions adds n questions named prefix 1…n to a bank, topics A and B
// in turn, the first option correct; it returns their ids.
func (c catalog) mustQuestions(t *testing.T, bankID int64, prefix string, n int) []int64 {
	t.Helper()
	qs := make([]quiz.Question, n)
	for i := range qs {
		qs[i] = quiz.Question{Topic: []string{"A", "B"}[i%2], Text: fmt.Sprintf("%s %d?", prefix, i+1),
			Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}}}
	}
	ids, err := c.store.AddQuestions(context.Background(), bankID, qs)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (c catalog) mustContest(t *testing.T, slug string, created time.Time) quiz.Contest {
	t.Helper()
	contest, err := c.store.CreateContest(context.Background(), quiz.Contest{Slug: slug, Title: "Hội thi " + slug,
		CreatedAt: created}, c.official.ID)
	if err != nil {
		t.Fatal(err)
	}
	return contest
}

func (c catalog) mustRound(t *testing.T, contestID int64, name string, opens time.Time) quiz.Round {
	t.Helper()
	r, err := c.store.CreateRound(context.Background(), quiz.Round{ContestID: contestID, Name: name, BankID: c.bank.ID,
		OpensAt: opens, ClosesAt: opens.Add(24 * time.Hour), DurationSeconds: 600, QuestionCount: 3,
		TopicQuotas: map[string]int{"A": 1}, PointsPerQuestion: 1, Reveal: quiz.RevealAfterClose,
		Prizes: []quiz.Prize{{Name: "Giải Nhất", Count: 1}, {Name: "Giải Nhì", Count: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (c catalog) questionTexts(t *testing.T, bankID int64) []string {
	t.Helper()
	qs, err := c.store.Questions(context.Background(), bankID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, q := range qs {
		text := q.Text
		if q.Retired {
			text += " (retired)"
		}
		out = append(out, text)
	}
	return out
}

func (c catalog) bankVersion(t *testing.T, bankID int64) int64 {
	t.Helper()
	v, err := c.store.BankVersion(context.Background(), bankID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// grownBankVersion fails the test unless the bank's version has grown
// past before; it returns the version.
func (c catalog) grownBankVersion(t *testing.T, bankID, before int64) int64 {
	t.Helper()
	after := c.bankVersion(t, bankID)
	if after <= before {
		t.Errorf("bank version %d then %d, want it to grow", before, after)
	}
	return after
}

func testBanks(t *testing.T, open func(t *testing.T) CatalogStore) {
	ctx := context.Background()

	t.Run("are listed in the order created, each counting its questions in use", func(t *testing.T) {
		c := newCatalog(t, open)
		empty := c.mustBank(t, "Giao thông")
		ids := c.mustQuestions(t, c.bank.ID, "Thêm", 2)
		if err := c.store.SetRetired(ctx, c.bank.ID, ids[0], true, catalogAt); err != nil {
			t.Fatal(err)
		}
		banks, err := c.store.Banks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []quiz.Bank{
			{ID: c.bank.ID, Name: "Pháp luật", Description: "Mô tả Pháp luật", QuestionCount: 7, CreatedAt: catalogAt},
			{ID: empty.ID, Name: "Giao thông", Description: "Mô tả Giao thông", QuestionCount: 0, CreatedAt: catalogAt},
		}
		if !slices.EqualFunc(banks, want, sameBank) {
			t.Errorf("got banks %+v, want %+v", banks, want)
		}
	})

	t.Run("read back by id and by exact name, and are not found otherwise", func(t *testing.T) {
		c := newCatalog(t, open)
		byID, err := c.store.Bank(ctx, c.bank.ID)
		if err != nil {
			t.Fatal(err)
		}
		byName, err := c.store.BankByName(ctx, "Pháp luật")
		if err != nil {
			t.Fatal(err)
		}
		want := quiz.Bank{ID: c.bank.ID, Name: "Pháp luật", Description: "Mô tả Pháp luật", QuestionCount: 6, CreatedAt: catalogAt}
		if !sameBank(byID, want) || !sameBank(byName, want) {
			t.Errorf("got %+v by id and %+v by name, want %+v", byID, byName, want)
		}
		_, err = c.store.Bank(ctx, c.bank.ID+1000)
		wantCode(t, err, quiz.CodeNotFound)
		_, err = c.store.BankByName(ctx, "pháp luật")
		wantCode(t, err, quiz.CodeNotFound)
	})

	t.Run("refuses a second bank of the same name", func(t *testing.T) {
		c := newCatalog(t, open)
		_, err := c.store.CreateBank(ctx, quiz.Bank{Name: "Pháp luật", CreatedAt: catalogAt})
		wantCode(t, err, quiz.CodeBankNameTaken)
	})
}

func sameBank(a, b quiz.Bank) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Description == b.Description &&
		a.QuestionCount == b.QuestionCount && a.CreatedAt.Equal(b.CreatedAt)
}

func testQuestions(t *testing.T, open func(t *testing.T) CatalogStore) {
	ctx := context.Background()

	t.Run("list in the order added with their options in order, across imports", func(t *testing.T) {
		c := newCatalog(t, open)
		other := c.mustBank(t, "Giao thông")
		c.mustQuestions(t, other.ID, "Khác", 2)
		ids, err := c.store.AddQuestions(ctx, c.bank.ID, []quiz.Question{{Topic: "C", Text: "Cuối?",
			Explanation: "Vì thế", Reference: "Điều 5", Difficulty: "khó",
			Options: []quiz.Option{{Text: "Một"}, {Text: "Hai", Correct: true}, {Text: "Ba", Correct: true}}}})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Câu 1?", "Câu 2?", "Câu 3?", "Câu 4?", "Câu 5?", "Câu 6?", "Cuối?"}
		if got := c.questionTexts(t, c.bank.ID); !slices.Equal(got, want) {
			t.Errorf("got questions %q, want %q", got, want)
		}
		qs, err := c.store.Questions(ctx, c.bank.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := qs[len(qs)-1]
		var options []string
		for _, o := range last.Options {
			options = append(options, fmt.Sprintf("%s %v", o.Text, o.Correct))
		}
		if last.ID != ids[0] || last.BankID != c.bank.ID || last.Topic != "C" || last.Explanation != "Vì thế" ||
			last.Reference != "Điều 5" || last.Difficulty != "khó" || last.Retired ||
			!slices.Equal(options, []string{"Một false", "Hai true", "Ba true"}) {
			t.Errorf("got %+v with options %q, want the question as added", last, options)
		}
	})

	t.Run("of a bank that does not exist are none", func(t *testing.T) {
		c := newCatalog(t, open)
		qs, err := c.store.Questions(ctx, c.bank.ID+1000)
		if err != nil || len(qs) != 0 {
			t.Errorf("got %d questions, error %v; want none and no error", len(qs), err)
		}
	})

	t.Run("retiring one takes it out of the counts until it is put back", func(t *testing.T) {
		c := newCatalog(t, open)
		qs, _ := c.store.Questions(ctx, c.bank.ID)
		before := c.bankVersion(t, c.bank.ID)
		if err := c.store.SetRetired(ctx, c.bank.ID, qs[0].ID, true, catalogAt); err != nil {
			t.Fatal(err)
		}
		if got := c.questionTexts(t, c.bank.ID); got[0] != "Câu 1? (retired)" || len(got) != 6 {
			t.Errorf("got questions %q, want all six, the first retired", got)
		}
		counts, err := c.store.TopicCounts(ctx, c.bank.ID)
		if err != nil || counts["A"] != 2 || counts["B"] != 3 {
			t.Errorf("got topic counts %v (%v), want A 2 and B 3", counts, err)
		}
		if b, _ := c.store.Bank(ctx, c.bank.ID); b.QuestionCount != 5 {
			t.Errorf("the bank counts %d questions, want 5", b.QuestionCount)
		}
		retired := c.grownBankVersion(t, c.bank.ID, before)
		if err := c.store.SetRetired(ctx, c.bank.ID, qs[0].ID, false, catalogAt); err != nil {
			t.Fatal(err)
		}
		if counts, _ := c.store.TopicCounts(ctx, c.bank.ID); counts["A"] != 3 {
			t.Errorf("got topic counts %v, want A 3 again", counts)
		}
		c.grownBankVersion(t, c.bank.ID, retired)
	})

	t.Run("retiring a question of another bank, or none, is not found and changes nothing", func(t *testing.T) {
		c := newCatalog(t, open)
		other := c.mustBank(t, "Giao thông")
		qs, _ := c.store.Questions(ctx, c.bank.ID)
		before := c.bankVersion(t, other.ID)
		wantCode(t, c.store.SetRetired(ctx, other.ID, qs[0].ID, true, catalogAt), quiz.CodeNotFound)
		wantCode(t, c.store.SetRetired(ctx, c.bank.ID, 42, true, catalogAt), quiz.CodeNotFound)
		if after := c.bankVersion(t, other.ID); after != before {
			t.Errorf("bank version %d then %d, want it unchanged", before, after)
		}
		if got := c.questionTexts(t, c.bank.ID); got[0] != "Câu 1?" {
			t.Errorf("got questions %q, want the first in use", got)
		}
	})

	t.Run("replacing one retires it and adds its new version at the end", func(t *testing.T) {
		c := newCatalog(t, open)
		qs, _ := c.store.Questions(ctx, c.bank.ID)
		before := c.bankVersion(t, c.bank.ID)
		id, err := c.store.ReplaceQuestion(ctx, c.bank.ID, qs[1].ID, quiz.Question{Topic: "B", Text: "Câu 2 sửa?",
			Options: []quiz.Option{{Text: "Có", Correct: true}, {Text: "Không"}}}, catalogAt)
		if err != nil {
			t.Fatal(err)
		}
		if id == qs[1].ID || id == 0 {
			t.Errorf("the new version has id %d, want a new id (the old is %d)", id, qs[1].ID)
		}
		want := []string{"Câu 1?", "Câu 2? (retired)", "Câu 3?", "Câu 4?", "Câu 5?", "Câu 6?", "Câu 2 sửa?"}
		if got := c.questionTexts(t, c.bank.ID); !slices.Equal(got, want) {
			t.Errorf("got questions %q, want %q", got, want)
		}
		if counts, _ := c.store.TopicCounts(ctx, c.bank.ID); counts["B"] != 3 {
			t.Errorf("got topic counts %v, want B 3 still", counts)
		}
		c.grownBankVersion(t, c.bank.ID, before)
	})

	t.Run("replacing a retired question, or one of another bank, is not found and adds nothing", func(t *testing.T) {
		c := newCatalog(t, open)
		other := c.mustBank(t, "Giao thông")
		qs, _ := c.store.Questions(ctx, c.bank.ID)
		if err := c.store.SetRetired(ctx, c.bank.ID, qs[0].ID, true, catalogAt); err != nil {
			t.Fatal(err)
		}
		q := quiz.Question{Text: "Mới?", Options: []quiz.Option{{Text: "Có", Correct: true}, {Text: "Không"}}}
		_, err := c.store.ReplaceQuestion(ctx, c.bank.ID, qs[0].ID, q, catalogAt)
		wantCode(t, err, quiz.CodeNotFound)
		_, err = c.store.ReplaceQuestion(ctx, other.ID, qs[1].ID, q, catalogAt)
		wantCode(t, err, quiz.CodeNotFound)
		if got := c.questionTexts(t, c.bank.ID); len(got) != 6 || got[1] != "Câu 2?" {
			t.Errorf("got questions %q, want the six as they were", got)
		}
		if got := c.questionTexts(t, other.ID); len(got) != 0 {
			t.Errorf("the other bank has questions %q, want none", got)
		}
	})

	t.Run("topic counts of a bank that does not exist are not found", func(t *testing.T) {
		c := newCatalog(t, open)
		_, err := c.store.TopicCounts(ctx, c.bank.ID+1000)
		wantCode(t, err, quiz.CodeNotFound)
	})

	t.Run("imports into several banks at once are all stored, each in its order", func(t *testing.T) {
		c := newCatalog(t, open)
		const imports = 6
		banks := make([]quiz.Bank, imports)
		for i := range banks {
			banks[i] = c.mustBank(t, fmt.Sprintf("Ngân hàng %d", i))
		}
		var wg sync.WaitGroup
		errs := make([]error, imports)
		for i, b := range banks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var qs []quiz.Question
				for n := range 5 {
					qs = append(qs, quiz.Question{Text: fmt.Sprintf("%d.%d?", i, n),
						Options: []quiz.Option{{Text: "Có", Correct: true}, {Text: "Không"}}})
				}
				_, errs[i] = c.store.AddQuestions(ctx, b.ID, qs)
			}()
		}
		wg.Wait()
		for i, b := range banks {
			if errs[i] != nil {
				t.Errorf("import %d: %v", i, errs[i])
				continue
			}
			want := []string{fmt.Sprintf("%d.0?", i), fmt.Sprintf("%d.1?", i), fmt.Sprintf("%d.2?", i),
				fmt.Sprintf("%d.3?", i), fmt.Sprintf("%d.4?", i)}
			if got := c.questionTexts(t, b.ID); !slices.Equal(got, want) {
				t.Errorf("bank %d has %q, want %q", i, got, want)
			}
		}
	})
}

// contestSlugs returns the slugs of contests in their order.
func contestSlugs(cs []quiz.Contest) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Slug)
	}
	return out
}

func roundNames(rs []quiz.Round) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func testContests(t *testing.T, open func(t *testing.T) CatalogStore) {
	ctx := context.Background()

	t.Run("are listed newest first with their rounds by opening time, the published alone when asked", func(t *testing.T) {
		c := newCatalog(t, open)
		first := c.mustContest(t, "dau", catalogAt)
		second := c.mustContest(t, "hai", catalogAt.Add(time.Minute))
		c.mustContest(t, "ba", catalogAt.Add(time.Minute)) // same time: the later id first
		c.mustRound(t, first.ID, "Đợt sau", catalogAt.Add(48*time.Hour))
		c.mustRound(t, first.ID, "Đợt trước", catalogAt.Add(24*time.Hour))
		c.mustRound(t, second.ID, "Đợt một", catalogAt)
		if err := c.store.PublishContest(ctx, second.ID, catalogAt); err != nil {
			t.Fatal(err)
		}
		all, err := c.store.Contests(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := contestSlugs(all), []string{"ba", "hai", "dau"}; !slices.Equal(got, want) {
			t.Fatalf("got contests %q, want %q", got, want)
		}
		if got := roundNames(all[2].Rounds); !slices.Equal(got, []string{"Đợt trước", "Đợt sau"}) {
			t.Errorf("the first contest has rounds %q, want them by opening time", got)
		}
		if len(all[0].Rounds) != 0 || len(all[1].Rounds) != 1 || all[1].Rounds[0].Prizes[1].Name != "Giải Nhì" {
			t.Errorf("got rounds %q and %+v, want none and the one round with its prizes",
				roundNames(all[0].Rounds), all[1].Rounds)
		}
		published, err := c.store.Contests(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := contestSlugs(published); !slices.Equal(got, []string{"hai"}) || published[0].PublishedAt == nil ||
			!published[0].PublishedAt.Equal(catalogAt) {
			t.Errorf("got published contests %q (%+v), want hai published at %v", got, published, catalogAt)
		}
	})

	t.Run("are none when there are none", func(t *testing.T) {
		c := newCatalog(t, open)
		all, err := c.store.Contests(ctx, false)
		if err != nil || len(all) != 0 {
			t.Errorf("got %d contests, error %v; want none", len(all), err)
		}
	})

	t.Run("read back by id and by slug with their settings and rounds, and are not found otherwise", func(t *testing.T) {
		c := newCatalog(t, open)
		in := quiz.Contest{Slug: "phap-luat", Title: "Tìm hiểu pháp luật", Description: "Mô tả", OnePrizePerPerson: true,
			Rules: "Điều 1.", Controller: quiz.Controller{Name: "Sở Tư pháp", Address: "Số 1", Contact: "0233"},
			IdentityAt: quiz.IdentityAtPrize, CreatedAt: catalogAt}
		created, err := c.store.CreateContest(ctx, in, c.official.ID)
		if err != nil {
			t.Fatal(err)
		}
		c.mustRound(t, created.ID, "Tuần 1", catalogAt)
		byID, err := c.store.Contest(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		bySlug, err := c.store.ContestBySlug(ctx, "phap-luat")
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []quiz.Contest{byID, bySlug} {
			if got.ID != created.ID || got.Title != in.Title || got.Description != in.Description || !got.OnePrizePerPerson ||
				got.Rules != in.Rules || got.Controller != in.Controller || got.IdentityAt != quiz.IdentityAtPrize ||
				!got.CreatedAt.Equal(catalogAt) || got.PublishedAt != nil || len(got.Rounds) != 1 ||
				got.Rounds[0].ContestTitle != in.Title {
				t.Errorf("got %+v, want %+v with its round", got, in)
			}
		}
		_, err = c.store.Contest(ctx, created.ID+1000)
		wantCode(t, err, quiz.CodeNotFound)
		_, err = c.store.ContestBySlug(ctx, "khong-co")
		wantCode(t, err, quiz.CodeNotFound)
	})

	t.Run("an edit stores every setting and shows on the contest's rounds at once", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		r := c.mustRound(t, contest.ID, "Tuần 1", catalogAt)
		if _, err := c.store.Round(ctx, r.ID); err != nil { // read, and kept for a while
			t.Fatal(err)
		}
		contest.Title, contest.Description, contest.Rules = "Tên mới", "Mô tả mới", "Thể lệ mới"
		contest.OnePrizePerPerson, contest.IdentityAt = true, quiz.IdentityAtPrize
		contest.Controller = quiz.Controller{Name: "UBND tỉnh", Address: "Số 2", Contact: "0234"}
		if err := c.store.UpdateContest(ctx, contest); err != nil {
			t.Fatal(err)
		}
		got, err := c.store.Contest(ctx, contest.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Tên mới" || got.Description != "Mô tả mới" || got.Rules != "Thể lệ mới" || !got.OnePrizePerPerson ||
			got.IdentityAt != quiz.IdentityAtPrize || got.Controller != contest.Controller || got.Slug != "thi" {
			t.Errorf("got %+v, want the edit", got)
		}
		round, err := c.store.Round(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if round.ContestTitle != "Tên mới" || !round.ContestOnePrize || round.ContestIdentityAt != quiz.IdentityAtPrize ||
			round.ContestController != contest.Controller {
			t.Errorf("the round shows its contest as %q, one prize %v, identity at %q, controller %+v; want the edit",
				round.ContestTitle, round.ContestOnePrize, round.ContestIdentityAt, round.ContestController)
		}
		contest.IdentityAt = ""
		if err := c.store.UpdateContest(ctx, contest); err != nil {
			t.Fatal(err)
		}
		if got, _ := c.store.Contest(ctx, contest.ID); got.IdentityAt != quiz.IdentityAtRegistration {
			t.Errorf("an unset identity rule is stored as %q, want %q", got.IdentityAt, quiz.IdentityAtRegistration)
		}
	})

	t.Run("an edit of a contest that does not exist is not found", func(t *testing.T) {
		c := newCatalog(t, open)
		wantCode(t, c.store.UpdateContest(ctx, quiz.Contest{ID: 42, Title: "Không có"}), quiz.CodeNotFound)
	})

	t.Run("unpublishing hides a contest at once and publishing again gives it the new time", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		r := c.mustRound(t, contest.ID, "Tuần 1", catalogAt)
		if err := c.store.PublishContest(ctx, contest.ID, catalogAt); err != nil {
			t.Fatal(err)
		}
		if round, _ := c.store.Round(ctx, r.ID); !round.ContestPublished {
			t.Fatal("the round of a published contest reads as unpublished")
		}
		if err := c.store.UnpublishContest(ctx, contest.ID); err != nil {
			t.Fatal(err)
		}
		if round, _ := c.store.Round(ctx, r.ID); round.ContestPublished {
			t.Error("the round of an unpublished contest reads as published")
		}
		if got, _ := c.store.Contest(ctx, contest.ID); got.PublishedAt != nil {
			t.Errorf("the unpublished contest reads as published at %v", got.PublishedAt)
		}
		if published, _ := c.store.Contests(ctx, true); len(published) != 0 {
			t.Errorf("got published contests %q, want none", contestSlugs(published))
		}
		again := catalogAt.Add(time.Hour)
		if err := c.store.PublishContest(ctx, contest.ID, again); err != nil {
			t.Fatal(err)
		}
		if got, _ := c.store.Contest(ctx, contest.ID); got.PublishedAt == nil || !got.PublishedAt.Equal(again) {
			t.Errorf("published again at %v, want %v", got.PublishedAt, again)
		}
		wantCode(t, c.store.UnpublishContest(ctx, contest.ID+1000), quiz.CodeNotFound)
	})

	t.Run("edits move every round's ranking version and refused edits do not", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		r := c.mustRound(t, contest.ID, "Tuần 1", catalogAt)
		version := func() int64 {
			t.Helper()
			v, err := c.store.EveryRankingVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		changes := []struct {
			name   string
			change func() error
			moves  bool
		}{
			{"a contest edit", func() error { return c.store.UpdateContest(ctx, contest) }, true},
			{"publishing", func() error { return c.store.PublishContest(ctx, contest.ID, catalogAt) }, true},
			{"unpublishing", func() error { return c.store.UnpublishContest(ctx, contest.ID) }, true},
			{"a round edit", func() error {
				r.Prizes = []quiz.Prize{{Name: "Giải Nhất", Count: 3}}
				_, err := c.store.UpdateRound(ctx, r)
				return err
			}, true},
			{"an edit of a missing contest", func() error {
				return c.store.UpdateContest(ctx, quiz.Contest{ID: 42, Title: "Không có"})
			}, false},
			{"retiring a question", func() error {
				qs, _ := c.store.Questions(ctx, c.bank.ID)
				return c.store.SetRetired(ctx, c.bank.ID, qs[0].ID, true, catalogAt)
			}, false},
			{"locking the round", func() error { return c.store.LockForTest(ctx, r, c.official.ID) }, true},
			{"an edit of the locked round", func() error {
				_, err := c.store.UpdateRound(ctx, r)
				return err
			}, false},
		}
		for _, change := range changes {
			before := version()
			err := change.change()
			after := version()
			switch {
			case change.moves && err != nil:
				t.Errorf("%s: %v", change.name, err)
			case change.moves && after <= before:
				t.Errorf("%s: version %d then %d, want it to grow", change.name, before, after)
			case !change.moves && after != before:
				t.Errorf("%s: version %d then %d, want it unchanged", change.name, before, after)
			}
		}
	})
}

func testRounds(t *testing.T, open func(t *testing.T) CatalogStore) {
	ctx := context.Background()

	t.Run("an edit replaces the round's fields, quotas and prizes and shows at once", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		r := c.mustRound(t, contest.ID, "Tuần 1", catalogAt)
		if _, err := c.store.Round(ctx, r.ID); err != nil { // read, and kept for a while
			t.Fatal(err)
		}
		r.Name, r.ClosesAt, r.DurationSeconds, r.QuestionCount, r.MaxAttempts = "Tuần một", r.ClosesAt.Add(time.Hour), 900, 4, 2
		r.PointsPerQuestion, r.PredictionPrompt, r.PredictionTarget = 5, "Bao nhiêu người?", quiz.TargetParticipants
		r.TopicQuotas = map[string]int{"B": 2}
		r.Prizes = []quiz.Prize{{Name: "Giải Đặc biệt", Count: 1}}
		r.UnitPrizes = []quiz.Prize{{Name: "Giải tập thể", Count: 2}}
		r.PrizeCapPercent, r.Reveal = 10, quiz.RevealNever
		updated, err := c.store.UpdateRound(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		read, err := c.store.Round(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []quiz.Round{updated, read} {
			if got.Name != "Tuần một" || !got.ClosesAt.Equal(r.ClosesAt) || got.DurationSeconds != 900 ||
				got.QuestionCount != 4 || got.MaxAttempts != 2 || got.PointsPerQuestion != 5 ||
				got.PredictionPrompt != r.PredictionPrompt || got.PredictionTarget != quiz.TargetParticipants ||
				len(got.TopicQuotas) != 1 || got.TopicQuotas["B"] != 2 || !slices.Equal(got.Prizes, r.Prizes) ||
				!slices.Equal(got.UnitPrizes, r.UnitPrizes) || got.PrizeCapPercent != 10 || got.Reveal != quiz.RevealNever {
				t.Errorf("got %+v, want the edit %+v", got, r)
			}
		}
	})

	t.Run("a locked round refuses an edit and keeps its fields", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		r := c.mustRound(t, contest.ID, "Tuần 1", catalogAt)
		if err := c.store.LockForTest(ctx, r, c.official.ID); err != nil {
			t.Fatal(err)
		}
		edit := r
		edit.Name, edit.Prizes = "Tuần một", nil
		_, err := c.store.UpdateRound(ctx, edit)
		wantCode(t, err, quiz.CodeRoundLocked)
		got, err := c.store.Round(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Tuần 1" || len(got.Prizes) != 2 || got.LockedAt == nil || got.LockedBy != c.official.ID {
			t.Errorf("got %+v, want the round as it was, locked by %d", got, c.official.ID)
		}
	})

	t.Run("an edit of a round that does not exist is refused as locked or gone", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		r := c.mustRound(t, contest.ID, "Tuần 1", catalogAt)
		r.ID += 1000
		_, err := c.store.UpdateRound(ctx, r)
		wantCode(t, err, quiz.CodeRoundLocked)
	})

	t.Run("counts count the attempts started and those submitted", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		r := c.mustRound(t, contest.ID, "Tuần 1", catalogAt)
		other := c.mustRound(t, contest.ID, "Tuần 2", catalogAt)
		pool, err := c.store.Pool(ctx, c.bank.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			u, err := c.store.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: fmt.Sprintf("Người %d", i),
				Phone: fmt.Sprintf("09123456%02d", i), CreatedAt: catalogAt}, "hash", nil)
			if err != nil {
				t.Fatal(err)
			}
			seed := quiz.Seed{byte(i)}
			drawn, err := quiz.Draw(pool.Questions, r.QuestionCount, r.TopicQuotas, seed)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			a, _, err := c.store.StartAttempt(ctx, quiz.NewAttempt{RoundID: r.ID, UserID: u.ID, Seed: seed,
				StartedAt: now, Deadline: now.Add(10 * time.Minute), Questions: drawn})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				continue
			}
			if _, err := c.store.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: now, Points: 1}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			roundID            int64
			started, submitted int
		}{{r.ID, 3, 2}, {other.ID, 0, 0}, {r.ID + 1000, 0, 0}} {
			started, submitted, err := c.store.RoundCounts(ctx, tt.roundID)
			if err != nil || started != tt.started || submitted != tt.submitted {
				t.Errorf("round %d: got %d started, %d submitted (%v); want %d and %d",
					tt.roundID, started, submitted, err, tt.started, tt.submitted)
			}
		}
	})
}

func testAuditLog(t *testing.T, open func(t *testing.T) CatalogStore) {
	ctx := context.Background()
	audit := func(t *testing.T, s CatalogStore, e quiz.AuditEntry) {
		t.Helper()
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("entries read back newest first with every field, a missing user or round as zero", func(t *testing.T) {
		c := newCatalog(t, open)
		first := quiz.AuditEntry{At: catalogAt, UserID: c.official.ID, Actor: "Cán bộ (0912000000)",
			Action: quiz.AuditLock, RoundID: 7, Detail: "một", IP: "10.0.0.1"}
		second := quiz.AuditEntry{At: catalogAt.Add(time.Second), Action: quiz.AuditPurge, Detail: "hai"}
		audit(t, c.store, first)
		audit(t, c.store, second)
		log, err := c.store.AuditLog(ctx, quiz.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 {
			t.Fatalf("got %d entries, want 2", len(log))
		}
		if log[0].ID <= log[1].ID {
			t.Errorf("got ids %d then %d, want the newest first", log[0].ID, log[1].ID)
		}
		for i, want := range []quiz.AuditEntry{second, first} {
			got := log[i]
			want.ID = got.ID
			if !got.At.Equal(want.At) || got.UserID != want.UserID || got.Actor != want.Actor || got.Action != want.Action ||
				got.RoundID != want.RoundID || got.Detail != want.Detail || got.IP != want.IP {
				t.Errorf("entry %d: got %+v, want %+v", i, got, want)
			}
		}
	})

	t.Run("filters by round and action and pages by id", func(t *testing.T) {
		c := newCatalog(t, open)
		for i, e := range []quiz.AuditEntry{
			{Action: quiz.AuditLock, RoundID: 1}, {Action: quiz.AuditViewWinners, RoundID: 1},
			{Action: quiz.AuditLock, RoundID: 2}, {Action: quiz.AuditViewWinners, RoundID: 2},
			{Action: quiz.AuditViewWinners, RoundID: 1},
		} {
			e.At, e.Detail = catalogAt.Add(time.Duration(i)*time.Second), fmt.Sprint(i)
			audit(t, c.store, e)
		}
		all, _ := c.store.AuditLog(ctx, quiz.AuditFilter{})
		for _, tt := range []struct {
			name string
			f    quiz.AuditFilter
			want []string
		}{
			{"round 1", quiz.AuditFilter{RoundID: 1}, []string{"4", "1", "0"}},
			{"views", quiz.AuditFilter{Action: quiz.AuditViewWinners}, []string{"4", "3", "1"}},
			{"views of round 1", quiz.AuditFilter{RoundID: 1, Action: quiz.AuditViewWinners}, []string{"4", "1"}},
			{"before the third newest", quiz.AuditFilter{Before: all[2].ID}, []string{"1", "0"}},
			{"the two newest", quiz.AuditFilter{Limit: 2}, []string{"4", "3"}},
			{"an action none has", quiz.AuditFilter{Action: "none"}, nil},
		} {
			got, err := c.store.AuditLog(ctx, tt.f)
			if err != nil || !slices.Equal(auditDetails(got), tt.want) {
				t.Errorf("%s: got %q (%v), want %q", tt.name, auditDetails(got), err, tt.want)
			}
		}
	})

	t.Run("gives a hundred entries unless asked for more", func(t *testing.T) {
		c := newCatalog(t, open)
		for i := range 105 {
			audit(t, c.store, quiz.AuditEntry{At: catalogAt, Action: quiz.AuditStatistics, Detail: fmt.Sprint(i)})
		}
		for _, tt := range []struct{ limit, want int }{{0, 100}, {-1, 100}, {1000, 105}, {5000, 105}} {
			got, err := c.store.AuditLog(ctx, quiz.AuditFilter{Limit: tt.limit})
			if err != nil || len(got) != tt.want {
				t.Errorf("limit %d: got %d entries (%v), want %d", tt.limit, len(got), err, tt.want)
			}
		}
	})

	t.Run("an entry once is written unless the account has one of the action within the window", func(t *testing.T) {
		c := newCatalog(t, open)
		once := func(userID int64, action string, at time.Time) bool {
			t.Helper()
			written, err := c.store.AuditOnce(ctx, quiz.AuditEntry{At: at, UserID: userID, Action: action}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return written
		}
		u := c.official.ID
		for _, tt := range []struct {
			name   string
			user   int64
			action string
			at     time.Time
			want   bool
		}{
			{"the first", u, quiz.AuditOwnData, catalogAt, true},
			{"half an hour later", u, quiz.AuditOwnData, catalogAt.Add(30 * time.Minute), false},
			{"another action", u, quiz.AuditStatistics, catalogAt.Add(30 * time.Minute), true},
			{"another account", u + 1, quiz.AuditOwnData, catalogAt.Add(30 * time.Minute), true},
			{"just over an hour after the first", u, quiz.AuditOwnData, catalogAt.Add(61 * time.Minute), true},
			{"exactly an hour after the last", u, quiz.AuditOwnData, catalogAt.Add(121 * time.Minute), false},
			{"from the command line", 0, quiz.AuditPurge, catalogAt, true},
			{"from the command line again", 0, quiz.AuditPurge, catalogAt, true},
		} {
			if got := once(tt.user, tt.action, tt.at); got != tt.want {
				t.Errorf("%s: written %v, want %v", tt.name, got, tt.want)
			}
		}
		if log, _ := c.store.AuditLog(ctx, quiz.AuditFilter{Action: quiz.AuditOwnData}); len(log) != 3 {
			t.Errorf("got %d entries of the action, want 3", len(log))
		}
	})

	t.Run("entries once from parallel requests write one between them", func(t *testing.T) {
		c := newCatalog(t, open)
		const requests = 16
		// once sends requests entries once at the same time, of the account
		// user(i) for request i, and returns how many were written.
		once := func(t *testing.T, action string, user func(i int) int64) int {
			t.Helper()
			var wg sync.WaitGroup
			written := make([]bool, requests)
			errs := make([]error, requests)
			start := make(chan struct{})
			for i := range requests {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					written[i], errs[i] = c.store.AuditOnce(ctx, quiz.AuditEntry{At: catalogAt, UserID: user(i),
						Action: action}, time.Hour)
				}()
			}
			close(start)
			wg.Wait()
			n := 0
			for i := range requests {
				if errs[i] != nil {
					t.Errorf("request %d: %v", i, errs[i])
				}
				if written[i] {
					n++
				}
			}
			return n
		}
		// Requests of different accounts all write; they also have the
		// store open its connections, so that the requests below meet.
		if n := once(t, quiz.AuditStatistics, func(i int) int64 { return int64(1000 + i) }); n != requests {
			t.Errorf("%d requests of different accounts wrote, want all %d", n, requests)
		}
		for account := range int64(4) {
			n := once(t, quiz.AuditOwnData, func(int) int64 { return 2000 + account })
			log, _ := c.store.AuditLog(ctx, quiz.AuditFilter{Action: quiz.AuditOwnData})
			if n != 1 || len(log) != int(account+1) {
				t.Errorf("account %d: %d requests wrote, the log has %d entries; want 1 and %d", account, n, len(log), account+1)
			}
		}
	})
}

func testIssuers(t *testing.T, open func(t *testing.T) CatalogStore) {
	ctx := context.Background()

	t.Run("a contest without an issuer reads as not issued", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		got, err := c.store.CertificateIssuer(ctx, contest.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != (quiz.CertificateIssuer{ContestID: contest.ID}) {
			t.Errorf("got %+v, want contest %d with nothing set", got, contest.ID)
		}
	})

	t.Run("a contest that does not exist is not found, to read or to save", func(t *testing.T) {
		c := newCatalog(t, open)
		_, err := c.store.CertificateIssuer(ctx, 42)
		wantCode(t, err, quiz.CodeNotFound)
		at := catalogAt
		err = c.store.SaveCertificateIssuer(ctx, quiz.CertificateIssuer{ContestID: 42, Agency: "X", SetAt: &at},
			quiz.AuditEntry{At: at, Action: quiz.AuditCertificateIssuer})
		wantCode(t, err, quiz.CodeNotFound)
		if log, _ := c.store.AuditLog(ctx, quiz.AuditFilter{}); len(log) != 0 {
			t.Errorf("the refused save left %d audit entries, want none", len(log))
		}
	})

	t.Run("a save without a time is refused", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		err := c.store.SaveCertificateIssuer(ctx, quiz.CertificateIssuer{ContestID: contest.ID, Agency: "X"},
			quiz.AuditEntry{At: catalogAt, Action: quiz.AuditCertificateIssuer})
		if err == nil {
			t.Error("got no error, want a refusal")
		}
		if got, _ := c.store.CertificateIssuer(ctx, contest.ID); got.Issued() {
			t.Errorf("got %+v, want nothing set", got)
		}
	})

	t.Run("a second save replaces the first and both are in the audit log", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		other := c.mustContest(t, "khac", catalogAt)
		for i, signer := range []string{"Nguyễn Văn A", "Trần Thị B"} {
			at := catalogAt.Add(time.Duration(i) * time.Minute)
			in := quiz.CertificateIssuer{ContestID: contest.ID, Superior: "ỦY BAN NHÂN DÂN TỈNH", Agency: "SỞ TƯ PHÁP",
				SignTitle: "GIÁM ĐỐC", Signer: signer, Place: "Hà Nội", SetAt: &at, SetBy: c.official.ID, SetByName: "Cán bộ"}
			if i == 1 {
				in.Superior, in.SetBy = "", 0
			}
			if err := c.store.SaveCertificateIssuer(ctx, in, quiz.AuditEntry{At: at, UserID: c.official.ID, Actor: "Cán bộ",
				Action: quiz.AuditCertificateIssuer, Detail: signer}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := c.store.CertificateIssuer(ctx, contest.ID)
		if err != nil {
			t.Fatal(err)
		}
		setAt := catalogAt.Add(time.Minute)
		want := quiz.CertificateIssuer{ContestID: contest.ID, Agency: "SỞ TƯ PHÁP", SignTitle: "GIÁM ĐỐC",
			Signer: "Trần Thị B", Place: "Hà Nội", SetByName: "Cán bộ"}
		if got.SetAt == nil || !got.SetAt.Equal(setAt) {
			t.Errorf("set at %v, want %v", got.SetAt, setAt)
		}
		got.SetAt = nil
		if got != want {
			t.Errorf("got %+v, want the second save %+v", got, want)
		}
		if untouched, _ := c.store.CertificateIssuer(ctx, other.ID); untouched.Issued() {
			t.Errorf("the other contest has issuer %+v, want none", untouched)
		}
		log, err := c.store.AuditLog(ctx, quiz.AuditFilter{Action: quiz.AuditCertificateIssuer})
		if err != nil {
			t.Fatal(err)
		}
		if got := auditDetails(log); !slices.Equal(got, []string{"Trần Thị B", "Nguyễn Văn A"}) {
			t.Errorf("audit log %q, want both saves, newest first", got)
		}
	})

	t.Run("the account that set it reads back", func(t *testing.T) {
		c := newCatalog(t, open)
		contest := c.mustContest(t, "thi", catalogAt)
		at := catalogAt
		if err := c.store.SaveCertificateIssuer(ctx, quiz.CertificateIssuer{ContestID: contest.ID, Agency: "SỞ",
			SignTitle: "GIÁM ĐỐC", SetAt: &at, SetBy: c.official.ID, SetByName: "Cán bộ"},
			quiz.AuditEntry{At: at, Action: quiz.AuditCertificateIssuer}); err != nil {
			t.Fatal(err)
		}
		if got, _ := c.store.CertificateIssuer(ctx, contest.ID); got.SetBy != c.official.ID {
			t.Errorf("set by %d, want %d", got.SetBy, c.official.ID)
		}
	})
}

// auditDetails returns the details of audit entries, which the tests use
// to name them.
func auditDetails(es []quiz.AuditEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Detail)
	}
	return out
}
