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
	if len(qs) < 40 {
		t.Fatalf("%d questions, want at least 40", len(qs))
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
}
