package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
)

// Privacy is what the privacy contract tests use of a store: the privacy
// methods, the live games (a deletion erases live nicknames; a person's
// data lists their live plays), and PrivacyRows.
type Privacy interface {
	LiveStore
	quiz.PrivacyStore
	PrivacyRows
	User(ctx context.Context, id int64) (quiz.User, error)
}

// PrivacyRows reads and writes, for the tests, rows that the store's
// methods under test do not reach or that belong to methods of other
// interfaces: each store's test file writes them in its own SQL.
type PrivacyRows interface {
	// InsertResultRow puts a row into a round's locked ranking as a lock
	// would, with the person's data copied into it.
	InsertResultRow(ctx context.Context, r ResultRow) error
	ResultRowAt(ctx context.Context, roundID int64, position int) (ResultRow, error)
	AccountRowOf(ctx context.Context, userID int64) (AccountRow, error)
	InsertAuditRow(ctx context.Context, e quiz.AuditEntry) error
	// AuditRows returns the whole audit log in the order it was written.
	AuditRows(ctx context.Context) ([]quiz.AuditEntry, error)
	// LockRoundAt marks a round locked.
	LockRoundAt(ctx context.Context, roundID int64, at time.Time) error
	// WithdrawalRows returns the withdrawals of an account's consents.
	WithdrawalRows(ctx context.Context, userID int64) ([]Withdrawal, error)
}

// ResultRow is a row of a locked ranking (round_results).
type ResultRow struct {
	RoundID                                                          int64
	Position, Rank, PrizeTier                                        int
	UserID                                                           int64
	Prize, Name, BirthDate, IDNumber, Phone, Unit, Province, Commune string
}

// AccountRow is an account's row as stored, deleted or not.
type AccountRow struct {
	Name, BirthDate, IDNumber string
	Phone                     *string
	Email                     string
	Province, Commune, Unit   string
	PasswordHash              string
	DeletedAt                 *int64
	SessionEpoch              int64
}

// Withdrawal is the withdrawal of one consent, with the consent's version.
type Withdrawal struct {
	Version       string
	WithdrawnAt   int64
	IP, UserAgent string
}

// RunPrivacy runs the privacy contract tests against the stores open
// opens.
func RunPrivacy(t *testing.T, open func(t *testing.T) Privacy) {
	t.Run("deleting an account", func(t *testing.T) { testDeleteAccount(t, open(t)) })
	t.Run("withdrawing consent", func(t *testing.T) { testWithdrawConsent(t, open(t)) })
	t.Run("a person's own data", func(t *testing.T) { testOwnData(t, open(t)) })
	t.Run("a person's prizes", func(t *testing.T) { testOwnPrizes(t, open(t)) })
	t.Run("correcting a profile", func(t *testing.T) { testUpdateProfile(t, open(t)) })
	t.Run("purging old contests", func(t *testing.T) { testPurge(t, open(t)) })
}

// privacyFixture is a round with two contestants (An, with every field
// filled, and Hoa), An's running attempt, both in the round's locked
// ranking, and a live game An and a guest played.
type privacyFixture struct {
	s         Privacy
	round     round
	an, hoa   quiz.User
	attempt   quiz.Attempt
	game      liveGame
	anPlayer  quiz.LivePlayer
	guest     quiz.LivePlayer
	staff     quiz.User
	createdAt time.Time
}

func newPrivacyFixture(t *testing.T, s Privacy) privacyFixture {
	t.Helper()
	ctx := context.Background()
	f := privacyFixture{s: s, round: newRound(t, func(*testing.T) Store { return s }, 0, 0), createdAt: time.Now().UTC()}
	person := func(name, phone, email string) quiz.User {
		t.Helper()
		u, err := s.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: name, Phone: phone, Email: email,
			BirthDate: "1990-05-12", IDNumber: "001090012345", Province: "01", Commune: "Phường Ba Đình", Unit: "Sở Tư pháp",
			CreatedAt: f.createdAt}, "hash",
			&quiz.Consent{Purpose: quiz.PurposeContest, Version: "contest-2026-01", AgreedAt: f.createdAt, IP: "198.51.100.1"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.an = person("Nguyễn Văn An", "0912345678", "an@example.vn")
	f.hoa = person("Lê Thị Hoa", "0987654321", "")
	f.round.users = []quiz.User{f.an, f.hoa}
	f.attempt = f.round.mustStart(t, 0, time.Now().UTC())
	for i, u := range []quiz.User{f.an, f.hoa} {
		f.insertResult(t, f.round.round.ID, u, i+1, 1)
	}
	staff, err := s.CreateUser(ctx, quiz.User{Role: quiz.RoleOrganizer, FullName: "Ban tổ chức", Email: "btc@so.gov.vn",
		CreatedAt: f.createdAt}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	f.staff = staff
	f.game = newLiveGame(t, s, 2, "678901", time.Now())
	f.anPlayer = f.game.join(t, "An Nguyễn", f.an.ID)
	f.guest = f.game.join(t, "Khách", 0)
	return f
}

// insertResult puts u at position in round roundID's locked ranking, with
// prize tier tier (0: none).
func (f privacyFixture) insertResult(t *testing.T, roundID int64, u quiz.User, position, tier int) {
	t.Helper()
	prize := ""
	if tier > 0 {
		prize = "Giải Nhất"
	}
	if err := f.s.InsertResultRow(context.Background(), ResultRow{RoundID: roundID, Position: position, Rank: position,
		PrizeTier: tier, Prize: prize, UserID: u.ID, Name: u.FullName, BirthDate: u.BirthDate, IDNumber: u.IDNumber,
		Phone: u.Phone, Unit: u.Unit, Province: u.Province, Commune: u.Commune}); err != nil {
		t.Fatal(err)
	}
}

func (f privacyFixture) result(t *testing.T, roundID int64, position int) ResultRow {
	t.Helper()
	r, err := f.s.ResultRowAt(context.Background(), roundID, position)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f privacyFixture) audit(t *testing.T) []quiz.AuditEntry {
	t.Helper()
	log, err := f.s.AuditRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// deletionAudit is the entry quiz.Privacy writes for a deletion.
func deletionAudit(userID int64, at time.Time, action string) func(quiz.Deletion) quiz.AuditEntry {
	return func(d quiz.Deletion) quiz.AuditEntry {
		return quiz.AuditEntry{At: at, UserID: userID, Actor: quiz.DeletedActor(userID), Action: action,
			Detail: fmt.Sprintf("rounds=%d", len(d.RoundIDs)), IP: "203.0.113.7"}
	}
}

// checkErased checks what a deletion or a withdrawal leaves of An: the
// account's row emptied, locked rows without the person, live nicknames
// gone, the consent and the attempt kept, Hoa untouched.
func (f privacyFixture) checkErased(t *testing.T, at time.Time) {
	ctx := context.Background()
	s := f.s
	t.Run("empties the account and keeps its row", func(t *testing.T) {
		got, err := s.AccountRowOf(ctx, f.an.ID)
		if err != nil {
			t.Fatal(err)
		}
		deletedAt := at.UnixMilli()
		want := AccountRow{Name: quiz.DeletedName, Email: quiz.DeletedLogin(f.an.ID), DeletedAt: &deletedAt, SessionEpoch: 1}
		if got.Name != want.Name || got.BirthDate != "" || got.IDNumber != "" || got.Phone != nil || got.Email != want.Email ||
			got.Province != "" || got.Commune != "" || got.Unit != "" || got.PasswordHash != "" ||
			got.DeletedAt == nil || *got.DeletedAt != deletedAt || got.SessionEpoch != 1 {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("cannot be found", func(t *testing.T) {
		_, err := s.User(ctx, f.an.ID)
		wantCode(t, err, quiz.CodeNotFound)
		_, err = s.OwnData(ctx, f.an.ID)
		wantCode(t, err, quiz.CodeNotFound)
	})
	t.Run("keeps rank, prize, unit and province but not the person in locked results", func(t *testing.T) {
		got := f.result(t, f.round.round.ID, 1)
		want := ResultRow{RoundID: f.round.round.ID, Position: 1, Rank: 1, PrizeTier: 1, Prize: "Giải Nhất", UserID: f.an.ID,
			Name: quiz.DeletedName, Unit: "Sở Tư pháp", Province: "01"}
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if got := f.result(t, f.round.round.ID, 2); got.Name != "Lê Thị Hoa" || got.IDNumber != "001090012345" || got.Phone != "0987654321" {
			t.Errorf("another person's row changed: %+v", got)
		}
	})
	t.Run("keeps the consent as proof and the attempt without the person", func(t *testing.T) {
		consents, err := s.OwnConsents(ctx, f.an.ID)
		if err != nil || len(consents) != 1 || consents[0].Version != "contest-2026-01" || consents[0].IP != "198.51.100.1" {
			t.Errorf("got consents %+v (%v), want the registration's", consents, err)
		}
		attempts, err := s.UserAttempts(ctx, f.an.ID, f.round.round.ID)
		if err != nil || len(attempts) != 1 || attempts[0].ID != f.attempt.ID {
			t.Errorf("got attempts %+v (%v), want attempt %d kept", attempts, err, f.attempt.ID)
		}
	})
	t.Run("erases the live nicknames and keeps the guest's", func(t *testing.T) {
		players := f.game.record(t).Players
		if len(players) != 2 {
			t.Fatalf("got %d players, want 2", len(players))
		}
		p := players[0]
		if p.ID != f.anPlayer.ID || p.Nickname != quiz.DeletedName || p.UserID != 0 || !strings.HasPrefix(p.NicknameKey, "deleted:") {
			t.Errorf("the deleted account's player %+v, want %q, no account", p, quiz.DeletedName)
		}
		if players[1].Nickname != "Khách" || players[1].NicknameKey != "khách" {
			t.Errorf("the guest %+v, want as they joined", players[1])
		}
	})
	t.Run("takes the person's name out of the audit log's actors", func(t *testing.T) {
		for _, e := range f.audit(t) {
			if e.UserID == f.an.ID && e.Actor != quiz.DeletedActor(f.an.ID) {
				t.Errorf("entry %+v names %q, want %q", e, e.Actor, quiz.DeletedActor(f.an.ID))
			}
			if e.UserID == f.hoa.ID && e.Actor != "Lê Thị Hoa" {
				t.Errorf("Hoa's entry %+v, want her name kept", e)
			}
		}
	})
}

// ownDataAudit writes an entry of An's and one of Hoa's, naming them.
func (f privacyFixture) ownDataAudit(t *testing.T) {
	t.Helper()
	for _, u := range []quiz.User{f.an, f.hoa} {
		if err := f.s.InsertAuditRow(context.Background(), quiz.AuditEntry{At: f.createdAt, UserID: u.ID, Actor: u.FullName,
			Action: quiz.AuditOwnData}); err != nil {
			t.Fatal(err)
		}
	}
}

func testDeleteAccount(t *testing.T, s Privacy) {
	ctx := context.Background()
	f := newPrivacyFixture(t, s)
	f.ownDataAudit(t)
	at := time.Now().UTC().Add(time.Minute)

	t.Run("refuses a staff account and changes nothing", func(t *testing.T) {
		_, err := s.DeleteAccount(ctx, f.staff.ID, at, deletionAudit(f.staff.ID, at, quiz.AuditDeleteAccount))
		wantCode(t, err, quiz.CodeForbidden)
		if u, err := s.User(ctx, f.staff.ID); err != nil || u.FullName != "Ban tổ chức" {
			t.Errorf("staff account after a refused deletion: %+v (%v)", u, err)
		}
	})
	t.Run("refuses a missing account", func(t *testing.T) {
		_, err := s.DeleteAccount(ctx, 404, at, deletionAudit(404, at, quiz.AuditDeleteAccount))
		wantCode(t, err, quiz.CodeNotFound)
	})
	if n := len(f.audit(t)); n != 2 {
		t.Fatalf("%d audit entries after refused deletions, want the 2 written before", n)
	}

	d, err := s.DeleteAccount(ctx, f.an.ID, at, deletionAudit(f.an.ID, at, quiz.AuditDeleteAccount))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("tells the rounds, the locked rows and the end of the sessions", func(t *testing.T) {
		if !slices.Equal(d.RoundIDs, []int64{f.round.round.ID}) || d.Results != 1 || len(d.Withdrawn) != 0 ||
			d.Ended.UserID != f.an.ID || d.Ended.Epoch != 1 || d.Ended.Seq == 0 || !d.Ended.EndedAt.Equal(at) {
			t.Errorf("got %+v, want round %d, 1 result, sessions ended at epoch 1", d, f.round.round.ID)
		}
	})
	f.checkErased(t, at)
	t.Run("writes the audit entry", func(t *testing.T) {
		log := f.audit(t)
		if len(log) != 3 {
			t.Fatalf("got %d entries, want 3", len(log))
		}
		e := log[2]
		if e.UserID != f.an.ID || e.Action != quiz.AuditDeleteAccount || e.Actor != quiz.DeletedActor(f.an.ID) ||
			e.Detail != "rounds=1" || e.IP != "203.0.113.7" || e.RoundID != 0 || !e.At.Equal(at.Truncate(time.Millisecond)) {
			t.Errorf("got %+v, want the deletion's entry", e)
		}
	})
	t.Run("a second deletion finds no account and writes nothing", func(t *testing.T) {
		_, err := s.DeleteAccount(ctx, f.an.ID, at, deletionAudit(f.an.ID, at, quiz.AuditDeleteAccount))
		wantCode(t, err, quiz.CodeNotFound)
		if n := len(f.audit(t)); n != 3 {
			t.Errorf("%d audit entries, want still 3", n)
		}
	})
	t.Run("of deletions at once, exactly one deletes the account", func(t *testing.T) {
		const deletions = 6
		var wg sync.WaitGroup
		errs := make([]error, deletions)
		for i := range deletions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.DeleteAccount(ctx, f.hoa.ID, at, deletionAudit(f.hoa.ID, at, quiz.AuditDeleteAccount))
			}()
		}
		wg.Wait()
		deleted := 0
		for _, err := range errs {
			switch {
			case err == nil:
				deleted++
			case quiz.ErrorCode(err) != quiz.CodeNotFound:
				t.Errorf("got %v, want the account deleted or not found", err)
			}
		}
		row, err := s.AccountRowOf(ctx, f.hoa.ID)
		if deleted != 1 || err != nil || row.SessionEpoch != 1 {
			t.Errorf("%d deletions succeeded, sessions ended %d times (%v); want 1 and 1", deleted, row.SessionEpoch, err)
		}
		if n := len(f.audit(t)); n != 4 {
			t.Errorf("%d audit entries, want 4: one more deletion", n)
		}
	})
}

func testWithdrawConsent(t *testing.T, s Privacy) {
	ctx := context.Background()
	f := newPrivacyFixture(t, s)
	f.ownDataAudit(t)
	at := time.Now().UTC().Add(time.Minute)
	client := quiz.ClientInfo{IP: "203.0.113.9", UserAgent: "Trình duyệt thử"}

	t.Run("refuses a staff account and records nothing", func(t *testing.T) {
		_, err := s.WithdrawConsent(ctx, f.staff.ID, at, client, deletionAudit(f.staff.ID, at, quiz.AuditWithdrawConsent))
		wantCode(t, err, quiz.CodeForbidden)
	})
	d, err := s.WithdrawConsent(ctx, f.an.ID, at, client, deletionAudit(f.an.ID, at, quiz.AuditWithdrawConsent))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("returns the consents as withdrawn, as the receipt", func(t *testing.T) {
		if len(d.Withdrawn) != 1 || d.Withdrawn[0].Version != "contest-2026-01" || d.Withdrawn[0].WithdrawnAt == nil ||
			!d.Withdrawn[0].WithdrawnAt.Equal(at.Truncate(time.Millisecond)) || !strings.Contains(d.Withdrawn[0].TextVI, "91/2025/QH15") {
			t.Errorf("receipt %+v, want the registration's consent withdrawn at %v", d.Withdrawn, at)
		}
		if d.Results != 1 || len(d.RoundIDs) != 1 || d.Ended.Epoch != 1 {
			t.Errorf("withdrawal %+v, want one round, one locked row, sessions ended", d)
		}
	})
	t.Run("keeps the consent with when and from where it was withdrawn", func(t *testing.T) {
		got, err := s.WithdrawalRows(ctx, f.an.ID)
		want := []Withdrawal{{Version: "contest-2026-01", WithdrawnAt: at.UnixMilli(), IP: client.IP, UserAgent: client.UserAgent}}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("got %+v (%v), want %+v", got, err, want)
		}
		consents, err := s.OwnConsents(ctx, f.an.ID)
		if err != nil || len(consents) != 1 || consents[0].WithdrawnAt == nil {
			t.Errorf("got consents %+v (%v), want the consent marked withdrawn", consents, err)
		}
		if others, _ := s.WithdrawalRows(ctx, f.hoa.ID); len(others) != 0 {
			t.Errorf("Hoa's consents were withdrawn: %+v", others)
		}
	})
	f.checkErased(t, at)
	t.Run("writes its audit entry", func(t *testing.T) {
		log := f.audit(t)
		if len(log) != 3 || log[2].Action != quiz.AuditWithdrawConsent || log[2].UserID != f.an.ID {
			t.Errorf("got %+v, want the 2 entries before and the withdrawal's", log)
		}
	})
	t.Run("cannot be done twice", func(t *testing.T) {
		_, err := s.WithdrawConsent(ctx, f.an.ID, at.Add(time.Minute), client, deletionAudit(f.an.ID, at, quiz.AuditWithdrawConsent))
		wantCode(t, err, quiz.CodeNotFound)
		if got, _ := s.WithdrawalRows(ctx, f.an.ID); len(got) != 1 || got[0].WithdrawnAt != at.UnixMilli() {
			t.Errorf("got withdrawals %+v, want the first one only", got)
		}
	})
}

func testOwnData(t *testing.T, s Privacy) {
	ctx := context.Background()
	f := newPrivacyFixture(t, s)
	// An's live play: question 0 right and then skipped, question 1 right;
	// the guest's play is nobody's.
	start := time.Now().UTC()
	f.game.move(t, quiz.PhaseQuestion, 0, start)
	for _, p := range []quiz.LivePlayer{f.anPlayer, f.guest} {
		if err := f.game.answer(p.ID, 0, 1000, start.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveLiveTransition(ctx, quiz.LiveTransition{GameID: f.game.game.ID, Phase: quiz.PhaseReveal, Index: 0,
		At: start.Add(2 * time.Second), Skipped: true}); err != nil {
		t.Fatal(err)
	}
	f.game.move(t, quiz.PhaseQuestion, 1, start.Add(time.Minute))
	if err := f.game.answer(f.anPlayer.ID, 1, 983, start.Add(time.Minute+time.Second)); err != nil {
		t.Fatal(err)
	}

	d, err := s.OwnData(ctx, f.an.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("holds the account", func(t *testing.T) {
		if a := d.Account; a.ID != f.an.ID || a.FullName != "Nguyễn Văn An" || a.Phone != "0912345678" || a.Email != "an@example.vn" ||
			a.IDNumber != "001090012345" || a.Commune != "Phường Ba Đình" {
			t.Errorf("got %+v, want An's account", a)
		}
	})
	t.Run("holds the consents with their texts", func(t *testing.T) {
		if len(d.Consents) != 1 || d.Consents[0].Version != "contest-2026-01" || !strings.Contains(d.Consents[0].TextVI, "91/2025/QH15") ||
			d.Consents[0].WithdrawnAt != nil || d.Consents[0].UserID != f.an.ID || d.Consents[0].TextPublishedAt.IsZero() {
			t.Errorf("got %+v, want the registration's consent with its text", d.Consents)
		}
	})
	t.Run("holds the attempts with their round and contest, oldest first", func(t *testing.T) {
		if _, err := f.round.submit(f.attempt.ID, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		second := f.round.mustStart(t, 0, time.Now().UTC().Add(time.Second))
		d, err := s.OwnData(ctx, f.an.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Attempts) != 2 {
			t.Fatalf("got %d attempts, want 2", len(d.Attempts))
		}
		first, running := d.Attempts[0], d.Attempts[1]
		if first.ID != f.attempt.ID || first.RoundName != "Tuần 1" || first.ContestTitle != "Hội thi" ||
			first.ContestID != f.round.round.ContestID || first.SubmittedAt == nil || first.Score == nil || first.Total != drawnPerAttempt {
			t.Errorf("got %+v, want the submitted attempt first", first)
		}
		if running.ID != second.ID || running.SubmittedAt != nil || running.Score != nil || running.Correct != nil || running.Number != 2 {
			t.Errorf("got %+v, want the running attempt second, without a score", running)
		}
	})
	t.Run("holds the rows of locked rankings with the data copied into them", func(t *testing.T) {
		if len(d.Results) != 1 || d.Results[0].Rank != 1 || d.Results[0].Prize != "Giải Nhất" || d.Results[0].IDNumber != "001090012345" ||
			d.Results[0].ContestSlug != "thi" || d.Results[0].RoundID != f.round.round.ID || d.Results[0].LockedAt != nil {
			t.Errorf("got %+v, want the locked row with its copied data", d.Results)
		}
	})
	t.Run("holds the live quizzes played signed in, a skipped question not counted", func(t *testing.T) {
		want := quiz.OwnLivePlay{GameID: f.game.game.ID, Title: "Hội nghị tập huấn", Nickname: "An Nguyễn",
			JoinedAt: f.anPlayer.JoinedAt.Truncate(time.Millisecond), Points: 983, Correct: 1, Answered: 2}
		if len(d.Live) != 1 {
			t.Fatalf("got %+v, want %+v", d.Live, want)
		}
		got := d.Live[0]
		if !got.JoinedAt.Equal(want.JoinedAt) {
			t.Errorf("joined at %v, want %v", got.JoinedAt, want.JoinedAt)
		}
		got.JoinedAt = want.JoinedAt
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("a missing account is not found", func(t *testing.T) {
		_, err := s.OwnData(ctx, 404)
		wantCode(t, err, quiz.CodeNotFound)
	})
}

func testOwnPrizes(t *testing.T, s Privacy) {
	ctx := context.Background()
	f := newPrivacyFixture(t, s)
	// A second round, locked, in which An has no prize.
	other, err := s.CreateRound(ctx, quiz.Round{ContestID: f.round.round.ContestID, Name: "Tuần 0", BankID: f.round.bankID,
		OpensAt: time.Now().Add(-48 * time.Hour), ClosesAt: time.Now().Add(-24 * time.Hour), DurationSeconds: 600,
		QuestionCount: drawnPerAttempt, PointsPerQuestion: 1, Reveal: quiz.RevealAfterSubmit})
	if err != nil {
		t.Fatal(err)
	}
	f.insertResult(t, other.ID, f.an, 1, 0)
	if err := s.LockRoundAt(ctx, other.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	t.Run("lists no prize of a round not locked", func(t *testing.T) {
		if prizes, err := s.OwnPrizes(ctx, f.an.ID); err != nil || len(prizes) != 0 {
			t.Errorf("got %+v (%v), want none", prizes, err)
		}
	})
	t.Run("lists the prize once its round is locked", func(t *testing.T) {
		lockedAt := time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC)
		if err := s.LockRoundAt(ctx, f.round.round.ID, lockedAt); err != nil {
			t.Fatal(err)
		}
		prizes, err := s.OwnPrizes(ctx, f.an.ID)
		if err != nil || len(prizes) != 1 {
			t.Fatalf("got %+v (%v), want one", prizes, err)
		}
		if p := prizes[0]; p.RoundID != f.round.round.ID || p.Prize != "Giải Nhất" || p.PrizeTier != 1 || p.Rank != 1 ||
			p.ContestSlug != "thi" || p.LockedAt == nil || !p.LockedAt.Equal(lockedAt) || p.FullName != "Nguyễn Văn An" {
			t.Errorf("got %+v, want the first prize of round %d", p, f.round.round.ID)
		}
	})
	t.Run("lists a person's results in the order of the rounds", func(t *testing.T) {
		d, err := s.OwnData(ctx, f.an.ID)
		if err != nil || len(d.Results) != 2 || d.Results[0].RoundID != other.ID || d.Results[1].RoundID != f.round.round.ID {
			t.Errorf("got %+v (%v), want the earlier round first", d.Results, err)
		}
	})
}

func testUpdateProfile(t *testing.T, s Privacy) {
	ctx := context.Background()
	f := newPrivacyFixture(t, s)
	f.ownDataAudit(t)
	entry := func(round int64, actor string) quiz.AuditEntry {
		return quiz.AuditEntry{At: time.Now(), UserID: f.an.ID, Actor: actor, Action: quiz.AuditUpdateProfile,
			RoundID: round, Detail: "fields=full_name"}
	}

	t.Run("gives the account and the rounds it took part in", func(t *testing.T) {
		var gotUser quiz.User
		var gotRounds []quiz.TakenRound
		err := s.UpdateProfile(ctx, f.an.ID, func(u quiz.User, rounds []quiz.TakenRound) (*quiz.User, []quiz.AuditEntry, error) {
			gotUser, gotRounds = u, rounds
			return nil, nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if gotUser.ID != f.an.ID || gotUser.IDNumber != "001090012345" || len(gotRounds) != 1 ||
			gotRounds[0].ID != f.round.round.ID || !gotRounds[0].ClosesAt.Equal(f.round.round.ClosesAt.Truncate(time.Millisecond)) ||
			gotRounds[0].Locked || !gotRounds[0].Prize {
			t.Errorf("got %+v and %+v, want An and round %d, not locked, with An's prize row", gotUser, gotRounds, f.round.round.ID)
		}
		if err := s.LockRoundAt(ctx, f.round.round.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		s.UpdateProfile(ctx, f.an.ID, func(u quiz.User, rounds []quiz.TakenRound) (*quiz.User, []quiz.AuditEntry, error) {
			gotRounds = rounds
			return nil, nil, nil
		})
		if len(gotRounds) != 1 || !gotRounds[0].Locked || !gotRounds[0].Prize {
			t.Errorf("got %+v, want the round locked, with An's prize", gotRounds)
		}
	})
	t.Run("stores the change with its entries, and every entry of the account takes the first's actor", func(t *testing.T) {
		err := s.UpdateProfile(ctx, f.an.ID, func(u quiz.User, _ []quiz.TakenRound) (*quiz.User, []quiz.AuditEntry, error) {
			u.FullName, u.Phone, u.Email, u.Unit = "Nguyễn Văn Ân", "0900000001", "", "Sở Nội vụ"
			return &u, []quiz.AuditEntry{entry(0, "Nguyễn Văn Ân <0900000001>"), entry(f.round.round.ID, "Nguyễn Văn Ân <0900000001>")}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.User(ctx, f.an.ID)
		if err != nil || u.FullName != "Nguyễn Văn Ân" || u.Phone != "0900000001" || u.Email != "" || u.Unit != "Sở Nội vụ" ||
			u.IDNumber != "001090012345" {
			t.Errorf("got %+v (%v), want the corrected account", u, err)
		}
		row, err := s.AccountRowOf(ctx, f.an.ID)
		if err != nil || row.Email != "" {
			t.Errorf("got %+v (%v), want no e-mail", row, err)
		}
		var mine []quiz.AuditEntry
		for _, e := range f.audit(t) {
			if e.UserID == f.an.ID {
				mine = append(mine, e)
				if e.Actor != "Nguyễn Văn Ân <0900000001>" {
					t.Errorf("entry %+v names %q, want the corrected name", e, e.Actor)
				}
			}
		}
		if len(mine) != 3 || mine[2].RoundID != f.round.round.ID {
			t.Errorf("got %+v, want the download and the two corrections", mine)
		}
		if r := f.result(t, f.round.round.ID, 1); r.Name != "Nguyễn Văn An" {
			t.Errorf("the locked row reads %q, want the name as locked", r.Name)
		}
	})
	t.Run("a change's refusal is returned and nothing is written", func(t *testing.T) {
		refusal := quiz.Errorf(quiz.CodeValidation, "no")
		err := s.UpdateProfile(ctx, f.an.ID, func(u quiz.User, _ []quiz.TakenRound) (*quiz.User, []quiz.AuditEntry, error) {
			return nil, nil, refusal
		})
		if !errors.Is(err, refusal) {
			t.Errorf("got %v, want the change's refusal", err)
		}
	})
	before := len(f.audit(t))
	t.Run("refuses another account's phone or e-mail, naming the field, and changes nothing", func(t *testing.T) {
		if err := s.UpdateProfile(ctx, f.hoa.ID, func(u quiz.User, _ []quiz.TakenRound) (*quiz.User, []quiz.AuditEntry, error) {
			u.Email = "hoa@example.vn"
			return &u, nil, nil
		}); err != nil {
			t.Fatal(err)
		}
		for field, edit := range map[string]func(*quiz.User){
			"phone": func(u *quiz.User) { u.Phone = "0987654321" },
			"email": func(u *quiz.User) { u.Email = "HOA@example.vn" },
		} {
			err := s.UpdateProfile(ctx, f.an.ID, func(u quiz.User, _ []quiz.TakenRound) (*quiz.User, []quiz.AuditEntry, error) {
				edit(&u)
				u.Unit = "Sở Y tế"
				return &u, []quiz.AuditEntry{entry(0, "x")}, nil
			})
			var qe *quiz.Error
			if !errors.As(err, &qe) || qe.Code != quiz.CodeAccountExists || qe.Fields[field] == "" {
				t.Errorf("%s of another account: got %v, want account_exists naming it", field, err)
			}
		}
		if u, _ := s.User(ctx, f.an.ID); u.Phone != "0900000001" || u.Unit != "Sở Nội vụ" {
			t.Errorf("got %+v after refused corrections, want it unchanged", u)
		}
		if n := len(f.audit(t)); n != before {
			t.Errorf("%d audit entries after refused corrections, want %d", n, before)
		}
	})
	t.Run("a deleted or missing account is not found and change is not called", func(t *testing.T) {
		at := time.Now()
		if _, err := s.DeleteAccount(ctx, f.an.ID, at, deletionAudit(f.an.ID, at, quiz.AuditDeleteAccount)); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{f.an.ID, 404} {
			called := false
			err := s.UpdateProfile(ctx, id, func(u quiz.User, _ []quiz.TakenRound) (*quiz.User, []quiz.AuditEntry, error) {
				called = true
				return &u, nil, nil
			})
			wantCode(t, err, quiz.CodeNotFound)
			if called {
				t.Errorf("account %d: change was called", id)
			}
		}
	})
}

// testPurge is the SQLite store's TestPurgeClearsOldContestsOnly.
func testPurge(t *testing.T, s Privacy) {
	ctx := context.Background()
	f := newPrivacyFixture(t, s)
	now := time.Now().UTC()
	longAgo := now.AddDate(-1, -6, 0)
	old, err := s.CreateContest(ctx, quiz.Contest{Slug: "thi-cu", Title: "Hội thi năm trước", CreatedAt: longAgo}, 0)
	if err != nil {
		t.Fatal(err)
	}
	oldRound, err := s.CreateRound(ctx, quiz.Round{ContestID: old.ID, Name: "Tuần 1", BankID: f.round.bankID,
		OpensAt: now.AddDate(-1, 0, -7), ClosesAt: now.AddDate(-1, 0, 0), DurationSeconds: 600, QuestionCount: drawnPerAttempt,
		PointsPerQuestion: 1, MaxAttempts: 1, Reveal: quiz.RevealAfterSubmit})
	if err != nil {
		t.Fatal(err)
	}
	person := func(name, phone string, created time.Time) quiz.User {
		t.Helper()
		u, err := s.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: name, Phone: phone,
			BirthDate: "1990-05-12", IDNumber: "001090012345", Province: "01", Commune: "Phường Ba Đình", Unit: "Sở Tư pháp",
			CreatedAt: created}, "hash", &quiz.Consent{Purpose: quiz.PurposeContest, Version: "contest-2026-01", AgreedAt: created})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	attempt := func(u quiz.User, r quiz.Round, at time.Time) {
		t.Helper()
		drawn, seed := f.round.draw(t, byte(u.ID))
		if _, _, err := s.StartAttempt(ctx, quiz.NewAttempt{RoundID: r.ID, UserID: u.ID, Seed: seed,
			StartedAt: at, Deadline: at.Add(10 * time.Minute), Questions: drawn}); err != nil {
			t.Fatal(err)
		}
	}
	onlyOld := person("Phạm Văn Bình", "0911111111", longAgo)
	both := person("Hoàng Thị Cúc", "0922222222", longAgo)
	recentSignup := person("Vũ Văn Dũng", "0933333333", now.AddDate(0, 0, -10))
	attempt(onlyOld, oldRound, oldRound.OpensAt)
	attempt(both, oldRound, oldRound.OpensAt)
	attempt(both, f.round.round, now)
	attempt(recentSignup, oldRound, oldRound.OpensAt) // odd, but the signup date protects it
	f.insertResult(t, oldRound.ID, onlyOld, 1, 1)
	f.insertResult(t, oldRound.ID, both, 2, 1)
	f.insertResult(t, f.round.round.ID, both, 3, 1)
	for _, u := range []quiz.User{onlyOld, both} {
		if err := s.InsertAuditRow(ctx, quiz.AuditEntry{At: longAgo, UserID: u.ID, Actor: quiz.StaffName(u), Action: quiz.AuditOwnData}); err != nil {
			t.Fatal(err)
		}
	}

	privacy := quiz.NewPrivacy(s, time.Now)
	want := quiz.PurgeReport{Days: 90, Contests: 1, Rounds: 1, Results: 2, Accounts: 1}
	counts := func(r quiz.PurgeReport) quiz.PurgeReport {
		return quiz.PurgeReport{Days: r.Days, Contests: r.Contests, Rounds: r.Rounds, Results: r.Results, Accounts: r.Accounts}
	}
	purgeEntries := func() int {
		n := 0
		for _, e := range f.audit(t) {
			if e.Action == quiz.AuditPurge {
				n++
			}
		}
		return n
	}
	t.Run("a dry run counts and changes nothing", func(t *testing.T) {
		r, err := privacy.Purge(ctx, 90, true, "test")
		if err != nil {
			t.Fatal(err)
		}
		if counts(r) != want || !r.DryRun {
			t.Errorf("got %+v, want %+v", r, want)
		}
		if got := f.result(t, oldRound.ID, 1); got.IDNumber == "" {
			t.Errorf("a dry run cleared %+v", got)
		}
		if _, err := s.User(ctx, onlyOld.ID); err != nil {
			t.Errorf("a dry run anonymized an account: %v", err)
		}
		if n := purgeEntries(); n != 0 {
			t.Errorf("a dry run wrote %d audit entries", n)
		}
	})

	r, err := privacy.Purge(ctx, 90, false, "test")
	if err != nil {
		t.Fatal(err)
	}
	if counts(r) != want || r.DryRun {
		t.Errorf("purge %+v, want %+v", r, want)
	}
	t.Run("clears identity data of the old rounds' results and keeps the decision", func(t *testing.T) {
		for pos, u := range map[int]quiz.User{1: onlyOld, 2: both} {
			want := ResultRow{RoundID: oldRound.ID, Position: pos, Rank: pos, PrizeTier: 1, Prize: "Giải Nhất", UserID: u.ID,
				Name: u.FullName, Unit: "Sở Tư pháp", Province: "01"}
			if got := f.result(t, oldRound.ID, pos); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		}
		if got := f.result(t, f.round.round.ID, 3); got.IDNumber != "001090012345" || got.Phone != "0922222222" {
			t.Errorf("the recent contest's result was cleared: %+v", got)
		}
	})
	t.Run("anonymizes only accounts that took part in old contests alone", func(t *testing.T) {
		row, err := s.AccountRowOf(ctx, onlyOld.ID)
		if err != nil || row.Name != quiz.DeletedName || row.Phone != nil || row.IDNumber != "" || row.DeletedAt == nil ||
			*row.DeletedAt != r.At.UnixMilli() || row.SessionEpoch != 1 {
			t.Errorf("old contestant: %+v (%v), want anonymized at the purge's time", row, err)
		}
		for _, u := range []quiz.User{both, recentSignup, f.an} {
			if got, err := s.User(ctx, u.ID); err != nil || got.IDNumber != u.IDNumber || got.FullName != u.FullName {
				t.Errorf("%s: %+v (%v), want unchanged", u.FullName, got, err)
			}
		}
	})
	t.Run("takes the anonymized account's name and phone out of the audit log", func(t *testing.T) {
		for _, e := range f.audit(t) {
			switch e.UserID {
			case onlyOld.ID:
				if e.Actor != quiz.DeletedActor(onlyOld.ID) {
					t.Errorf("the old contestant's entry names %q, want %q", e.Actor, quiz.DeletedActor(onlyOld.ID))
				}
			case both.ID:
				if e.Actor != quiz.StaffName(both) {
					t.Errorf("a kept account's entry names %q, want %q", e.Actor, quiz.StaffName(both))
				}
			}
		}
	})
	t.Run("writes one audit entry with the counts", func(t *testing.T) {
		log := f.audit(t)
		last := log[len(log)-1]
		if purgeEntries() != 1 || last.Action != quiz.AuditPurge || !strings.Contains(last.Detail, "results=2 accounts=1") ||
			last.Actor != "test" || last.UserID != 0 {
			t.Errorf("got %+v, want the purge's entry", last)
		}
	})
	t.Run("a second purge finds nothing left", func(t *testing.T) {
		r, err := privacy.Purge(ctx, 90, false, "test")
		if err != nil || r.Results != 0 || r.Accounts != 0 || r.Contests != 1 {
			t.Errorf("got %+v (%v), want nothing to clear", r, err)
		}
	})
}
