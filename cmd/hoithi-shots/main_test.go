package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The full run needs a hoithi build and a browser and takes about a
// minute; these tests check what it says before it starts anything.

func TestRunWithoutChromiumSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // a PATH with no chromium on it
	out := filepath.Join(t.TempDir(), "shots")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-o", out}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "no chromium on PATH: install Debian's chromium package") {
		t.Fatalf("run without chromium: error %v, want one that says to install Debian's chromium package", err)
	}
	if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
		t.Errorf("run without chromium made %s (%v), want nothing made", out, statErr)
	}
}

func TestRunRefusesWhatItCannotDo(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"an unknown page", []string{"-pages", "home,kết-quả"}, `-pages: no page "kết-quả"; the pages are home, contest, register`},
		{"a tiny height", []string{"-max-height", "10"}, "-max-height 10: want at least 200"},
		{"a chromium that is not there", []string{"-chromium", "/khong/co/chromium"}, "-chromium: "},
		{"a stray argument", []string{"docs"}, `unexpected arguments ["docs"]`},
	} {
		t.Run("refuses "+c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"-o", filepath.Join(t.TempDir(), "shots")}, c.args...), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
