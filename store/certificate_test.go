package store

import (
	"context"
	"testing"
	"time"

	"hoithi/quiz"
)

func TestCertificateIssuerIsStoredPerContestWithItsAuditEntry(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	now := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	contest, err := db.CreateContest(ctx, quiz.Contest{Slug: "thi", Title: "Hội thi", CreatedAt: now}, 0)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a contest without an issuer reads as not issued", func(t *testing.T) {
		got, err := db.CertificateIssuer(ctx, contest.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Issued() || got.Agency != "" || got.ContestID != contest.ID {
			t.Errorf("got %+v, want contest %d with nothing set", got, contest.ID)
		}
	})

	t.Run("a missing contest is not found", func(t *testing.T) {
		_, err := db.CertificateIssuer(ctx, contest.ID+100)
		if code := quiz.ErrorCode(err); code != quiz.CodeNotFound {
			t.Errorf("read: code %q, want %q", code, quiz.CodeNotFound)
		}
		at := now
		err = db.SaveCertificateIssuer(ctx, quiz.CertificateIssuer{ContestID: contest.ID + 100, Agency: "X", SetAt: &at},
			quiz.AuditEntry{At: now, Action: quiz.AuditCertificateIssuer})
		if code := quiz.ErrorCode(err); code != quiz.CodeNotFound {
			t.Errorf("save: code %q, want %q", code, quiz.CodeNotFound)
		}
	})

	t.Run("a second save replaces the first and both are in the audit log", func(t *testing.T) {
		for i, signer := range []string{"Nguyễn Văn A", "Trần Thị B"} {
			at := now.Add(time.Duration(i) * time.Minute)
			in := quiz.CertificateIssuer{ContestID: contest.ID, Superior: "ỦY BAN NHÂN DÂN TỈNH", Agency: "SỞ TƯ PHÁP",
				SignTitle: "GIÁM ĐỐC", Signer: signer, Place: "Hà Nội", SetAt: &at, SetByName: "Cán bộ"}
			if err := db.SaveCertificateIssuer(ctx, in, quiz.AuditEntry{At: at, Actor: "Cán bộ",
				Action: quiz.AuditCertificateIssuer, Detail: signer}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.CertificateIssuer(ctx, contest.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Signer != "Trần Thị B" || got.Superior != "ỦY BAN NHÂN DÂN TỈNH" || got.SetAt == nil ||
			!got.SetAt.Equal(now.Add(time.Minute)) || got.SetByName != "Cán bộ" {
			t.Errorf("got %+v, want the second save", got)
		}
		log, err := db.AuditLog(ctx, quiz.AuditFilter{Action: quiz.AuditCertificateIssuer})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 || log[0].Detail != "Trần Thị B" || log[1].Detail != "Nguyễn Văn A" {
			t.Errorf("audit log %+v, want both saves, newest first", log)
		}
	})
}
