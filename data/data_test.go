package data_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"hoithi/data"
	"hoithi/quiz"
	"hoithi/store"
)

func TestProvincesAreTheThirtyFour(t *testing.T) {
	ps, err := data.Provinces()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 34 {
		t.Fatalf("%d provinces, want the 34 in force since 1 July 2025", len(ps))
	}
	cities, seen := 0, map[string]bool{}
	for _, p := range ps {
		if seen[p.Code] || len(p.Code) != 2 || !norm.NFC.IsNormalString(p.Name) {
			t.Errorf("province %+v: duplicate, malformed code or name not NFC", p)
		}
		seen[p.Code] = true
		if p.Kind == "thành phố" {
			cities++
		}
	}
	if cities != 6 {
		t.Errorf("%d centrally run cities, want 6", cities)
	}
}

func TestDemoBankIsUsable(t *testing.T) {
	bf, qs, err := data.DemoBank()
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 60 {
		t.Fatalf("%d questions, want at least 60", len(qs))
	}
	topics := map[string]int{}
	texts := map[string]bool{}
	multiple := 0
	for i, q := range qs {
		topics[q.Topic]++
		if q.Reference == "" || q.Explanation == "" || q.Topic == "" {
			t.Errorf("question %d (%q) lacks a topic, explanation or reference", i+1, q.Text)
		}
		if texts[q.Text] {
			t.Errorf("question %d repeats %q", i+1, q.Text)
		}
		texts[q.Text] = true
		if q.Multiple() {
			multiple++
		}
	}
	// The file itself must be NFC, so that it imports as written.
	raw, _ := json.Marshal(bf)
	if !norm.NFC.IsNormal(raw) {
		t.Error("bank.json is not NFC")
	}
	if len(topics) < 4 {
		t.Errorf("%d topics, want at least 4", len(topics))
	}
	if multiple == 0 {
		t.Error("no question with several correct options")
	}
}

func TestSeedDemoCreatesAnOpenRound(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "hoithi.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	catalog := quiz.NewCatalog(db, time.Now)
	c, err := data.SeedDemo(context.Background(), catalog, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.PublishedAt == nil || len(c.Rounds) != 1 {
		t.Fatalf("demo contest %+v, want published with one round", c)
	}
	r := c.Rounds[0]
	if r.Status(now) != quiz.StatusOpen || r.ClosesAt.Sub(r.OpensAt) != 30*24*time.Hour {
		t.Errorf("demo round %s from %s to %s, want open now for 30 days", r.Status(now), r.OpensAt, r.ClosesAt)
	}
	pool, err := db.Pool(context.Background(), r.BankID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := quiz.Draw(pool.Questions, r.QuestionCount, r.TopicQuotas, quiz.Seed{}); err != nil {
		t.Errorf("the demo round cannot be drawn: %v", err)
	}
	// Every attempt draws from every topic of the bank: each has a quota,
	// and the quotas fill the attempt.
	topics, sum := map[string]bool{}, 0
	for _, q := range pool.Questions {
		topics[q.Topic] = true
	}
	for topic, n := range r.TopicQuotas {
		sum += n
		if !topics[topic] || n < 1 {
			t.Errorf("quota %d on topic %q, want a topic of the bank and at least 1", n, topic)
		}
	}
	if len(r.TopicQuotas) != len(topics) || sum != r.QuestionCount {
		t.Errorf("quotas %v for the %d topics of the bank, want one per topic adding up to %d", r.TopicQuotas, len(topics), r.QuestionCount)
	}
}

// The demo bank goes through the importer an organizer uses, into an empty
// bank of a real store: nothing is rejected and nothing is a duplicate.
func TestDemoBankImportsCleanly(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "hoithi.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	catalog := quiz.NewCatalog(db, time.Now)
	bf, _, err := data.DemoBank()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(bf)
	if err != nil {
		t.Fatal(err)
	}
	bank, err := catalog.CreateBank(ctx, "Nhập lại ngân hàng mẫu", "")
	if err != nil {
		t.Fatal(err)
	}
	report, err := catalog.Import(ctx, bank.ID, raw, quiz.ImportOptions{FileName: "ngan-hang-mau.json"})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Errors) != 0 || len(report.Warnings) != 0 || report.Duplicates != 0 || report.Imported != len(bf.Questions) {
		t.Errorf("imported %d of %d questions, %d duplicates, errors %v, warnings %v; want all, none, none, none",
			report.Imported, len(bf.Questions), report.Duplicates, report.Errors, report.Warnings)
	}
	t.Run("and a second import finds every question already there", func(t *testing.T) {
		again, err := catalog.Import(ctx, bank.ID, raw, quiz.ImportOptions{FileName: "ngan-hang-mau.json"})
		if err != nil {
			t.Fatal(err)
		}
		if again.Imported != 0 || again.Duplicates != len(bf.Questions) || len(again.Errors) != 0 {
			t.Errorf("second import: %d imported, %d duplicates, errors %v; want 0, %d, none",
				again.Imported, again.Duplicates, again.Errors, len(bf.Questions))
		}
	})
}
