package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"hoithi/quiz"
)

// profileFixture is a contestant with one submitted attempt in the
// fixture's round, and the services that correct and lock.
type profileFixture struct {
	fixture
	official quiz.User
	rules    quiz.ProfileRules
}

func newProfileFixture(t *testing.T) profileFixture {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, 6, 3, 2)
	a, _, err := f.newAttempt(t, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: time.Now(), Points: 1}); err != nil {
		t.Fatal(err)
	}
	official, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleOfficial, FullName: "Cán bộ", Email: "can-bo@so.gov.vn",
		CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	accounts := quiz.NewAccounts(f.db, nil, []quiz.Province{{Code: "01", Name: "Thành phố Hà Nội"}, {Code: "79", Name: "Thành phố Hồ Chí Minh"}}, time.Now)
	rules, err := accounts.ProfileRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return profileFixture{f, official, rules}
}

// afterClose is a clock an hour and a half from now, once the fixture's
// round has closed.
func afterClose() time.Time { return time.Now().Add(90 * time.Minute) }

func editText(s string) *string { return &s }

// profileAudit returns the profile corrections in the audit log, newest
// first.
func profileAudit(t *testing.T, db *DB) []quiz.AuditEntry {
	t.Helper()
	log, err := db.AuditLog(context.Background(), quiz.AuditFilter{Action: quiz.AuditUpdateProfile})
	if err != nil {
		t.Fatal(err)
	}
	return log
}

func TestCorrectionsLeaveALockedRankingAsLocked(t *testing.T) {
	ctx := context.Background()
	f := newProfileFixture(t)
	if _, err := quiz.NewResults(f.db, afterClose).Lock(ctx, f.round.ID, f.official, "203.0.113.1"); err != nil {
		t.Fatal(err)
	}
	before := readResult(t, f.db, f.round.ID, 1)
	if before.Name != "Nguyễn Văn An" || before.Phone != "0912345678" || before.Prize != "Giải Nhất" {
		t.Fatalf("locked row %+v, want the contestant with the first prize", before)
	}

	privacy := quiz.NewPrivacy(f.db, afterClose)
	upd, err := privacy.UpdateProfile(ctx, f.user.ID, quiz.ProfileEdit{
		FullName: editText("Nguyễn  Văn   Ân"), Unit: editText("Sở Nội vụ"), Phone: editText("+84 987 654 321"),
		IDNumber: editText("001090012345"), BirthDate: editText("1990-05-12"), PasswordChecked: true,
	}, f.rules, quiz.ClientInfo{IP: "198.51.100.2"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"full_name", "birth_date", "id_number", "phone", "unit"}; !slices.Equal(upd.Changed, want) {
		t.Errorf("changed %v, want %v", upd.Changed, want)
	}

	t.Run("the account holds the correction, cleaned", func(t *testing.T) {
		u, err := f.db.User(ctx, f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.FullName != "Nguyễn Văn Ân" || u.Unit != "Sở Nội vụ" || u.Phone != "0987654321" || u.IDNumber != "001090012345" {
			t.Errorf("account %+v", u)
		}
	})
	t.Run("the locked ranking keeps the data copied at the lock", func(t *testing.T) {
		if got := readResult(t, f.db, f.round.ID, 1); got != before {
			t.Errorf("locked row %+v, want it as locked: %+v", got, before)
		}
		l := quiz.WinnerList{Round: f.round}
		if err := f.db.LockedList(ctx, &l); err != nil {
			t.Fatal(err)
		}
		if w := l.Entries[0]; w.FullName != "Nguyễn Văn An" || w.Unit != before.Unit || w.Phone != "0912345678" {
			t.Errorf("winners list of the locked round %+v, want the data as locked", w)
		}
	})
	t.Run("the audit names the fields, not their values, and tells the round's officials of the winner", func(t *testing.T) {
		log := profileAudit(t, f.db)
		if len(log) != 2 {
			t.Fatalf("%d audit entries, want the account's and the locked round's", len(log))
		}
		rounds := map[int64]bool{}
		for _, e := range log {
			rounds[e.RoundID] = true
			if e.Detail != "fields=full_name,birth_date,id_number,phone,unit" || e.UserID != f.user.ID || e.IP != "198.51.100.2" {
				t.Errorf("audit entry %+v", e)
			}
			for _, value := range []string{"Sở Nội vụ", "0987654321", "001090012345", "1990-05-12", "0912345678"} {
				if strings.Contains(e.Detail, value) {
					t.Errorf("audit detail %q holds the value %q", e.Detail, value)
				}
			}
		}
		if !rounds[0] || !rounds[f.round.ID] {
			t.Errorf("audit rounds %v, want the account's entry and one for round %d", rounds, f.round.ID)
		}
	})
	t.Run("an edit that changes nothing writes nothing", func(t *testing.T) {
		upd, err := privacy.UpdateProfile(ctx, f.user.ID, quiz.ProfileEdit{Unit: editText("sở nội vụ")}, f.rules, quiz.ClientInfo{})
		if err != nil || len(upd.Changed) != 0 {
			t.Fatalf("got %v, %v; want no change", upd.Changed, err)
		}
		if n := len(profileAudit(t, f.db)); n != 2 {
			t.Errorf("%d audit entries, want still 2", n)
		}
	})
}

func TestCorrectionsWhileARoundWaitsForItsLock(t *testing.T) {
	ctx := context.Background()
	f := newProfileFixture(t)
	privacy := quiz.NewPrivacy(f.db, afterClose)

	t.Run("refuses to move the unit and changes nothing", func(t *testing.T) {
		_, err := privacy.UpdateProfile(ctx, f.user.ID, quiz.ProfileEdit{FullName: editText("Nguyễn Văn Ân"), Unit: editText("Sở Nội vụ")},
			f.rules, quiz.ClientInfo{})
		var qe *quiz.Error
		if !errors.As(err, &qe) || qe.Code != quiz.CodeValidation || qe.Fields["unit"] != quiz.MsgUnitFrozen {
			t.Fatalf("got %v, want the unit refused", err)
		}
		if u, _ := f.db.User(ctx, f.user.ID); u.FullName != "Nguyễn Văn An" || u.Unit != "" {
			t.Errorf("account after a refused correction: %+v", u)
		}
		if n := len(profileAudit(t, f.db)); n != 0 {
			t.Errorf("%d audit entries after a refused correction", n)
		}
	})
	t.Run("moves the unit while the round is open", func(t *testing.T) {
		open := quiz.NewPrivacy(f.db, time.Now)
		if _, err := open.UpdateProfile(ctx, f.user.ID, quiz.ProfileEdit{Unit: editText("Sở Nội vụ")}, f.rules, quiz.ClientInfo{}); err != nil {
			t.Fatal(err)
		}
		if log := profileAudit(t, f.db); len(log) != 1 || log[0].RoundID != 0 {
			t.Errorf("audit %+v, want one entry about the account only", log)
		}
	})
	t.Run("takes a name and tells the officials of the round", func(t *testing.T) {
		if _, err := privacy.UpdateProfile(ctx, f.user.ID, quiz.ProfileEdit{FullName: editText("Nguyễn Văn Ân")}, f.rules, quiz.ClientInfo{}); err != nil {
			t.Fatal(err)
		}
		log, err := f.db.AuditLog(ctx, quiz.AuditFilter{RoundID: f.round.ID})
		if err != nil || len(log) != 1 || log[0].Action != quiz.AuditUpdateProfile || log[0].Detail != "fields=full_name" {
			t.Fatalf("round's audit %+v, %v; want the correction", log, err)
		}
		contenders, err := f.db.RoundContenders(ctx, f.round.ID)
		if err != nil || len(contenders) != 1 || contenders[0].Name != "Nguyễn Văn Ân" {
			t.Errorf("the round waiting for its lock reads %+v, want the corrected name", contenders)
		}
	})
}

func TestCorrectionRefusesAnotherAccountsPhone(t *testing.T) {
	ctx := context.Background()
	f := newProfileFixture(t)
	other, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Lê Thị Hoa", Phone: "0987654321",
		Email: "hoa@example.vn", CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	privacy := quiz.NewPrivacy(f.db, time.Now)
	for field, edit := range map[string]quiz.ProfileEdit{
		"phone": {Phone: editText("0987 654 321"), Unit: editText("Sở Nội vụ"), PasswordChecked: true},
		"email": {Email: editText("HOA@example.vn"), Unit: editText("Sở Nội vụ"), PasswordChecked: true},
	} {
		_, err := privacy.UpdateProfile(ctx, f.user.ID, edit, f.rules, quiz.ClientInfo{})
		var qe *quiz.Error
		if !errors.As(err, &qe) || qe.Code != quiz.CodeAccountExists || qe.Fields[field] == "" {
			t.Errorf("%s of another account: got %v, want account_exists naming it", field, err)
		}
	}
	if u, _ := f.db.User(ctx, f.user.ID); u.Phone != "0912345678" || u.Unit != "" || u.Email != "" {
		t.Errorf("account after refused corrections: %+v", u)
	}
	if u, _ := f.db.User(ctx, other.ID); u.Phone != "0987654321" {
		t.Errorf("the other account: %+v", u)
	}
	if n := len(profileAudit(t, f.db)); n != 0 {
		t.Errorf("%d audit entries after refused corrections", n)
	}
}

func TestWithdrawConsentErasesAndKeepsTheWithdrawal(t *testing.T) {
	ctx := context.Background()
	f := newProfileFixture(t)
	insertResult(t, f.db, f.round.ID, f.user.ID, 1, f.user.FullName)
	at := time.Now()
	privacy := quiz.NewPrivacy(f.db, func() time.Time { return at })

	d, err := privacy.WithdrawConsent(ctx, f.user.ID, quiz.ClientInfo{IP: "203.0.113.9", UserAgent: "Trình duyệt thử"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Withdrawn) != 1 || d.Withdrawn[0].Version != "contest-2026-01" || d.Withdrawn[0].WithdrawnAt == nil ||
		d.Withdrawn[0].WithdrawnAt.UnixMilli() != at.UnixMilli() {
		t.Errorf("receipt %+v, want the registration's consent withdrawn at %v", d.Withdrawn, at)
	}
	if d.Results != 1 || len(d.RoundIDs) != 1 {
		t.Errorf("withdrawal %+v, want one round and one locked row", d)
	}

	t.Run("removes the data as a deletion does", func(t *testing.T) {
		if _, err := f.db.User(ctx, f.user.ID); quiz.ErrorCode(err) != quiz.CodeNotFound {
			t.Errorf("User: %v, want not found", err)
		}
		if _, _, err := f.db.UserByLogin(ctx, "0912345678"); quiz.ErrorCode(err) != quiz.CodeNotFound {
			t.Errorf("UserByLogin: %v, want not found", err)
		}
		if got := readResult(t, f.db, f.round.ID, 1); got.Name != quiz.DeletedName || got.Phone != "" || got.IDNumber != "" || got.Prize != "Giải Nhất" {
			t.Errorf("locked row %+v, want rank and prize without the person", got)
		}
	})
	t.Run("keeps the consent with when and from where it was withdrawn", func(t *testing.T) {
		var withdrawnAt int64
		var ip, agent, version string
		err := f.db.r.QueryRow(`SELECT w.withdrawn_at, w.ip, w.user_agent, k.version FROM consent_withdrawals w
			JOIN consents k ON k.id = w.consent_id WHERE k.user_id = ?`, f.user.ID).Scan(&withdrawnAt, &ip, &agent, &version)
		if err != nil {
			t.Fatal(err)
		}
		if withdrawnAt != at.UnixMilli() || ip != "203.0.113.9" || agent != "Trình duyệt thử" || version != "contest-2026-01" {
			t.Errorf("withdrawal %d %q %q %q", withdrawnAt, ip, agent, version)
		}
		consents, err := f.db.OwnConsents(ctx, f.user.ID)
		if err != nil || len(consents) != 1 || consents[0].WithdrawnAt == nil {
			t.Errorf("consents %+v, %v; want the consent marked withdrawn", consents, err)
		}
	})
	t.Run("writes its own audit entry without the person's data", func(t *testing.T) {
		log, err := f.db.AuditLog(ctx, quiz.AuditFilter{Action: quiz.AuditWithdrawConsent})
		if err != nil || len(log) != 1 || log[0].Actor != quiz.DeletedActor(f.user.ID) || log[0].Detail != "consents=1 rounds=1 results=1" {
			t.Errorf("audit %+v, %v", log, err)
		}
	})
	t.Run("cannot be done twice", func(t *testing.T) {
		if _, err := privacy.WithdrawConsent(ctx, f.user.ID, quiz.ClientInfo{}); quiz.ErrorCode(err) != quiz.CodeUnauthorized {
			t.Errorf("second withdrawal: %v, want unauthorized", err)
		}
	})
}

func TestOwnPrizesListsLockedPrizesOnly(t *testing.T) {
	ctx := context.Background()
	f := newProfileFixture(t)
	if prizes, err := f.db.OwnPrizes(ctx, f.user.ID); err != nil || len(prizes) != 0 {
		t.Fatalf("prizes before the lock: %+v, %v", prizes, err)
	}
	if _, err := quiz.NewResults(f.db, afterClose).Lock(ctx, f.round.ID, f.official, ""); err != nil {
		t.Fatal(err)
	}
	prizes, err := f.db.OwnPrizes(ctx, f.user.ID)
	if err != nil || len(prizes) != 1 {
		t.Fatalf("prizes %+v, %v; want one", prizes, err)
	}
	if p := prizes[0]; p.RoundID != f.round.ID || p.Prize != "Giải Nhất" || p.Rank != 1 || p.ContestSlug != "thi" || p.LockedAt == nil {
		t.Errorf("prize %+v", p)
	}
}
