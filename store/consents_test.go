package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"hoithi/quiz"
)

func TestUpgradeKeepsFirstConsentsAsTheyWere(t *testing.T) {
	raw, path := openAtVersion(t, 13)
	mustExec(t, raw, `INSERT INTO users (id, role, full_name, phone, password_hash, created_at) VALUES (7, 'contestant', 'An', '0912345678', 'h', 0)`)
	mustExec(t, raw, `INSERT INTO consents (user_id, purpose, version, agreed_at) VALUES (7, 'contest', 'contest-2026-01', 5)`)
	raw.Close()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ks, err := db.Consents(context.Background(), 7)
	if err != nil || len(ks) != 1 {
		t.Fatalf("consents %+v, %v", ks, err)
	}
	if k := ks[0]; k.GivenBy() != "self" || k.Controller != "" || k.TextSHA256 != "" || !strings.Contains(k.Text, "91/2025/QH15") {
		t.Errorf("consent %+v, want version 1 with its text and no controller", k)
	}
	// Version 1 named no controller: the contestant consents again before
	// entering any contest.
	f, err := db.EntryFacts(context.Background(), 7, 0, quiz.NeutralController.Name, time.Now())
	if err != nil || f.Consented {
		t.Errorf("entry facts %+v, %v; want no consent to a named controller", f, err)
	}
}
