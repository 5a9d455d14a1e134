package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
)

// Accounts is what the accounts contract tests use of a store: accounts,
// sessions, consents, reset links and settings, and what sets up a round
// for an attempt to run at.
type Accounts interface {
	quiz.AccountStore
	EntryFacts(ctx context.Context, userID, roundID int64, controller string, now time.Time) (quiz.EntryFacts, error)
	AddConsent(ctx context.Context, k quiz.Consent) error
	CreateReset(ctx context.Context, r quiz.PasswordReset, audit quiz.AuditEntry) error
	PasswordReset(ctx context.Context, tokenHash string) (quiz.PasswordReset, error)
	UseReset(ctx context.Context, tokenHash, passwordHash string, mustChange bool, at time.Time, audit quiz.AuditEntry) (quiz.SessionEnd, error)
	MustChangePassword(ctx context.Context, userID int64) (bool, error)
	SetMustChangePassword(ctx context.Context, userID int64, must bool) error
	SetFullName(ctx context.Context, userID int64, name string, audit quiz.AuditEntry) (quiz.User, error)
	Setting(ctx context.Context, key string) (value string, ok bool, err error)
	EnsureSetting(ctx context.Context, key, value string) (string, error)

	CreateBank(ctx context.Context, b quiz.Bank) (quiz.Bank, error)
	AddQuestions(ctx context.Context, bankID int64, qs []quiz.Question) ([]int64, error)
	Pool(ctx context.Context, bankID int64) (quiz.Pool, error)
	CreateContest(ctx context.Context, c quiz.Contest, createdBy int64) (quiz.Contest, error)
	CreateRound(ctx context.Context, r quiz.Round) (quiz.Round, error)
	StartAttempt(ctx context.Context, na quiz.NewAttempt) (quiz.Attempt, bool, error)
	SubmitAttempt(ctx context.Context, s quiz.Submission) (quiz.Result, error)
}

// OpenAccounts opens a fresh, empty store for one test, closed at the
// test's end.
type OpenAccounts func(t *testing.T) Accounts

// RunAccounts runs the accounts contract tests against the stores open
// opens.
func RunAccounts(t *testing.T, open OpenAccounts) {
	t.Run("signing in", func(t *testing.T) { testSignIn(t, open) })
	t.Run("staff accounts", func(t *testing.T) { testStaff(t, open) })
	t.Run("consents", func(t *testing.T) { testConsents(t, open) })
	t.Run("entering a contest", func(t *testing.T) { testEntryFacts(t, open) })
	t.Run("units", func(t *testing.T) { testUnits(t, open) })
	t.Run("ended sessions", func(t *testing.T) { testSessionLog(t, open) })
	t.Run("passwords", func(t *testing.T) { testPasswords(t, open) })
	t.Run("disabling accounts", func(t *testing.T) { testDisable(t, open) })
	t.Run("reset links", func(t *testing.T) { testResets(t, open) })
	t.Run("settings", func(t *testing.T) { testSettings(t, open) })
}

// t0 is the tests' clock: times are stored to the millisecond.
var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

var (
	vietnamese = quiz.Consent{Purpose: quiz.PurposeContest, Version: "contest-2026-02", AgreedAt: t0,
		IP: "203.0.113.9", UserAgent: "Firefox", Controller: "Sở Tư pháp tỉnh Quảng Trị", Lang: "vi",
		Text: "THÔNG BÁO XỬ LÝ DỮ LIỆU CÁ NHÂN — Sở Tư pháp tỉnh Quảng Trị"}
	admin = quiz.AuditEntry{At: t0, UserID: 0, Actor: "hoithi user", Action: "test"}
)

// account stores an account with the role, phone and e-mail ("" for none)
// and the password hash "hash-<phone or e-mail>".
func account(t *testing.T, s Accounts, role quiz.Role, phone, email string, consent *quiz.Consent) quiz.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), quiz.User{Role: role, FullName: "Nguyễn Thị Hoa", BirthDate: "1990-05-12",
		IDNumber: "001190012345", Phone: phone, Email: email, Province: "44", Unit: "UBND xã Cam Lộ", CreatedAt: t0},
		"hash-"+phone+email, consent)
	if err != nil {
		t.Fatalf("create account %s%s: %v", phone, email, err)
	}
	return u
}

func testSignIn(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	s := open(t)
	hoa := account(t, s, quiz.RoleContestant, "0912345678", "hoa@gmail.example", &vietnamese)

	t.Run("finds an account by its phone or its e-mail in any case of ASCII letters, with its password hash", func(t *testing.T) {
		for _, login := range []string{"0912345678", "hoa@gmail.example", "HOA@Gmail.Example"} {
			u, hash, err := s.UserByLogin(ctx, login)
			if err != nil || u.ID != hoa.ID || hash != "hash-0912345678hoa@gmail.example" {
				t.Errorf("%s: got %d %q (%v), want account %d with its hash", login, u.ID, hash, err, hoa.ID)
			}
		}
	})
	t.Run("finds nothing for another login", func(t *testing.T) {
		for _, login := range []string{"091234567", "hoa", "", "%"} {
			_, _, err := s.UserByLogin(ctx, login)
			wantCode(t, err, quiz.CodeNotFound)
		}
	})
	t.Run("reads an account by id with its password hash", func(t *testing.T) {
		u, hash, err := s.UserWithPassword(ctx, hoa.ID)
		if err != nil || u != hoa || hash != "hash-0912345678hoa@gmail.example" {
			t.Errorf("got %+v %q (%v), want %+v", u, hash, err, hoa)
		}
		_, _, err = s.UserWithPassword(ctx, hoa.ID+1)
		wantCode(t, err, quiz.CodeNotFound)
	})
	t.Run("knows which roles have an account", func(t *testing.T) {
		for role, want := range map[quiz.Role]bool{quiz.RoleContestant: true, quiz.RoleAdmin: false} {
			if got, err := s.HasRole(ctx, role); err != nil || got != want {
				t.Errorf("HasRole(%s) = %v (%v), want %v", role, got, err, want)
			}
		}
		account(t, s, quiz.RoleAdmin, "", "quan-tri@so.gov.vn", nil)
		if got, err := s.HasRole(ctx, quiz.RoleAdmin); err != nil || !got {
			t.Errorf("HasRole(admin) after one = %v (%v), want true", got, err)
		}
	})
}

func testStaff(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	s := open(t)
	t.Run("lists an empty staff as none", func(t *testing.T) {
		if staff, err := s.StaffUsers(ctx); err != nil || len(staff) != 0 {
			t.Errorf("got %d accounts (%v), want none", len(staff), err)
		}
	})
	// Created out of order; the e-mails differ in case and punctuation,
	// which a locale's collation would order otherwise than SQLite's NOCASE.
	made := map[string]quiz.User{}
	for _, a := range []struct {
		role         quiz.Role
		phone, email string
	}{
		{quiz.RoleOfficial, "", "can-bo@so.gov.vn"},
		{quiz.RoleContestant, "0912345678", "an@gmail.example"},
		{quiz.RoleAdmin, "", "quantri@so.gov.vn"},
		{quiz.RoleOrganizer, "", "to-chuc@so.gov.vn"},
		{quiz.RoleAdmin, "", "Quan.tri@so.gov.vn"},
		{quiz.RoleAdmin, "", "quan-tri@so.gov.vn"},
		{quiz.RoleOfficial, "0905123456", ""},
	} {
		made[a.phone+a.email] = account(t, s, a.role, a.phone, a.email, nil)
	}
	t.Run("lists admins, organizers, then officials, each by e-mail ignoring case, an account without one first", func(t *testing.T) {
		staff, err := s.StaffUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range staff {
			got = append(got, u.Login())
			if u != made[u.Phone+u.Email] {
				t.Errorf("got %+v, want %+v", u, made[u.Phone+u.Email])
			}
		}
		want := []string{"quan-tri@so.gov.vn", "Quan.tri@so.gov.vn", "quantri@so.gov.vn", "to-chuc@so.gov.vn",
			"0905123456", "can-bo@so.gov.vn"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("renames an account", func(t *testing.T) {
		id := made["to-chuc@so.gov.vn"].ID
		u, err := s.SetFullName(ctx, id, "Đỗ Minh Châu", admin)
		if err != nil || u.FullName != "Đỗ Minh Châu" || u.ID != id {
			t.Errorf("got %+v (%v), want the account renamed", u, err)
		}
		if u, _ := s.User(ctx, id); u.FullName != "Đỗ Minh Châu" {
			t.Errorf("read back %q, want Đỗ Minh Châu", u.FullName)
		}
		_, err = s.SetFullName(ctx, 12345, "Đỗ Minh Châu", admin)
		wantCode(t, err, quiz.CodeNotFound)
	})
}

func testConsents(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	s := open(t)
	t.Run("gives the newest text of a purpose", func(t *testing.T) {
		text, err := s.ConsentText(ctx, quiz.PurposeContest)
		if err != nil || text.Version != "contest-2026-02" || text.Purpose != quiz.PurposeContest || text.BodyVI == "" || text.BodyEN == "" {
			t.Errorf("got %+v (%v), want version contest-2026-02 in both languages", text, err)
		}
		_, err = s.ConsentText(ctx, "marketing")
		wantCode(t, err, quiz.CodeNotFound)
	})

	child := vietnamese
	child.Representative = &quiz.Guardian{FullName: "Trần Văn Bình", Relationship: "Cha", Phone: "0905123456"}
	u := account(t, s, quiz.RoleContestant, "0912000003", "", &child)
	t.Run("keeps the text shown under its hash, and the representative's consent beside the person's", func(t *testing.T) {
		ks, err := s.Consents(ctx, u.ID)
		if err != nil || len(ks) != 2 {
			t.Fatalf("got %+v (%v), want the person's and the representative's", ks, err)
		}
		sum := sha256.Sum256([]byte(vietnamese.Text))
		self, rep := ks[0], ks[1]
		want := vietnamese
		want.UserID, want.TextSHA256 = u.ID, hex.EncodeToString(sum[:])
		if self.Representative != nil || fmt.Sprint(self) != fmt.Sprint(want) {
			t.Errorf("person's consent %+v, want %+v", self, want)
		}
		if rep.Representative == nil || *rep.Representative != *child.Representative ||
			rep.TextSHA256 != want.TextSHA256 || rep.Text != want.Text || !rep.AgreedAt.Equal(t0) {
			t.Errorf("representative's consent %+v, want %+v with the same text", rep, child.Representative)
		}
	})

	contest, err := s.CreateContest(ctx, quiz.Contest{Slug: "thi", Title: "Hội thi", CreatedAt: t0}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("adds a consent given later, listed after the earlier ones", func(t *testing.T) {
		later := quiz.Consent{UserID: u.ID, Purpose: quiz.PurposeContest, Version: "contest-2026-02", AgreedAt: t0.Add(time.Hour),
			ContestID: contest.ID, Controller: "UBND xã Cam Lộ", Lang: "en", Text: "Controller: UBND xã Cam Lộ"}
		if err := s.AddConsent(ctx, later); err != nil {
			t.Fatal(err)
		}
		// Agreed earlier than the others, though stored after them.
		earlier := quiz.Consent{UserID: u.ID, Purpose: quiz.PurposeContest, Version: "contest-2026-01", AgreedAt: t0.Add(-time.Hour)}
		if err := s.AddConsent(ctx, earlier); err != nil {
			t.Fatal(err)
		}
		ks, err := s.Consents(ctx, u.ID)
		if err != nil || len(ks) != 4 {
			t.Fatalf("got %d consents (%v), want 4", len(ks), err)
		}
		first, last := ks[0], ks[3]
		if first.Version != "contest-2026-01" || first.Lang != "vi" || first.TextSHA256 != "" || first.Text == "" {
			t.Errorf("first %+v, want version 1 in vi with its version's text and no hash", first)
		}
		if last.ContestID != contest.ID || last.Controller != "UBND xã Cam Lộ" || last.Lang != "en" || last.Text != later.Text {
			t.Errorf("last %+v, want the contest's", last)
		}
		if ks[1].Representative != nil || ks[2].Representative == nil {
			t.Errorf("registration's consents out of order: %+v", ks[1:3])
		}
	})
	t.Run("adds no consent to an account that does not exist", func(t *testing.T) {
		wantCode(t, s.AddConsent(ctx, quiz.Consent{UserID: 12345, Purpose: quiz.PurposeContest, Version: "contest-2026-02",
			AgreedAt: t0}), quiz.CodeNotFound)
	})
	t.Run("lists none for an account without consents", func(t *testing.T) {
		staff := account(t, s, quiz.RoleOfficial, "", "can-bo@so.gov.vn", nil)
		if ks, err := s.Consents(ctx, staff.ID); err != nil || len(ks) != 0 {
			t.Errorf("got %+v (%v), want none", ks, err)
		}
	})
}

func testEntryFacts(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	s := open(t)
	roundID, start := runningRound(t, s)
	const controller = "Sở Tư pháp tỉnh Quảng Trị"
	adult := account(t, s, quiz.RoleContestant, "0912000001", "", &vietnamese)
	child := vietnamese
	child.Representative = &quiz.Guardian{FullName: "Trần Văn Bình", Relationship: "Cha", Phone: "0905123456"}
	minor := account(t, s, quiz.RoleContestant, "0912000002", "", &child)
	first := quiz.Consent{Purpose: quiz.PurposeContest, Version: "contest-2026-01", AgreedAt: t0}
	old := account(t, s, quiz.RoleContestant, "0912000003", "", &first)
	now := t0.Add(time.Minute)

	facts := func(t *testing.T, u quiz.User, round int64, controller string, at time.Time) quiz.EntryFacts {
		t.Helper()
		f, err := s.EntryFacts(ctx, u.ID, round, controller, at)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	t.Run("gives the identity data and the consent to the named controller", func(t *testing.T) {
		want := quiz.EntryFacts{BirthDate: "1990-05-12", IDNumber: "001190012345", Consented: true}
		if f := facts(t, adult, 0, controller, now); f != want {
			t.Errorf("got %+v, want %+v", f, want)
		}
	})
	t.Run("counts no consent to another controller, nor to a text that named none", func(t *testing.T) {
		if f := facts(t, adult, 0, "UBND xã Cam Lộ", now); f.Consented {
			t.Errorf("got %+v, want no consent to another controller", f)
		}
		if f := facts(t, old, 0, "", now); f.Consented {
			t.Errorf("got %+v, want the first version's consent, naming nobody, not to count", f)
		}
	})
	t.Run("says when a representative consented", func(t *testing.T) {
		if f := facts(t, minor, 0, controller, now); !f.HadGuardian || !f.Consented {
			t.Errorf("got %+v, want a representative and a consent", f)
		}
		if f := facts(t, adult, 0, controller, now); f.HadGuardian {
			t.Errorf("got %+v, want no representative", f)
		}
	})
	t.Run("says when an attempt at the round runs, until its deadline or its submission", func(t *testing.T) {
		a := start(t, adult.ID)
		if f := facts(t, adult, roundID, controller, now); !f.Running {
			t.Errorf("got %+v during the attempt, want it running", f)
		}
		if f := facts(t, adult, roundID+1, controller, now); f.Running {
			t.Errorf("got %+v at another round, want nothing running", f)
		}
		if f := facts(t, minor, roundID, controller, now); f.Running {
			t.Errorf("got %+v for another contestant, want nothing running", f)
		}
		if f := facts(t, adult, roundID, controller, a.Deadline); f.Running {
			t.Errorf("got %+v at the deadline, want nothing running", f)
		}
		if _, err := s.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: now, Points: 1}); err != nil {
			t.Fatal(err)
		}
		if f := facts(t, adult, roundID, controller, now); f.Running {
			t.Errorf("got %+v after the submission, want nothing running", f)
		}
	})
	t.Run("finds no account that does not exist", func(t *testing.T) {
		_, err := s.EntryFacts(ctx, 12345, 0, controller, now)
		wantCode(t, err, quiz.CodeNotFound)
	})
}

// runningRound sets up an open round of a contest and returns its id and a
// function that starts an attempt at it at t0 for a user.
func runningRound(t *testing.T, s Accounts) (int64, func(t *testing.T, userID int64) quiz.Attempt) {
	t.Helper()
	ctx := context.Background()
	bank, err := s.CreateBank(ctx, quiz.Bank{Name: "Ngân hàng", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	var qs []quiz.Question
	for i := range 3 {
		qs = append(qs, quiz.Question{Text: fmt.Sprintf("Câu %d?", i), Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}}})
	}
	if _, err := s.AddQuestions(ctx, bank.ID, qs); err != nil {
		t.Fatal(err)
	}
	pool, err := s.Pool(ctx, bank.ID)
	if err != nil {
		t.Fatal(err)
	}
	contest, err := s.CreateContest(ctx, quiz.Contest{Slug: "vong", Title: "Hội thi", CreatedAt: t0}, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "Tuần 1", BankID: bank.ID,
		OpensAt: t0.Add(-time.Hour), ClosesAt: t0.Add(time.Hour), DurationSeconds: 600, QuestionCount: 2,
		PointsPerQuestion: 1, Reveal: quiz.RevealAfterSubmit})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID, func(t *testing.T, userID int64) quiz.Attempt {
		t.Helper()
		var seed quiz.Seed
		drawn, err := quiz.Draw(pool.Questions, r.QuestionCount, nil, seed)
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := s.StartAttempt(ctx, quiz.NewAttempt{RoundID: r.ID, UserID: userID, Seed: seed, StartedAt: t0,
			Deadline: t0.Add(10 * time.Minute), Questions: drawn})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
}

func testUnits(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	s := open(t)
	units := func(t *testing.T) []string {
		t.Helper()
		got, err := s.Units(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	t.Run("lists none at first", func(t *testing.T) {
		if got := units(t); len(got) != 0 {
			t.Errorf("got %q, want none", got)
		}
	})
	t.Run("keeps the organizer's order, and a new list replaces the old", func(t *testing.T) {
		for _, list := range [][]string{{"Xã Yên Hòa", "Sở Tư pháp", "Phường Ba Đình"}, {"Sở Tư pháp", "Xã A"}} {
			if err := s.SetUnits(ctx, list); err != nil {
				t.Fatal(err)
			}
			if got := units(t); !slices.Equal(got, list) {
				t.Errorf("got %q, want %q", got, list)
			}
		}
	})
	t.Run("of lists set at once, one is kept whole", func(t *testing.T) {
		var lists [][]string
		for i := range 6 {
			lists = append(lists, []string{"Sở Tư pháp", fmt.Sprintf("Xã %d", i), "Phường Ba Đình"})
		}
		errs := atOnce(len(lists), func(i int) error { return s.SetUnits(ctx, lists[i]) })
		for i, err := range errs {
			if err != nil {
				t.Errorf("list %d: %v", i, err)
			}
		}
		got := units(t)
		if !slices.ContainsFunc(lists, func(l []string) bool { return slices.Equal(l, got) }) {
			t.Errorf("got %q, want one of the lists set", got)
		}
	})
}

func testSessionLog(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	s := open(t)
	u := account(t, s, quiz.RoleOfficial, "", "can-bo@so.gov.vn", nil)
	end := func(t *testing.T, token string, expires, at time.Time) int64 {
		t.Helper()
		seq, err := s.EndSession(ctx, quiz.SessionEnd{UserID: u.ID, TokenID: token, ExpiresAt: expires, EndedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	log := func(t *testing.T, after int64) []quiz.SessionEnd {
		t.Helper()
		ends, err := s.SessionEndsAfter(ctx, after)
		if err != nil {
			t.Fatal(err)
		}
		return ends
	}
	var one, two int64
	t.Run("logs ended tokens in order", func(t *testing.T) {
		one = end(t, "mot", t0.Add(time.Hour), t0)
		two = end(t, "hai", t0.Add(3*time.Hour), t0.Add(time.Minute))
		if two <= one {
			t.Errorf("seqs %d then %d, want growing", one, two)
		}
		want := []quiz.SessionEnd{
			{Seq: one, UserID: u.ID, TokenID: "mot", ExpiresAt: t0.Add(time.Hour), EndedAt: t0},
			{Seq: two, UserID: u.ID, TokenID: "hai", ExpiresAt: t0.Add(3 * time.Hour), EndedAt: t0.Add(time.Minute)},
		}
		if got := log(t, 0); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if got := log(t, one); len(got) != 1 || got[0].Seq != two {
			t.Errorf("after %d: got %+v, want only %d", one, got, two)
		}
		if got := log(t, two); len(got) != 0 {
			t.Errorf("after the last: got %+v, want none", got)
		}
	})
	t.Run("forgets a token's row once it has expired", func(t *testing.T) {
		three := end(t, "ba", t0.Add(4*time.Hour), t0.Add(2*time.Hour))
		var seqs []int64
		for _, e := range log(t, 0) {
			seqs = append(seqs, e.Seq)
		}
		if want := []int64{two, three}; !slices.Equal(seqs, want) {
			t.Errorf("seqs %v, want %v (the first token expired)", seqs, want)
		}
	})
	t.Run("a reader that follows the log while tokens end at once misses none", func(t *testing.T) {
		last := log(t, 0)[1].Seq
		const ends = 40
		done := make(chan struct{})
		var errs []error
		go func() {
			defer close(done)
			errs = atOnce(ends, func(i int) error {
				_, err := s.EndSession(ctx, quiz.SessionEnd{UserID: u.ID, TokenID: fmt.Sprint("dong-thoi-", i),
					ExpiresAt: t0.Add(24 * time.Hour), EndedAt: t0.Add(3 * time.Hour)})
				return err
			})
		}()
		seen := map[string]bool{}
		for finished := false; !finished; {
			select {
			case <-done:
				finished = true // one more read after the last commit
			default:
			}
			for _, e := range log(t, last) {
				if e.Seq <= last {
					t.Fatalf("seq %d after %d", e.Seq, last)
				}
				seen[e.TokenID], last = true, e.Seq
			}
		}
		for i, err := range errs {
			if err != nil {
				t.Errorf("end %d: %v", i, err)
			}
		}
		if len(seen) != ends {
			t.Errorf("the reader saw %d of %d ended tokens", len(seen), ends)
		}
	})
}

func testPasswords(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	s := open(t)
	u := account(t, s, quiz.RoleOrganizer, "", "to-chuc@so.gov.vn", nil)
	t.Run("a new password starts a new session epoch, logged", func(t *testing.T) {
		at := t0.Add(time.Hour)
		end, err := s.SetPassword(ctx, u.ID, "hash-moi", at, &admin)
		if err != nil {
			t.Fatal(err)
		}
		if end.UserID != u.ID || end.Epoch != 1 || end.TokenID != "" || !end.EndedAt.Equal(at) || end.Seq == 0 {
			t.Errorf("got %+v, want epoch 1 of account %d at %v", end, u.ID, at)
		}
		got, hash, err := s.UserWithPassword(ctx, u.ID)
		if err != nil || hash != "hash-moi" || got.SessionEpoch != 1 {
			t.Errorf("got epoch %d hash %q (%v), want 1 and the new hash", got.SessionEpoch, hash, err)
		}
		if ends, _ := s.SessionEndsAfter(ctx, 0); len(ends) != 1 || ends[0] != end {
			t.Errorf("log %+v, want %+v", ends, end)
		}
		if end, err := s.SetPassword(ctx, u.ID, "hash-moi-2", at, nil); err != nil || end.Epoch != 2 {
			t.Errorf("a second change without audit: %+v (%v), want epoch 2", end, err)
		}
	})
	t.Run("no password is set for an account that does not exist", func(t *testing.T) {
		_, err := s.SetPassword(ctx, 12345, "hash", t0, nil)
		wantCode(t, err, quiz.CodeNotFound)
	})
	t.Run("the must-change flag is off at first, and set and cleared as asked", func(t *testing.T) {
		if got, err := s.MustChangePassword(ctx, u.ID); err != nil || got {
			t.Errorf("at first: got %v (%v), want false", got, err)
		}
		for _, want := range []bool{true, false} {
			if err := s.SetMustChangePassword(ctx, u.ID, want); err != nil {
				t.Fatal(err)
			}
			if got, err := s.MustChangePassword(ctx, u.ID); err != nil || got != want {
				t.Errorf("after setting %v: got %v (%v)", want, got, err)
			}
		}
		wantCode(t, s.SetMustChangePassword(ctx, 12345, true), quiz.CodeNotFound)
		_, err := s.MustChangePassword(ctx, 12345)
		wantCode(t, err, quiz.CodeNotFound)
	})
}

func testDisable(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	s := open(t)
	boss := account(t, s, quiz.RoleAdmin, "", "quan-tri@so.gov.vn", nil)
	u := account(t, s, quiz.RoleOfficial, "", "can-bo@so.gov.vn", nil)
	at := t0.Add(time.Hour)
	t.Run("disabling ends the account's sessions", func(t *testing.T) {
		got, end, err := s.SetDisabled(ctx, u.ID, true, at, boss.ID, admin)
		if err != nil {
			t.Fatal(err)
		}
		if got.DisabledAt == nil || !got.DisabledAt.Equal(at) || got.SessionEpoch != 1 {
			t.Errorf("got %+v, want disabled at %v in epoch 1", got, at)
		}
		if end == nil || end.Epoch != 1 || end.UserID != u.ID || !end.EndedAt.Equal(at) {
			t.Errorf("session end %+v, want epoch 1", end)
		}
	})
	t.Run("disabling a disabled account changes nothing", func(t *testing.T) {
		got, end, err := s.SetDisabled(ctx, u.ID, true, at.Add(time.Hour), boss.ID, admin)
		if err != nil || end != nil || !got.DisabledAt.Equal(at) || got.SessionEpoch != 1 {
			t.Errorf("got %+v %+v (%v), want it as it was and no session end", got, end, err)
		}
	})
	t.Run("enabling keeps the epoch", func(t *testing.T) {
		got, end, err := s.SetDisabled(ctx, u.ID, false, at, 0, admin)
		if err != nil || end != nil || got.DisabledAt != nil || got.SessionEpoch != 1 {
			t.Errorf("got %+v %+v (%v), want enabled in epoch 1 and no session end", got, end, err)
		}
		if got, _ := s.User(ctx, u.ID); got.DisabledAt != nil {
			t.Errorf("read back %+v, want enabled", got)
		}
	})
	t.Run("a disabled admin changes nothing", func(t *testing.T) {
		other := account(t, s, quiz.RoleAdmin, "", "quan-tri-2@so.gov.vn", nil)
		if _, _, err := s.SetDisabled(ctx, other.ID, true, at, 0, admin); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.SetDisabled(ctx, u.ID, true, at, other.ID, admin)
		wantCode(t, err, quiz.CodeForbidden)
		if got, _ := s.User(ctx, u.ID); got.DisabledAt != nil {
			t.Errorf("got %+v, want it still enabled", got)
		}
	})
	t.Run("an account that does not exist is not found, as admin or as target", func(t *testing.T) {
		_, _, err := s.SetDisabled(ctx, 12345, true, at, boss.ID, admin)
		wantCode(t, err, quiz.CodeNotFound)
		_, _, err = s.SetDisabled(ctx, u.ID, true, at, 12345, admin)
		wantCode(t, err, quiz.CodeNotFound)
	})
	t.Run("of two admins disabling each other at once, one stays", func(t *testing.T) {
		for i := range 10 {
			a := account(t, s, quiz.RoleAdmin, "", fmt.Sprintf("a%d@so.gov.vn", i), nil)
			b := account(t, s, quiz.RoleAdmin, "", fmt.Sprintf("b%d@so.gov.vn", i), nil)
			pairs := [][2]int64{{a.ID, b.ID}, {b.ID, a.ID}}
			errs := atOnce(len(pairs), func(j int) error {
				_, _, err := s.SetDisabled(ctx, pairs[j][0], true, at, pairs[j][1], admin)
				return err
			})
			ua, _ := s.User(ctx, a.ID)
			ub, _ := s.User(ctx, b.ID)
			if (ua.DisabledAt == nil) == (ub.DisabledAt == nil) {
				t.Fatalf("pair %d: disabled %v and %v (errors %v), want exactly one", i, ua.DisabledAt != nil, ub.DisabledAt != nil, errs)
			}
			if codes := []string{quiz.ErrorCode(errs[0]), quiz.ErrorCode(errs[1])}; !slices.Contains(codes, "") ||
				!slices.Contains(codes, quiz.CodeForbidden) {
				t.Fatalf("pair %d: errors %v, want one success and one forbidden", i, errs)
			}
		}
	})
}

func testResets(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	link := func(u quiz.User, hash string, issuedBy int64, created time.Time) quiz.PasswordReset {
		r := quiz.PasswordReset{TokenHash: hash, UserID: u.ID, Epoch: u.SessionEpoch, Channel: quiz.ResetByEmail,
			CreatedAt: created, ExpiresAt: created.Add(quiz.StaffResetTTL)}
		if issuedBy != 0 {
			r.Channel, r.IssuedBy = quiz.ResetByStaff, issuedBy
		}
		return r
	}
	setup := func(t *testing.T) (Accounts, quiz.User, quiz.User) {
		s := open(t)
		return s, account(t, s, quiz.RoleOrganizer, "", "to-chuc@so.gov.vn", nil),
			account(t, s, quiz.RoleContestant, "0912345678", "hoa@gmail.example", &vietnamese)
	}
	t.Run("a link reads back as stored", func(t *testing.T) {
		s, staff, u := setup(t)
		for _, r := range []quiz.PasswordReset{link(u, "h1", staff.ID, t0), link(u, "h2", 0, t0)} {
			if err := s.CreateReset(ctx, r, admin); err != nil {
				t.Fatal(err)
			}
			if got, err := s.PasswordReset(ctx, r.TokenHash); err != nil || fmt.Sprint(got) != fmt.Sprint(r) {
				t.Errorf("got %+v (%v), want %+v", got, err, r)
			}
		}
		_, err := s.PasswordReset(ctx, "h3")
		wantCode(t, err, quiz.CodeNotFound)
	})
	t.Run("a link is refused once the account's epoch moved on, and none for an account that does not exist", func(t *testing.T) {
		s, staff, u := setup(t)
		stale := link(u, "h1", staff.ID, t0)
		if _, err := s.SetPassword(ctx, u.ID, "hash-moi", t0, nil); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.CreateReset(ctx, stale, admin), quiz.CodeResetLinkUsed)
		_, err := s.PasswordReset(ctx, "h1")
		wantCode(t, err, quiz.CodeNotFound)
		wantCode(t, s.CreateReset(ctx, link(quiz.User{ID: 12345}, "h2", staff.ID, t0), admin), quiz.CodeNotFound)
	})
	t.Run("links expired over a week go when a link is made", func(t *testing.T) {
		s, staff, u := setup(t)
		if err := s.CreateReset(ctx, link(u, "cu", staff.ID, t0), admin); err != nil {
			t.Fatal(err)
		}
		later := t0.Add(quiz.StaffResetTTL + 7*24*time.Hour)
		if err := s.CreateReset(ctx, link(u, "gan", staff.ID, later), admin); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PasswordReset(ctx, "cu"); err != nil {
			t.Errorf("a link expired exactly a week ago: %v, want it kept", err)
		}
		if err := s.CreateReset(ctx, link(u, "moi", staff.ID, later.Add(time.Millisecond)), admin); err != nil {
			t.Fatal(err)
		}
		_, err := s.PasswordReset(ctx, "cu")
		wantCode(t, err, quiz.CodeNotFound)
	})
	t.Run("a link sets the password once, with the must-change flag, and voids the others", func(t *testing.T) {
		s, staff, u := setup(t)
		for _, h := range []string{"h1", "h2"} {
			if err := s.CreateReset(ctx, link(u, h, staff.ID, t0), admin); err != nil {
				t.Fatal(err)
			}
		}
		at := t0.Add(time.Minute)
		end, err := s.UseReset(ctx, "h1", "hash-moi", true, at, admin)
		if err != nil || end.Epoch != 1 || end.UserID != u.ID || !end.EndedAt.Equal(at) {
			t.Fatalf("got %+v (%v), want epoch 1", end, err)
		}
		if _, hash, _ := s.UserWithPassword(ctx, u.ID); hash != "hash-moi" {
			t.Errorf("hash %q, want hash-moi", hash)
		}
		if must, _ := s.MustChangePassword(ctx, u.ID); !must {
			t.Error("must change false, want true")
		}
		if r, _ := s.PasswordReset(ctx, "h1"); r.UsedAt == nil || !r.UsedAt.Equal(at) {
			t.Errorf("link %+v, want used at %v", r, at)
		}
		_, err = s.UseReset(ctx, "h1", "hash-lai", false, at, admin)
		wantCode(t, err, quiz.CodeResetLinkUsed)
		_, err = s.UseReset(ctx, "h2", "hash-lai", false, at, admin)
		wantCode(t, err, quiz.CodeResetLinkUsed)
		_, err = s.UseReset(ctx, "h3", "hash-lai", false, at, admin)
		wantCode(t, err, quiz.CodeResetLinkUnknown)
		if _, hash, _ := s.UserWithPassword(ctx, u.ID); hash != "hash-moi" {
			t.Errorf("hash %q after refused uses, want hash-moi", hash)
		}
	})
	t.Run("of requests racing on one account's links, one sets the password", func(t *testing.T) {
		s, staff, u := setup(t)
		hashes := []string{"h1", "h1", "h1", "h1", "h2", "h2", "h3", "h3"}
		for _, h := range []string{"h1", "h2", "h3"} {
			if err := s.CreateReset(ctx, link(u, h, staff.ID, t0), admin); err != nil {
				t.Fatal(err)
			}
		}
		errs := atOnce(len(hashes), func(i int) error {
			_, err := s.UseReset(ctx, hashes[i], fmt.Sprint("hash-", i), false, t0, admin)
			return err
		})
		ok := 0
		for _, err := range errs {
			switch quiz.ErrorCode(err) {
			case "":
				ok++
			case quiz.CodeResetLinkUsed:
			default:
				t.Errorf("a racing request: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d requests set the password, want 1", ok)
		}
		if got, _ := s.User(ctx, u.ID); got.SessionEpoch != 1 {
			t.Errorf("epoch %d, want 1", got.SessionEpoch)
		}
	})
}

func testSettings(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	s := open(t)
	t.Run("a setting not stored is not set", func(t *testing.T) {
		if v, ok, err := s.Setting(ctx, "demo_seeded"); err != nil || ok || v != "" {
			t.Errorf("got %q %v (%v), want not set", v, ok, err)
		}
	})
	t.Run("the first value stays", func(t *testing.T) {
		for _, v := range []string{"aaa", "bbb"} {
			if got, err := s.EnsureSetting(ctx, "demo_seeded", v); err != nil || got != "aaa" {
				t.Errorf("ensure %q: got %q (%v), want aaa", v, got, err)
			}
		}
		if v, ok, err := s.Setting(ctx, "demo_seeded"); err != nil || !ok || v != "aaa" {
			t.Errorf("got %q %v (%v), want aaa", v, ok, err)
		}
	})
	t.Run("of values ensured at once, every caller gets the one kept", func(t *testing.T) {
		got := make([]string, 8)
		errs := atOnce(len(got), func(i int) (err error) {
			got[i], err = s.EnsureSetting(ctx, "dong-thoi", fmt.Sprint("v", i))
			return err
		})
		kept, _, _ := s.Setting(ctx, "dong-thoi")
		for i := range got {
			if errs[i] != nil || got[i] != kept {
				t.Errorf("caller %d: got %q (%v), want %q", i, got[i], errs[i], kept)
			}
		}
	})
}

// atOnce runs do(0) … do(n-1) each in a goroutine of its own, and returns
// their errors once all have returned.
func atOnce(n int, do func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = do(i)
		}()
	}
	wg.Wait()
	return errs
}
