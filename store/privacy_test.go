package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"hoithi/quiz"
)

// insertResult puts a row into a round's locked ranking as a lock would,
// with the person's data copied into it.
func insertResult(t *testing.T, db *DB, roundID, userID int64, position int, name string) {
	t.Helper()
	err := db.write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO round_results (round_id, position, rank, prize_tier, prize, user_id, attempt_id,
			full_name, birth_date, id_number, phone, unit, province, commune, score, correct, total, duration_ms,
			started_at, submitted_at) VALUES (?, ?, ?, 1, 'Giải Nhất', ?, 0, ?, '1990-05-12', '001090012345',
			'0912345678', 'Sở Tư pháp', '01', 'Phường Ba Đình', 10, 5, 5, 60000, 0, 60000)`,
			roundID, position, position, userID, name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// resultRow is a row of round_results as the tests read it.
type resultRow struct {
	Rank                                                   int
	Prize, Name, BirthDate, IDNumber, Phone, Unit, Commune string
}

func readResult(t *testing.T, db *DB, roundID int64, position int) resultRow {
	t.Helper()
	var r resultRow
	err := db.r.QueryRow(`SELECT rank, prize, full_name, birth_date, id_number, phone, unit, commune
		FROM round_results WHERE round_id = ? AND position = ?`, roundID, position).
		Scan(&r.Rank, &r.Prize, &r.Name, &r.BirthDate, &r.IDNumber, &r.Phone, &r.Unit, &r.Commune)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDeleteAccountAnonymizesTheAccountAndItsResults(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 6, 3, 2)
	if _, _, err := f.newAttempt(t, time.Now()); err != nil {
		t.Fatal(err)
	}
	other, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Lê Thị Hoa", Phone: "0987654321",
		CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	insertResult(t, f.db, f.round.ID, f.user.ID, 1, f.user.FullName)
	insertResult(t, f.db, f.round.ID, other.ID, 2, other.FullName)
	staff, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleOrganizer, FullName: "Ban tổ chức", Email: "btc@so.gov.vn",
		CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	privacy := quiz.NewPrivacy(f.db, time.Now)

	t.Run("refuses a staff account and changes nothing", func(t *testing.T) {
		_, err := privacy.DeleteAccount(ctx, staff.ID, quiz.ClientInfo{})
		if quiz.ErrorCode(err) != quiz.CodeForbidden {
			t.Fatalf("got %v, want forbidden", err)
		}
		if u, err := f.db.User(ctx, staff.ID); err != nil || u.FullName != "Ban tổ chức" {
			t.Errorf("staff account after a refused deletion: %+v, %v", u, err)
		}
	})

	d, err := privacy.DeleteAccount(ctx, f.user.ID, quiz.ClientInfo{IP: "203.0.113.7"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.RoundIDs) != 1 || d.RoundIDs[0] != f.round.ID || d.Results != 1 {
		t.Errorf("deletion %+v, want round %d and 1 result", d, f.round.ID)
	}

	t.Run("empties the account and keeps its row", func(t *testing.T) {
		var name, birth, idNumber, province, commune, unit, email, hash string
		var phone sql.NullString
		var deleted sql.NullInt64
		err := f.db.r.QueryRow(`SELECT full_name, birth_date, id_number, phone, email, province, commune, unit,
			password_hash, deleted_at FROM users WHERE id = ?`, f.user.ID).
			Scan(&name, &birth, &idNumber, &phone, &email, &province, &commune, &unit, &hash, &deleted)
		if err != nil {
			t.Fatal(err)
		}
		if name != quiz.DeletedName || birth != "" || idNumber != "" || phone.Valid || province != "" ||
			commune != "" || unit != "" || hash != "" || !deleted.Valid {
			t.Errorf("deleted account holds %q %q %q %v %q %q %q %q %v", name, birth, idNumber, phone, province,
				commune, unit, hash, deleted)
		}
		if email != quiz.DeletedLogin(f.user.ID) {
			t.Errorf("e-mail %q, want %q", email, quiz.DeletedLogin(f.user.ID))
		}
	})

	t.Run("cannot be found or signed in to", func(t *testing.T) {
		if _, err := f.db.User(ctx, f.user.ID); quiz.ErrorCode(err) != quiz.CodeNotFound {
			t.Errorf("User: %v, want not found", err)
		}
		for _, login := range []string{"0912345678", quiz.DeletedLogin(f.user.ID)} {
			if _, _, err := f.db.UserByLogin(ctx, login); quiz.ErrorCode(err) != quiz.CodeNotFound {
				t.Errorf("UserByLogin(%s): %v, want not found", login, err)
			}
		}
		if _, err := f.db.OwnData(ctx, f.user.ID); quiz.ErrorCode(err) != quiz.CodeNotFound {
			t.Errorf("OwnData: %v, want not found", err)
		}
	})

	t.Run("keeps rank and prize but not the person in locked results", func(t *testing.T) {
		got := readResult(t, f.db, f.round.ID, 1)
		want := resultRow{Rank: 1, Prize: "Giải Nhất", Name: quiz.DeletedName, Unit: "Sở Tư pháp"}
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if got := readResult(t, f.db, f.round.ID, 2); got.Name != "Lê Thị Hoa" || got.IDNumber != "001090012345" {
			t.Errorf("another person's row changed: %+v", got)
		}
	})

	t.Run("keeps the consent as proof", func(t *testing.T) {
		consents, err := f.db.Consents(ctx, f.user.ID)
		if err != nil || len(consents) != 1 || consents[0].Version != "contest-2026-01" {
			t.Errorf("consents %+v, %v; want the one given at registration", consents, err)
		}
	})

	t.Run("writes the audit entry without the person's data", func(t *testing.T) {
		log, err := f.db.AuditLog(ctx, quiz.AuditFilter{Action: quiz.AuditDeleteAccount})
		if err != nil || len(log) != 1 {
			t.Fatalf("audit %+v, %v; want one entry", log, err)
		}
		e := log[0]
		if e.UserID != f.user.ID || e.Detail != "rounds=1 results=1" || e.IP != "203.0.113.7" {
			t.Errorf("audit entry %+v", e)
		}
		if strings.Contains(e.Actor+e.Detail, "Nguyễn") || strings.Contains(e.Actor+e.Detail, "0912345678") {
			t.Errorf("audit entry names the person: %+v", e)
		}
	})

	t.Run("a second deletion finds no account", func(t *testing.T) {
		_, err := privacy.DeleteAccount(ctx, f.user.ID, quiz.ClientInfo{})
		if quiz.ErrorCode(err) != quiz.CodeUnauthorized {
			t.Errorf("got %v, want unauthorized", err)
		}
	})
}

func TestOwnDataHasConsentsAttemptsAndResults(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 6, 3, 2)
	a, _, err := f.newAttempt(t, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	insertResult(t, f.db, f.round.ID, f.user.ID, 1, f.user.FullName)
	d, err := quiz.NewPrivacy(f.db, time.Now).OwnData(ctx, f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Account.Phone != "0912345678" || d.Account.FullName != "Nguyễn Văn An" {
		t.Errorf("account %+v", d.Account)
	}
	if len(d.Consents) != 1 || d.Consents[0].Version != "contest-2026-01" || !strings.Contains(d.Consents[0].TextVI, "91/2025/QH15") {
		t.Errorf("consents %+v, want the registration's with its text", d.Consents)
	}
	if len(d.Attempts) != 1 || d.Attempts[0].ID != a.ID || d.Attempts[0].RoundName != "Tuần 1" ||
		d.Attempts[0].ContestTitle != "Hội thi" || d.Attempts[0].SubmittedAt != nil || d.Attempts[0].Score != nil {
		t.Errorf("attempts %+v, want the running one", d.Attempts)
	}
	if len(d.Results) != 1 || d.Results[0].Rank != 1 || d.Results[0].Prize != "Giải Nhất" || d.Results[0].IDNumber != "001090012345" {
		t.Errorf("results %+v, want the locked row with its copied data", d.Results)
	}
}

func TestPurgeClearsOldContestsOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 6, 3, 0)
	now := time.Now().UTC()
	longAgo := now.AddDate(-1, -6, 0)

	// The fixture's round stays open: a recent contest. Another contest
	// closed a year ago.
	old, err := f.db.CreateContest(ctx, quiz.Contest{Slug: "thi-cu", Title: "Hội thi năm trước", CreatedAt: longAgo}, 0)
	if err != nil {
		t.Fatal(err)
	}
	oldRound, err := f.db.CreateRound(ctx, quiz.Round{ContestID: old.ID, Name: "Tuần 1", BankID: f.bank.ID,
		OpensAt: now.AddDate(-1, 0, -7), ClosesAt: now.AddDate(-1, 0, 0), DurationSeconds: 600, QuestionCount: 3,
		PointsPerQuestion: 1, MaxAttempts: 1, Reveal: quiz.RevealAfterSubmit})
	if err != nil {
		t.Fatal(err)
	}
	person := func(name, phone string, created time.Time) quiz.User {
		u, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: name, Phone: phone,
			BirthDate: "1990-05-12", IDNumber: "001090012345", Province: "01", Unit: "Sở Tư pháp", CreatedAt: created},
			"hash", &quiz.Consent{Purpose: quiz.PurposeContest, Version: "contest-2026-01", AgreedAt: created})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	attempt := func(u quiz.User, r quiz.Round, at time.Time) {
		t.Helper()
		drawn, err := quiz.Draw(f.pool.Questions, 3, nil, quiz.Seed{byte(u.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.db.StartAttempt(ctx, quiz.NewAttempt{RoundID: r.ID, UserID: u.ID, Seed: quiz.Seed{byte(u.ID)},
			StartedAt: at, Deadline: at.Add(10 * time.Minute), Questions: drawn}); err != nil {
			t.Fatal(err)
		}
	}
	onlyOld := person("Phạm Văn Bình", "0911111111", longAgo)
	both := person("Hoàng Thị Cúc", "0922222222", longAgo)
	recentSignup := person("Vũ Văn Dũng", "0933333333", now.AddDate(0, 0, -10))
	attempt(onlyOld, oldRound, oldRound.OpensAt)
	attempt(both, oldRound, oldRound.OpensAt)
	attempt(both, f.round, now)
	attempt(recentSignup, oldRound, oldRound.OpensAt) // odd, but the signup date protects it
	insertResult(t, f.db, oldRound.ID, onlyOld.ID, 1, onlyOld.FullName)
	insertResult(t, f.db, oldRound.ID, both.ID, 2, both.FullName)
	insertResult(t, f.db, f.round.ID, both.ID, 1, both.FullName)
	for _, u := range []quiz.User{onlyOld, both} {
		if err := f.db.Audit(ctx, quiz.AuditEntry{At: longAgo, UserID: u.ID, Actor: quiz.StaffName(u), Action: quiz.AuditOwnData}); err != nil {
			t.Fatal(err)
		}
	}

	privacy := quiz.NewPrivacy(f.db, time.Now)
	for _, days := range []int{0, -3} {
		if _, err := privacy.Purge(ctx, days, false, "test"); quiz.ErrorCode(err) != quiz.CodeValidation {
			t.Errorf("days=%d: %v, want validation_failed", days, err)
		}
	}

	want := quiz.PurgeReport{Days: 90, Contests: 1, Rounds: 1, Results: 2, Accounts: 1}
	counts := func(r quiz.PurgeReport) quiz.PurgeReport {
		return quiz.PurgeReport{Days: r.Days, Contests: r.Contests, Rounds: r.Rounds, Results: r.Results, Accounts: r.Accounts}
	}
	t.Run("a dry run counts and changes nothing", func(t *testing.T) {
		r, err := privacy.Purge(ctx, 90, true, "test")
		if err != nil {
			t.Fatal(err)
		}
		if counts(r) != want || !r.DryRun {
			t.Errorf("got %+v, want %+v", r, want)
		}
		if got := readResult(t, f.db, oldRound.ID, 1); got.IDNumber == "" {
			t.Errorf("a dry run cleared %+v", got)
		}
		if _, err := f.db.User(ctx, onlyOld.ID); err != nil {
			t.Errorf("a dry run anonymized an account: %v", err)
		}
		if log, _ := f.db.AuditLog(ctx, quiz.AuditFilter{Action: quiz.AuditPurge}); len(log) != 0 {
			t.Errorf("a dry run wrote the audit log: %+v", log)
		}
	})

	r, err := privacy.Purge(ctx, 90, false, "test")
	if err != nil {
		t.Fatal(err)
	}
	if counts(r) != want {
		t.Errorf("purge %+v, want %+v", r, want)
	}

	t.Run("clears identity data of the old rounds' results and keeps the decision", func(t *testing.T) {
		for pos, name := range map[int]string{1: onlyOld.FullName, 2: both.FullName} {
			want := resultRow{Rank: pos, Prize: "Giải Nhất", Name: name, Unit: "Sở Tư pháp"}
			if got := readResult(t, f.db, oldRound.ID, pos); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		}
		if got := readResult(t, f.db, f.round.ID, 1); got.IDNumber != "001090012345" || got.Phone != "0912345678" {
			t.Errorf("the recent contest's result was cleared: %+v", got)
		}
	})

	t.Run("anonymizes only accounts that took part in old contests alone", func(t *testing.T) {
		if _, err := f.db.User(ctx, onlyOld.ID); quiz.ErrorCode(err) != quiz.CodeNotFound {
			t.Errorf("old contestant: %v, want not found", err)
		}
		for _, u := range []quiz.User{both, recentSignup, f.user} {
			if got, err := f.db.User(ctx, u.ID); err != nil || got.IDNumber != u.IDNumber || got.FullName != u.FullName {
				t.Errorf("%s: %+v, %v; want unchanged", u.FullName, got, err)
			}
		}
	})

	t.Run("takes the anonymized account's name and phone out of the audit log", func(t *testing.T) {
		log, err := f.db.AuditLog(ctx, quiz.AuditFilter{Action: quiz.AuditOwnData})
		if err != nil || len(log) != 2 {
			t.Fatalf("audit %+v, %v; want the two downloads", log, err)
		}
		for _, e := range log {
			want := quiz.StaffName(both)
			if e.UserID == onlyOld.ID {
				want = quiz.DeletedActor(onlyOld.ID)
			}
			if e.Actor != want {
				t.Errorf("account %d's entry names %q, want %q", e.UserID, e.Actor, want)
			}
		}
	})

	t.Run("writes one audit entry with the counts", func(t *testing.T) {
		log, err := f.db.AuditLog(ctx, quiz.AuditFilter{Action: quiz.AuditPurge})
		if err != nil || len(log) != 1 || !strings.Contains(log[0].Detail, "results=2 accounts=1") || log[0].Actor != "test" {
			t.Errorf("audit %+v, %v", log, err)
		}
	})

	t.Run("a second purge finds nothing left", func(t *testing.T) {
		r, err := privacy.Purge(ctx, 90, false, "test")
		if err != nil || r.Results != 0 || r.Accounts != 0 {
			t.Errorf("got %+v, %v; want nothing to do", r, err)
		}
	})
}
