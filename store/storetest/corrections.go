package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"hoithi/quiz"
)

// runCorrections runs quiz.Privacy's profile corrections over a store,
// with quiz.Results' lock: what a correction changes, what a locked
// ranking keeps, and what the audit log says.
func runCorrections(t *testing.T, open func(t *testing.T) Full) {
	t.Run("corrections leave a locked ranking as locked", func(t *testing.T) { testCorrectionsOfALockedRanking(t, open) })
	t.Run("corrections while a round waits for its lock", func(t *testing.T) { testCorrectionsBeforeTheLock(t, open) })
	t.Run("a correction refuses another account's phone or e-mail", func(t *testing.T) { testCorrectionOfAnotherAccountsLogin(t, open) })
}

// correcting is a contestant with one submitted attempt in the
// fixture's round, and the services that correct and lock.
type correcting struct {
	served
	official quiz.User
	rules    quiz.ProfileRules
}

func newCorrecting(t *testing.T, open func(t *testing.T) Full) correcting {
	t.Helper()
	ctx := context.Background()
	f := newServed(t, open, 6, 3, 2)
	a, _, err := f.newAttempt(t, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: time.Now(), Points: 1}); err != nil {
		t.Fatal(err)
	}
	official, err := f.s.CreateUser(ctx, quiz.User{Role: quiz.RoleOfficial, FullName: "Cán bộ", Email: "can-bo@so.gov.vn",
		CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	accounts := quiz.NewAccounts(f.s, nil, []quiz.Province{{Code: "01", Name: "Thành phố Hà Nội"}, {Code: "79", Name: "Thành phố Hồ Chí Minh"}}, time.Now)
	rules, err := accounts.ProfileRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return correcting{f, official, rules}
}

// afterClose is a clock an hour and a half from now, once the fixture's
// round has closed.
func afterClose() time.Time { return time.Now().Add(90 * time.Minute) }

func editText(s string) *string { return &s }

// profileAudit returns the profile corrections in the audit log, newest
// first.
func profileAudit(t *testing.T, db Full) []quiz.AuditEntry {
	t.Helper()
	log, err := db.AuditLog(context.Background(), quiz.AuditFilter{Action: quiz.AuditUpdateProfile})
	if err != nil {
		t.Fatal(err)
	}
	return log
}

func testCorrectionsOfALockedRanking(t *testing.T, open func(t *testing.T) Full) {
	ctx := context.Background()
	f := newCorrecting(t, open)
	if _, err := quiz.NewResults(f.s, afterClose).Lock(ctx, f.round.ID, f.official, "203.0.113.1"); err != nil {
		t.Fatal(err)
	}
	before := resultRow(t, f.s, f.round.ID, 1)
	if before.Name != "Nguyễn Văn An" || before.Phone != "0912345678" || before.Prize != "Giải Nhất" {
		t.Fatalf("locked row %+v, want the contestant with the first prize", before)
	}

	privacy := quiz.NewPrivacy(f.s, afterClose)
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
		u, err := f.s.User(ctx, f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.FullName != "Nguyễn Văn Ân" || u.Unit != "Sở Nội vụ" || u.Phone != "0987654321" || u.IDNumber != "001090012345" {
			t.Errorf("account %+v", u)
		}
	})
	t.Run("the locked ranking keeps the data copied at the lock", func(t *testing.T) {
		if got := resultRow(t, f.s, f.round.ID, 1); got != before {
			t.Errorf("locked row %+v, want it as locked: %+v", got, before)
		}
		l := quiz.WinnerList{Round: f.round}
		if err := f.s.LockedList(ctx, &l); err != nil {
			t.Fatal(err)
		}
		if w := l.Entries[0]; w.FullName != "Nguyễn Văn An" || w.Unit != before.Unit || w.Phone != "0912345678" {
			t.Errorf("winners list of the locked round %+v, want the data as locked", w)
		}
	})
	t.Run("the audit names the fields, not their values, and tells the round's officials of the winner", func(t *testing.T) {
		log := profileAudit(t, f.s)
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
		if n := len(profileAudit(t, f.s)); n != 2 {
			t.Errorf("%d audit entries, want still 2", n)
		}
	})
}

func testCorrectionsBeforeTheLock(t *testing.T, open func(t *testing.T) Full) {
	ctx := context.Background()
	f := newCorrecting(t, open)
	privacy := quiz.NewPrivacy(f.s, afterClose)

	t.Run("refuses to move the unit and changes nothing", func(t *testing.T) {
		_, err := privacy.UpdateProfile(ctx, f.user.ID, quiz.ProfileEdit{FullName: editText("Nguyễn Văn Ân"), Unit: editText("Sở Nội vụ")},
			f.rules, quiz.ClientInfo{})
		var qe *quiz.Error
		if !errors.As(err, &qe) || qe.Code != quiz.CodeValidation || qe.Fields["unit"] != quiz.MsgUnitFrozen {
			t.Fatalf("got %v, want the unit refused", err)
		}
		if u, _ := f.s.User(ctx, f.user.ID); u.FullName != "Nguyễn Văn An" || u.Unit != "" {
			t.Errorf("account after a refused correction: %+v", u)
		}
		if n := len(profileAudit(t, f.s)); n != 0 {
			t.Errorf("%d audit entries after a refused correction", n)
		}
	})
	t.Run("moves the unit while the round is open", func(t *testing.T) {
		open := quiz.NewPrivacy(f.s, time.Now)
		if _, err := open.UpdateProfile(ctx, f.user.ID, quiz.ProfileEdit{Unit: editText("Sở Nội vụ")}, f.rules, quiz.ClientInfo{}); err != nil {
			t.Fatal(err)
		}
		if log := profileAudit(t, f.s); len(log) != 1 || log[0].RoundID != 0 {
			t.Errorf("audit %+v, want one entry about the account only", log)
		}
	})
	t.Run("takes a name and tells the officials of the round", func(t *testing.T) {
		if _, err := privacy.UpdateProfile(ctx, f.user.ID, quiz.ProfileEdit{FullName: editText("Nguyễn Văn Ân")}, f.rules, quiz.ClientInfo{}); err != nil {
			t.Fatal(err)
		}
		log, err := f.s.AuditLog(ctx, quiz.AuditFilter{RoundID: f.round.ID})
		if err != nil || len(log) != 1 || log[0].Action != quiz.AuditUpdateProfile || log[0].Detail != "fields=full_name" {
			t.Fatalf("round's audit %+v, %v; want the correction", log, err)
		}
		contenders, err := f.s.RoundContenders(ctx, f.round.ID)
		if err != nil || len(contenders) != 1 || contenders[0].Name != "Nguyễn Văn Ân" {
			t.Errorf("the round waiting for its lock reads %+v, want the corrected name", contenders)
		}
	})
}

func testCorrectionOfAnotherAccountsLogin(t *testing.T, open func(t *testing.T) Full) {
	ctx := context.Background()
	f := newCorrecting(t, open)
	other, err := f.s.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Lê Thị Hoa", Phone: "0987654321",
		Email: "hoa@example.vn", CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	privacy := quiz.NewPrivacy(f.s, time.Now)
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
	if u, _ := f.s.User(ctx, f.user.ID); u.Phone != "0912345678" || u.Unit != "" || u.Email != "" {
		t.Errorf("account after refused corrections: %+v", u)
	}
	if u, _ := f.s.User(ctx, other.ID); u.Phone != "0987654321" {
		t.Errorf("the other account: %+v", u)
	}
	if n := len(profileAudit(t, f.s)); n != 0 {
		t.Errorf("%d audit entries after refused corrections", n)
	}
}

// resultRow reads a row of a round's locked ranking.
func resultRow(t *testing.T, s Full, roundID int64, position int) ResultRow {
	t.Helper()
	r, err := s.ResultRowAt(context.Background(), roundID, position)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
