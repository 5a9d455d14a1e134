package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoithi/quiz"
)

func TestRankingVersionGrowsWithEveryChangeThatMovesARanking(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 6, 3, 0)
	now := time.Now().UTC()
	other, err := f.db.CreateRound(ctx, quiz.Round{ContestID: f.round.ContestID, Name: "Tuần 2", BankID: f.bank.ID,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), DurationSeconds: 600, QuestionCount: 3,
		PointsPerQuestion: 1, Reveal: quiz.RevealAfterClose})
	if err != nil {
		t.Fatal(err)
	}
	version := func() quiz.RankingVersion {
		t.Helper()
		v, err := f.db.RankingVersion(ctx, f.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	submit := func(t *testing.T, round quiz.Round) {
		t.Helper()
		drawn, err := quiz.Draw(f.pool.Questions, round.QuestionCount, nil, quiz.Seed{byte(time.Now().UnixNano())})
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := f.db.StartAttempt(ctx, quiz.NewAttempt{RoundID: round.ID, UserID: f.user.ID, Seed: quiz.Seed{1},
			StartedAt: time.Now(), Deadline: time.Now().Add(time.Minute), Questions: drawn})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: time.Now(), Points: 1}); err != nil {
			t.Fatal(err)
		}
	}
	changes := []struct {
		name        string
		change      func(t *testing.T)
		every, self bool // which counter must grow
	}{
		{"a submission in the round", func(t *testing.T) { submit(t, f.round) }, false, true},
		{"a round edited (close time, prizes, cap, prediction)", func(t *testing.T) {
			r := f.round
			r.ClosesAt, r.PrizeCapPercent = r.ClosesAt.Add(time.Minute), 50
			r.Prizes = append(r.Prizes, quiz.Prize{Name: "Khuyến khích", Count: 5})
			if _, err := f.db.UpdateRound(ctx, r); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"unit sizes", func(t *testing.T) {
			if err := f.db.SetUnits(ctx, []string{"Sở Tư pháp"}); err != nil {
				t.Fatal(err)
			}
			if err := f.db.SetUnitMembers(ctx, map[string]int{"Sở Tư pháp": 40}); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"another round of the contest locked (one prize per person)", func(t *testing.T) {
			if err := f.db.LockRound(ctx, quiz.WinnerList{Round: other}, f.user.ID,
				quiz.AuditEntry{At: time.Now(), Action: quiz.AuditLock, RoundID: other.ID}); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"another round of the contest unlocked", func(t *testing.T) {
			if err := f.db.UnlockRound(ctx, other.ID,
				quiz.AuditEntry{At: time.Now(), Action: quiz.AuditUnlock, RoundID: other.ID}); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"an account deleted", func(t *testing.T) {
			if _, err := f.db.DeleteAccount(ctx, f.user.ID, time.Now(), func(quiz.Deletion) quiz.AuditEntry {
				return quiz.AuditEntry{At: time.Now(), Action: quiz.AuditDeleteAccount}
			}); err != nil {
				t.Fatal(err)
			}
		}, true, false},
	}
	for _, c := range changes {
		t.Run("grows with "+c.name, func(t *testing.T) {
			before := version()
			c.change(t)
			after := version()
			if c.every && after.All <= before.All {
				t.Errorf("every round's counter: %d then %d, want it to grow", before.All, after.All)
			}
			if c.self && after.Round <= before.Round {
				t.Errorf("the round's counter: %d then %d, want it to grow", before.Round, after.Round)
			}
		})
	}

	t.Run("does not move with another round's submissions", func(t *testing.T) {
		fresh := newFixture(t, 6, 3, 0)
		r2, err := fresh.db.CreateRound(ctx, quiz.Round{ContestID: fresh.round.ContestID, Name: "Tuần 2",
			BankID: fresh.bank.ID, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), DurationSeconds: 600,
			QuestionCount: 3, PointsPerQuestion: 1, Reveal: quiz.RevealAfterClose})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := fresh.db.RankingVersion(ctx, fresh.round.ID)
		drawn, _ := quiz.Draw(fresh.pool.Questions, 3, nil, quiz.Seed{2})
		a, _, err := fresh.db.StartAttempt(ctx, quiz.NewAttempt{RoundID: r2.ID, UserID: fresh.user.ID, Seed: quiz.Seed{2},
			StartedAt: time.Now(), Deadline: time.Now().Add(time.Minute), Questions: drawn})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fresh.db.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: time.Now(), Points: 1}); err != nil {
			t.Fatal(err)
		}
		if after, _ := fresh.db.RankingVersion(ctx, fresh.round.ID); after != before {
			t.Errorf("version %+v then %+v, want it unchanged", before, after)
		}
	})
}

func TestRankingVersionSeesAPurgeMadeThroughAnotherHandle(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hoithi.db")
	server, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	now := time.Now().UTC()
	bank, _ := server.CreateBank(ctx, quiz.Bank{Name: "b", CreatedAt: now})
	contest, _ := server.CreateContest(ctx, quiz.Contest{Slug: "c", Title: "Hội thi", CreatedAt: now}, 0)
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
	insertResult(t, server, round.ID, user.ID, 1, user.FullName)
	// A server has read the version; a purge runs in another process.
	before, err := server.RankingVersion(ctx, round.ID)
	if err != nil {
		t.Fatal(err)
	}
	command, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := command.Purge(ctx, quiz.PurgeReport{Cutoff: now, At: now}, func(quiz.PurgeReport) quiz.AuditEntry {
		return quiz.AuditEntry{At: now, Action: quiz.AuditPurge}
	}); err != nil {
		t.Fatal(err)
	}
	command.Close()
	after, err := server.RankingVersion(ctx, round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.All <= before.All {
		t.Errorf("version %+v before the purge, %+v after: the server cannot tell its ranking is stale", before, after)
	}
	if row := readResult(t, server, round.ID, 1); row.IDNumber != "" || row.Phone != "" {
		t.Fatalf("the purge left %+v", row)
	}
}

func TestResultsReadOneContestantOrThePrizesOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 6, 3, 0)
	var l quiz.WinnerList
	l.Round = f.round
	const contestants = 50
	var users []quiz.User
	for i := range contestants {
		u, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Người " + string(rune('A'+i%26)),
			Phone: "09" + string(rune('0'+i/10)) + string(rune('0'+i%10)) + "000000", CreatedAt: time.Now()}, "hash", nil)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
		w := quiz.Winner{Rank: i + 1, UserID: u.ID, AttemptID: int64(i + 1), FullName: u.FullName, Phone: u.Phone,
			IDNumber: "001090012345", BirthDate: "1990-05-12", Unit: "Xã " + string(rune('A'+i%5)), Score: 50 - i,
			StartedAt: time.Now(), SubmittedAt: time.Now()}
		if i < 3 {
			w.PrizeTier, w.Prize = i+1, []string{"Giải Nhất", "Giải Nhì", "Giải Ba"}[i]
		}
		l.Entries = append(l.Entries, w)
	}
	l.Units = []quiz.UnitStanding{{Unit: "Xã A", Participants: 10, Rank: 1, Prize: "Giải tập thể"},
		{Unit: "Xã B", Participants: 10, Rank: 1, Prize: "Giải tập thể"}, {Unit: "Xã C", Participants: 10, Rank: 3}}
	if err := f.db.LockRound(ctx, l, users[0].ID, quiz.AuditEntry{At: time.Now(), Action: quiz.AuditLock, RoundID: f.round.ID}); err != nil {
		t.Fatal(err)
	}

	t.Run("published results are the prize rows with name and unit only", func(t *testing.T) {
		p := quiz.WinnerList{Round: f.round}
		if err := f.db.PublishedResults(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if p.Stats.Participants != contestants {
			t.Errorf("contestants %d, want %d", p.Stats.Participants, contestants)
		}
		if len(p.Entries) != 3 {
			t.Fatalf("%d rows read, want the 3 prize rows", len(p.Entries))
		}
		for i, w := range p.Entries {
			if w.PrizeTier != i+1 || w.Rank != i+1 || w.FullName != l.Entries[i].FullName || w.Unit != l.Entries[i].Unit {
				t.Errorf("row %d: %+v", i, w)
			}
			if w.Phone != "" || w.IDNumber != "" || w.BirthDate != "" {
				t.Errorf("row %d carries personal data: %+v", i, w)
			}
		}
		if len(p.Units) != 2 || p.Units[0].Unit != "Xã A" || p.Units[1].Unit != "Xã B" {
			t.Errorf("units %+v, want the two with a prize", p.Units)
		}
	})

	t.Run("the prize rows are found through their index", func(t *testing.T) {
		var detail string
		rows, err := f.db.r.Query("EXPLAIN QUERY PLAN "+publishedQuery, f.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var d string
			if err := rows.Scan(&id, &parent, &unused, &d); err != nil {
				t.Fatal(err)
			}
			detail += d + "; "
		}
		if want := "USING INDEX round_results_prizes"; !strings.Contains(detail, want) {
			t.Errorf("plan %q, want %q", detail, want)
		}
	})

	t.Run("a contestant's own row is read alone", func(t *testing.T) {
		w, err := f.db.LockedEntry(ctx, f.round.ID, users[7].ID)
		if err != nil {
			t.Fatal(err)
		}
		if w.UserID != users[7].ID || w.Rank != 8 || w.Phone != users[7].Phone || w.PrizeTier != 0 {
			t.Errorf("got %+v", w)
		}
		if _, err := f.db.LockedEntry(ctx, f.round.ID, f.user.ID); quiz.ErrorCode(err) != quiz.CodeNotFound {
			t.Errorf("someone without a row: %v, want not_found", err)
		}
	})

	t.Run("a contestant's own attempts are theirs only, submitted only", func(t *testing.T) {
		fx := newFixture(t, 6, 3, 0)
		for range 2 {
			a, _, err := fx.newAttempt(t, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fx.db.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: time.Now(), Points: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := fx.newAttempt(t, time.Now()); err != nil { // running, not counted
			t.Fatal(err)
		}
		rows, err := fx.db.ContenderAttempts(ctx, fx.round.ID, fx.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].UserID != fx.user.ID || rows[0].Name != fx.user.FullName || rows[0].Phone != fx.user.Phone {
			t.Errorf("got %+v, want the 2 submitted attempts", rows)
		}
	})
}

// BenchmarkRankingVersion is the read every results request makes to know
// whether what the server keeps is still right:
//
//	go test ./store -run '^$' -bench RankingVersion
func BenchmarkRankingVersion(b *testing.B) {
	db := openTest(b, Options{})
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if _, err := db.RankingVersion(ctx, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubmitAttempt submits attempts from 64 contestants at once, with
// and without the trigger that counts a round's submissions, to price the
// counter on the rush's path:
//
//	go test ./store -run '^$' -bench SubmitAttempt -benchtime 5000x -count 3
func BenchmarkSubmitAttempt(b *testing.B) {
	for _, counted := range []bool{true, false} {
		name := map[bool]string{true: "with-ranking-counter", false: "without"}[counted]
		b.Run(name, func(b *testing.B) {
			db := openTest(b, Options{})
			ctx := context.Background()
			now := time.Now().UTC()
			bank, _ := db.CreateBank(ctx, quiz.Bank{Name: "b", CreatedAt: now})
			contest, _ := db.CreateContest(ctx, quiz.Contest{Slug: "c", Title: "c", CreatedAt: now}, 0)
			round, err := db.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "r", BankID: bank.ID,
				OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), DurationSeconds: 3600, QuestionCount: 20,
				PointsPerQuestion: 1, Reveal: quiz.RevealNever})
			if err != nil {
				b.Fatal(err)
			}
			tx, err := db.w.Begin()
			if err != nil {
				b.Fatal(err)
			}
			if !counted {
				if _, err := tx.Exec("DROP TRIGGER ranking_attempt_submitted"); err != nil {
					b.Fatal(err)
				}
			}
			for i := range b.N {
				if _, err := tx.Exec(`INSERT INTO users (id, role, full_name, phone, password_hash, created_at)
					VALUES (?, 'contestant', 'x', ?, 'h', 0)`, 1000+i, fmt.Sprintf("09%08d", i)); err != nil {
					b.Fatal(err)
				}
				if _, err := tx.Exec(`INSERT INTO attempts (id, round_id, user_id, number, seed, question_count, started_at,
					deadline) VALUES (?, ?, ?, 1, x'00', 20, ?, ?)`, 1000+i, round.ID, 1000+i, now.UnixMilli(),
					now.Add(time.Hour).UnixMilli()); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range 64 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						if _, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: 1000 + i, SubmittedAt: time.Now(), Points: 1}); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
		})
	}
}
