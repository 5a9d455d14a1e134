package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEraseSettingLeavesNoCopy(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	secret := strings.Repeat("e1a5ed", 10)
	if _, err := db.EnsureSetting(ctx, "bi_mat", secret); err != nil {
		t.Fatal(err)
	}
	erased, err := db.EraseSetting(ctx, "bi_mat")
	if err != nil || !erased {
		t.Fatalf("erase: %v %v", erased, err)
	}
	for _, p := range []string{db.Path(), db.Path() + "-wal"} {
		data, _ := os.ReadFile(p)
		if strings.Contains(string(data), secret) {
			t.Errorf("%s still holds the value", filepath.Base(p))
		}
	}
	if erased, err := db.EraseSetting(ctx, "bi_mat"); err != nil || erased {
		t.Errorf("a second erase: %v %v, want nothing erased", erased, err)
	}
}
