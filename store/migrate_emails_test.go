package store

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"hoithi/quiz"
)

func TestUpgradeNormalizesEmails(t *testing.T) {
	raw, path := openAtVersion(t, 9)
	nfdUpper := norm.NFD.String("Nguyễn.An@Sở.vn")
	nfcLower := norm.NFC.String("nguyễn.an@sở.vn")
	nfcMixed := norm.NFC.String("Nguyễn.An@Sở.vn") // NOCASE-equal to nfcLower
	for _, u := range []struct {
		id    int
		email string
	}{
		{1, norm.NFD.String("Lê.Bình@Bộ.vn")}, // alone: normalized
		{2, nfdUpper}, // collides with 3
		{3, nfcMixed}, // the one a login found before: keeps the address
		{4, "plain@ascii.vn"},
	} {
		mustExec(t, raw, `INSERT INTO users (id, role, full_name, email, password_hash, created_at)
			VALUES (?, 'official', 'Cán bộ', ?, 'x', 0)`, u.id, u.email)
	}
	raw.Close()

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[int]string{1: norm.NFC.String("lê.bình@bộ.vn"), 2: nfdUpper, 3: nfcLower, 4: "plain@ascii.vn"}
	for id, email := range want {
		var got string
		db.r.QueryRow("SELECT email FROM users WHERE id = ?", id).Scan(&got)
		if got != email {
			t.Errorf("account %d: e-mail %q, want %q", id, got, email)
		}
	}
	var n int
	db.r.QueryRow("SELECT count(*) FROM users").Scan(&n)
	if n != 4 {
		t.Errorf("%d accounts after the upgrade, want all 4", n)
	}
	var detail string
	db.r.QueryRow("SELECT detail FROM audit_log WHERE action = ?", quiz.AuditEmailConflict).Scan(&detail)
	if !strings.Contains(detail, "accounts 3 and 2") {
		t.Errorf("audit detail %q, want the collision of accounts 3 and 2", detail)
	}
}
