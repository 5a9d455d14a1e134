package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signToken signs claims with key as a hoithi of the given claims would.
func signToken(t *testing.T, key []byte, claims jwt.MapClaims) string {
	t.Helper()
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// modeOf returns a file's permission bits, failing the test when it is
// missing.
func modeOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

func TestSigningKeyLivesInAFile(t *testing.T) {
	t.Run("is created 0600 beside the database and survives a restart", func(t *testing.T) {
		s := startServer(t, nil)
		keyFile := s.DBPath + ".key"
		if got := modeOf(t, keyFile); got != 0o600 {
			t.Errorf("key file mode %v, want 0600", got)
		}
		token := s.admin()
		db := s.DBPath
		s.Stop()
		again := startServer(t, map[string]string{"HOITHI_DB": db})
		again.mustCall(http.StatusOK, "GET", "/api/v1/banks", token, nil, nil)
		var n int
		raw, err := sql.Open("sqlite3", db)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		raw.QueryRow("SELECT count(*) FROM settings WHERE key = 'jwt_secret'").Scan(&n)
		if n != 0 {
			t.Error("the database holds a signing key")
		}
	})

	t.Run("comes from HOITHI_KEY_FILE when set", func(t *testing.T) {
		keyFile := filepath.Join(t.TempDir(), "khoa-phien")
		key := strings.Repeat("ab", 32)
		if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		s := startServer(t, map[string]string{"HOITHI_KEY_FILE": keyFile})
		if _, err := os.Stat(s.DBPath + ".key"); err == nil {
			t.Error("a key file was made beside the database although HOITHI_KEY_FILE names another")
		}
		var me struct {
			ID int64 `json:"id"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", s.admin(), nil, &me)
		keyBytes, _ := hex.DecodeString(key)
		forged := signToken(t, keyBytes, jwt.MapClaims{"iss": "hoithi", "sub": fmt.Sprint(me.ID), "role": "admin", "jti": "x",
			"exp": time.Now().Add(time.Hour).Unix()})
		s.mustCall(http.StatusOK, "GET", "/api/v1/banks", forged, nil, nil) // the file's key signs
	})

	t.Run("a key file others may read is made 0600", func(t *testing.T) {
		dir := t.TempDir()
		keyFile := filepath.Join(dir, "hoithi.db.key")
		if err := os.WriteFile(keyFile, []byte(strings.Repeat("cd", 32)), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(keyFile, 0o644)
		startServer(t, map[string]string{"HOITHI_DB": filepath.Join(dir, "hoithi.db")})
		if got := modeOf(t, keyFile); got != 0o600 {
			t.Errorf("key file mode %v after start, want 0600", got)
		}
	})

	t.Run("a broken key file stops the start with a clear message", func(t *testing.T) {
		dir := t.TempDir()
		db := filepath.Join(dir, "hoithi.db")
		if err := os.WriteFile(db+".key", []byte("not a key\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		// A server that started anyway stops when the context ends.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var stdout, stderr syncBuffer
		err := run(ctx, nil, func(k string) string {
			return map[string]string{"HOITHI_DB": db, "HOITHI_ADDR": "127.0.0.1:0", "HOITHI_BCRYPT_COST": "4"}[k]
		}, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "hex digits") {
			t.Errorf("got %v, want an error about the key file's content", err)
		}
	})

	t.Run("processes racing to create it get one key", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "hoithi.db.key")
		log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
		keys := make([][]byte, 8)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key, err := loadKeyFile(path, log)
				if err != nil {
					t.Error(err)
				}
				keys[i] = key
			}()
		}
		wg.Wait()
		for i := range keys {
			if len(keys[i]) != 32 || !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("key %d is %x, key 0 %x: want one 32-byte key", i, keys[i], keys[0])
			}
		}
	})
}

// oldDatabase makes a database as an older hoithi left it: the signing key
// in its settings, written to the main file and to the WAL too. The
// connection that wrote it stays open until the test ends, so that the WAL
// is not checkpointed away when it closes.
func oldDatabase(t *testing.T) (path, hexKey string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "hoithi.db")
	if _, _, err := cli(t, path, "user", "add", "-email", testAdminEmail, "-password", testAdminPassword, "-role", "admin",
		"-name", "Quản trị viên", "-must-change=false"); err != nil {
		t.Fatal(err)
	}
	hexKey = strings.Repeat("5a17e9", 10) + "c0de"
	raw, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	raw.SetMaxOpenConns(1)
	for _, q := range []string{
		"INSERT INTO settings (key, value) VALUES ('jwt_secret', '" + hexKey + "')",
		"PRAGMA wal_checkpoint(TRUNCATE)",
		"INSERT INTO settings (key, value) VALUES ('padding', 'x')", // the page again, in the WAL
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return path, hexKey
}

// filesHolding names the files among paths whose bytes contain secret.
func filesHolding(t *testing.T, secret string, paths ...string) []string {
	t.Helper()
	var out []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if bytes.Contains(data, []byte(secret)) {
			out = append(out, filepath.Base(p))
		}
	}
	return out
}

// An older hoithi kept the signing key in the database, and every backup
// held it. The upgrade moves it to the key file, so that sessions go on,
// and leaves no copy of it in the database, its WAL or a new backup.
func TestUpgradeMovesTheKeyOutOfTheDatabase(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		oldKeep bool // tokens signed with the old key still work
	}{
		{"to the key file", nil, true},
		{"and drops it when HOITHI_JWT_SECRET is set", map[string]string{"HOITHI_JWT_SECRET": "a-secret-from-the-environment-0123456789"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path, hexKey := oldDatabase(t)
			if got := filesHolding(t, hexKey, path, path+"-wal"); len(got) != 2 {
				t.Fatalf("the key is in %v of the old database, want the file and its WAL: the test would prove little", got)
			}
			oldKey, _ := hex.DecodeString(hexKey)
			signedBefore := signToken(t, oldKey, jwt.MapClaims{"iss": "hoithi", "sub": "1", "role": "admin",
				"iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix()})
			env := map[string]string{"HOITHI_DB": path}
			for k, v := range tt.env {
				env[k] = v
			}
			s := startServer(t, env)
			if got := filesHolding(t, hexKey, path, path+"-wal", path+"-shm"); len(got) > 0 {
				t.Errorf("after the upgrade %v still hold the key", got)
			}
			backup := filepath.Join(t.TempDir(), "backup.db")
			if _, _, err := cli(t, path, "backup", "-o", backup); err != nil {
				t.Fatal(err)
			}
			if got := filesHolding(t, hexKey, backup); len(got) > 0 {
				t.Error("a backup after the upgrade holds the key")
			}
			keyFile, err := os.ReadFile(path + ".key")
			switch {
			case tt.oldKeep && (err != nil || strings.TrimSpace(string(keyFile)) != hexKey):
				t.Errorf("the key file holds %q (%v), want the key moved from the database", keyFile, err)
			case tt.oldKeep && modeOf(t, path+".key") != 0o600:
				t.Errorf("the key file's mode is %v, want 0600", modeOf(t, path+".key"))
			case !tt.oldKeep && err == nil:
				t.Error("a key file was made although HOITHI_JWT_SECRET signs")
			}
			want := http.StatusUnauthorized
			if tt.oldKeep {
				want = http.StatusOK
			}
			if status, _ := s.call("GET", "/api/v1/banks", signedBefore, nil); status != want {
				t.Errorf("a session signed before the upgrade: %d, want %d", status, want)
			}
			s.mustCall(http.StatusOK, "GET", "/api/v1/banks", s.admin(), nil, nil)
		})
	}
}

func TestDatabaseFilesAreOwnerOnly(t *testing.T) {
	check := func(t *testing.T, paths ...string) {
		t.Helper()
		for _, p := range paths {
			if got := modeOf(t, p); got != 0o600 {
				t.Errorf("%s: mode %v, want 0600", filepath.Base(p), got)
			}
		}
	}
	t.Run("serve creates the database, -wal and -shm 0600", func(t *testing.T) {
		s := startServer(t, nil)
		s.admin()
		check(t, s.DBPath, s.DBPath+"-wal", s.DBPath+"-shm")
	})
	t.Run("a command creates a new database 0600", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "hoithi.db")
		if _, _, err := cli(t, path, "user", "add", "-email", "a@so.gov.vn", "-password", "mat-khau-123", "-role", "official", "-name", "Cán bộ"); err != nil {
			t.Fatal(err)
		}
		check(t, path)
	})
	t.Run("a backup is written 0600", func(t *testing.T) {
		s := startServer(t, nil)
		backup := filepath.Join(t.TempDir(), "backup.db")
		if _, _, err := cli(t, s.DBPath, "backup", "-o", backup); err != nil {
			t.Fatal(err)
		}
		check(t, backup)
	})
	t.Run("an older database's wider modes are tightened at open", func(t *testing.T) {
		path, _ := oldDatabase(t)
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Chmod(p, 0o644); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		s := startServer(t, map[string]string{"HOITHI_DB": path})
		s.admin()
		check(t, path, path+"-wal", path+"-shm")
	})
}
