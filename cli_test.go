package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// cli runs one command of the binary in-process.
func cli(t *testing.T, dbPath string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := map[string]string{"HOITHI_DB": dbPath, "HOITHI_BCRYPT_COST": "4"}
	err := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestFirstAdminPasswordIsPrintedOnce(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_ADMIN_EMAIL": "", "HOITHI_ADMIN_PASSWORD": ""})
	m := regexp.MustCompile(`First admin account: (\S+)  password: (\S+)`).FindStringSubmatch(s.stdout.String())
	if m == nil || m[1] != "admin@localhost" {
		t.Fatalf("no admin password on the console:\n%s", s.stdout.String())
	}
	var first struct {
		Token string `json:"token"`
	}
	s.mustCall(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"login": m[1], "password": m[2]}, &first)
	db := s.DBPath
	s.Stop()
	again := startServer(t, map[string]string{"HOITHI_DB": db, "HOITHI_ADMIN_EMAIL": "", "HOITHI_ADMIN_PASSWORD": ""})
	if strings.Contains(again.stdout.String(), "First admin account") {
		t.Error("a second start made another admin")
	}
	// The signing key is kept in a file beside the database: a token from
	// the first run still works after the restart.
	again.mustCall(http.StatusOK, "GET", "/api/v1/me", first.Token, nil, nil)
}

func TestUserAddWhileServing(t *testing.T) {
	s := startServer(t, nil)
	out, _, err := cli(t, s.DBPath, "user", "add", "-email", "to-chuc@so.gov.vn", "-password", "mat-khau-to-chuc", "-role", "organizer", "-name", "Phòng CCHC", "-must-change")
	if err != nil || !strings.Contains(out, "created organizer account") {
		t.Fatalf("user add: %v, %q", err, out)
	}
	var login struct {
		Token string `json:"token"`
		User  struct {
			Role     string `json:"role"`
			FullName string `json:"full_name"`
		} `json:"user"`
		MustChangePassword bool `json:"must_change_password"`
	}
	s.mustCall(200, "POST", "/api/v1/auth/login", "", map[string]string{"login": "to-chuc@so.gov.vn", "password": "mat-khau-to-chuc"}, &login)
	if login.User.Role != "organizer" || login.User.FullName != "Phòng CCHC" || !login.MustChangePassword {
		t.Errorf("signed in as %+v, want the organizer named Phòng CCHC, owing a password change", login)
	}
	// With -must-change, the password was chosen by whoever ran the
	// command: its holder chooses their own before anything else.
	if status, body := s.call("GET", "/api/v1/banks", login.Token, nil); status != http.StatusForbidden || errorCode(t, body) != "password_change_required" {
		t.Errorf("GET /banks before the change: %d %s, want 403 password_change_required", status, body)
	}
	s.mustCall(200, "POST", "/api/v1/me/password", login.Token, map[string]string{
		"current_password": "mat-khau-to-chuc", "new_password": "mat-khau-cua-toi"}, &login)
	s.mustCall(200, "GET", "/api/v1/banks", login.Token, nil, nil)

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"refuses a contestant account", []string{"-email", "a@b.vn", "-password", "mat-khau-123", "-role", "contestant"}, "role: Not a valid role."},
		{"refuses a short password", []string{"-email", "a@b.vn", "-password", "123", "-role", "official"}, "password: The password needs at least 8 characters."},
		{"refuses a taken e-mail", []string{"-email", "to-chuc@so.gov.vn", "-password", "mat-khau-123", "-role", "official", "-name", "Lê Lan"}, "email: This e-mail is already registered."},
		{"refuses a missing e-mail", []string{"-password", "mat-khau-123", "-role", "official"}, "email: This field is required."},
		{"refuses a name that is not one", []string{"-email", "b@so.gov.vn", "-password", "mat-khau-123", "-role", "official", "-name", "<b>x</b>"}, "full_name:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := cli(t, s.DBPath, append([]string{"user", "add"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

// The command as scripts call it (-email, -password, -role) keeps working:
// the account is made unnamed, says so, and can work at once.
func TestUserAddWithoutNameOrForcedChange(t *testing.T) {
	s := startServer(t, nil)
	out, _, err := cli(t, s.DBPath, "user", "add", "-email", "tham-dinh@so.gov.vn", "-password", "mat-khau-tham-dinh", "-role", "official")
	if err != nil || !strings.Contains(out, "without a name") {
		t.Fatalf("user add: %v, %q; want an unnamed account and a word about it", err, out)
	}
	var login struct {
		Token string `json:"token"`
		User  struct {
			FullName string `json:"full_name"`
		} `json:"user"`
		MustChangePassword bool `json:"must_change_password"`
	}
	s.mustCall(200, "POST", "/api/v1/auth/login", "", map[string]string{"login": "tham-dinh@so.gov.vn", "password": "mat-khau-tham-dinh"}, &login)
	if login.MustChangePassword || login.User.FullName != "tham-dinh@so.gov.vn" {
		t.Errorf("signed in as %+v, want an account known by its e-mail, owing nothing", login)
	}
	s.mustCall(200, "GET", "/api/v1/audit", login.Token, nil, nil)
}

func TestBackupWhileServing(t *testing.T) {
	s := startServer(t, nil)
	token, _ := s.contestant("Tạ Văn Xuân")
	s.start(token, s.round(s.admin(), nil))
	target := filepath.Join(t.TempDir(), "backup.db")
	out, _, err := cli(t, s.DBPath, "backup", "-o", target)
	if err != nil || !strings.Contains(out, "written to") {
		t.Fatalf("backup: %v %q", err, out)
	}
	db, err := sql.Open("sqlite3", target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var users, attempts int
	db.QueryRow("SELECT count(*) FROM users").Scan(&users)
	db.QueryRow("SELECT count(*) FROM attempts").Scan(&attempts)
	if users != 2 || attempts != 1 {
		t.Errorf("backup holds %d users and %d attempts, want 2 and 1", users, attempts)
	}
	if _, _, err := cli(t, s.DBPath, "backup", "-o", target); err == nil {
		t.Error("a backup overwrote an existing file")
	}
	if _, _, err := cli(t, s.DBPath, "backup"); err == nil {
		t.Error("backup without -o succeeded")
	}
}

func TestCommandHelpAndMistakes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hoithi.db")
	for _, args := range [][]string{{"user", "add", "-h"}, {"user", "disable", "-h"}, {"user", "enable", "-h"},
		{"user", "password", "-h"}, {"backup", "-h"}, {"serve", "-h"}} {
		_, stderr, err := cli(t, db, args...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "Usage: hoithi") {
			t.Errorf("%v: got %v and %q, want usage", args, err, stderr)
		}
	}
	if out, _, err := cli(t, db, "help"); err != nil || !strings.Contains(out, "hoithi user add") {
		t.Errorf("help: %v %q", err, out)
	}
	if _, _, err := cli(t, db, "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), nil, func(k string) string {
		return map[string]string{"HOITHI_DB": db, "HOITHI_GRACE": "soon", "HOITHI_DEMO": "maybe"}[k]
	}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "HOITHI_GRACE") || !strings.Contains(err.Error(), "HOITHI_DEMO") {
		t.Errorf("bad configuration: %v, want both variables named", err)
	}
}

func TestAPostgreSQLDatabaseNeedsOneSigningKeyForEveryNode(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(key string) string { return vars[key] }
	}
	url := "postgres://hoithi@db.internal:5432/hoithi"
	if _, err := loadConfig(env(map[string]string{"HOITHI_DB": url})); err == nil || !strings.Contains(err.Error(), "HOITHI_KEY_FILE") {
		t.Errorf("a PostgreSQL database without a shared key: %v, want an error naming HOITHI_KEY_FILE", err)
	}
	for _, shared := range []map[string]string{
		{"HOITHI_DB": url, "HOITHI_KEY_FILE": "/etc/hoithi/session.key"},
		{"HOITHI_DB": "postgresql://hoithi@db.internal/hoithi", "HOITHI_JWT_SECRET": strings.Repeat("k", 32)},
	} {
		if _, err := loadConfig(env(shared)); err != nil {
			t.Errorf("%v: %v, want no error", shared, err)
		}
	}
	if _, err := loadConfig(env(map[string]string{"HOITHI_DB": "/var/lib/hoithi/hoithi.db"})); err != nil {
		t.Errorf("an SQLite file keeps its key beside it: %v, want no error", err)
	}
}
