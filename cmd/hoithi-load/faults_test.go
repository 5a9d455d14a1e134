package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCheckFindsWhatAFaultLost plays a small round with an -acks file,
// then changes the database as a fault could have, and expects -check to
// say so.
func TestCheckFindsWhatAFaultLost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	url, dbPath := startServer(t)
	acks := filepath.Join(t.TempDir(), "run.acks")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-url", url, "-contestants", "6", "-watchers", "0",
		"-duration", "10m", "-round-questions", "5", "-admin", "host@example.vn", "-password", "host-password",
		"-acks", acks}, &out); err != nil {
		t.Fatalf("round: %v\n%s", err, out.String())
	}
	// Five answers each: the first, three between, the last.
	for _, want := range []string{`\n  first answers +6 in`, `\n  answers between +18 in`, `\n  last answers +6 in`} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("the report has no line matching %q:\n%s", want, out.String())
		}
	}
	check := func() (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"-check", "-url", url, "-acks", acks, "-db", dbPath, "-expect", "submitted"}, &out)
		return out.String(), err
	}
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var attempt, question int64
	// A submitted attempt's answers are in the answer journal until they
	// move into answers, some time after the submission.
	if err := db.QueryRow(`SELECT attempt_id, question_id FROM answers
		UNION ALL SELECT attempt_id, question_id FROM answer_journal LIMIT 1`).Scan(&attempt, &question); err != nil {
		t.Fatal(err)
	}

	t.Run("passes when every acknowledged answer is stored", func(t *testing.T) {
		got, err := check()
		if err != nil || !strings.Contains(got, "checked 6 attempts and 30 acknowledged answers") {
			t.Errorf("check: %v\n%s", err, got)
		}
	})
	for _, c := range []struct {
		name, change, want string
	}{
		{"finds an acknowledged answer that is not stored",
			"DELETE FROM answers WHERE attempt_id = ?1 AND question_id = ?2; DELETE FROM answer_journal WHERE attempt_id = ?1 AND question_id = ?2",
			"not stored"},
		{"finds a deadline that moved",
			"UPDATE attempts SET deadline = deadline + 1000 WHERE id = ? AND ? > 0", "stored deadline"},
		{"finds a score the contestant was not told",
			"UPDATE attempts SET score = score + 1 WHERE id = ? AND ? > 0", "the contestant was told"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, change := range strings.Split(c.change, "; ") {
				if _, err := db.Exec(change, attempt, question); err != nil {
					t.Fatal(err)
				}
			}
			got, err := check()
			if err == nil || !strings.Contains(got, c.want) {
				t.Errorf("check: %v, want a failure saying %q\n%s", err, c.want, got)
			}
		})
	}
}
