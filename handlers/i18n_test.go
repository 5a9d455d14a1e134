package handlers

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hoithi/web"
)

// Every text the UI shows comes from the catalog; a key used anywhere but
// missing from it would show as the bare key.
func TestCatalogHasEveryKeyInUse(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	has := func(key string) bool { _, ok := cat.text[langVI][key]; return ok }

	templateKey := regexp.MustCompile(`\.T "([a-z_.]+)"`)
	err = fs.WalkDir(web.Templates, "templates", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := web.Templates.ReadFile(name)
		for _, m := range templateKey.FindAllStringSubmatch(string(data), -1) {
			if !has(m[1]) {
				t.Errorf("%s uses %q, which the catalog lacks", name, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	scriptKey := regexp.MustCompile(`\bt\('([a-z_]+)'\s*[,)]`)
	for _, name := range []string{"static/quiz.js", "static/leaderboard.js"} {
		data, err := web.Static.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range scriptKey.FindAllStringSubmatch(string(data), -1) {
			if !has("js."+m[1]) && !(name == "static/quiz.js" && has("play.js."+m[1])) {
				t.Errorf("%s uses %q, which the catalog lacks as js.%s", name, m[1], m[1])
			}
		}
	}
	for _, status := range []string{"saving", "saved", "queued", "error"} {
		if !has("js.status_" + status) {
			t.Errorf("quiz.js shows js.status_%s, which the catalog lacks", status)
		}
	}

	for code := range statusOf {
		if !has("err." + code) {
			t.Errorf("error code %s has no message", code)
		}
	}

	// Field and import messages are named in the domain package and here.
	fieldKey := regexp.MustCompile(`"((?:field|import|ux)\.[a-z_0-9]+)"`)
	for _, dir := range []string{"../quiz", "."} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range fieldKey.FindAllStringSubmatch(string(data), -1) {
				if !has(m[1]) {
					t.Errorf("%s names %q, which the catalog lacks", f, m[1])
				}
			}
		}
	}
}

func TestDurationReadsLikePeopleWriteIt(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	vi, en := lang{langVI, cat}, lang{langEN, cat}
	for _, tt := range []struct {
		l    lang
		ms   int64
		want string
	}{
		{vi, 252345, "4 phút 12,345 giây"},
		{vi, 9005, "9,005 giây"},
		{en, 252345, "4 min 12.345 s"},
		{en, 0, "0.000 s"},
	} {
		if got := tt.l.Duration(tt.ms); got != tt.want {
			t.Errorf("%s Duration(%d) = %q, want %q", tt.l.code, tt.ms, got, tt.want)
		}
	}
}

// A page's script texts are each language's own, the later prefix's text
// in the place of an earlier one's, and made once.
func TestScriptTextsArePerLanguageAndMadeOnce(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	cat.text[langVI]["test.a.both"], cat.text[langVI]["test.b.both"] = "<trước>", "sau & cuối"
	cat.text[langVI]["test.a.only"], cat.text[langEN]["test.a.only"] = "chỉ a", "only a"
	read := func(l lang) map[string]string {
		var out map[string]string
		if err := json.Unmarshal([]byte(l.Scripts("test.a.", "test.b.")), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	vi, en := read(lang{langVI, cat}), read(lang{langEN, cat})
	if len(vi) != 2 || vi["both"] != "sau & cuối" || vi["only"] != "chỉ a" {
		t.Errorf("Vietnamese texts %v, want both from the later prefix and only from the first", vi)
	}
	if len(en) != 1 || en["only"] != "only a" {
		t.Errorf("English texts %v, want English's own", en)
	}
	// Made once: a text changed since is not read again.
	cat.text[langVI]["test.a.only"] = "đổi"
	if again := read(lang{langVI, cat}); again["only"] != "chỉ a" {
		t.Errorf("texts made again: %v", again)
	}
	// The play page's own texts and the shared ones.
	var play map[string]string
	if err := json.Unmarshal([]byte(playStrings(lang{langVI, cat})), &play); err != nil || play["unsaved"] == "" || len(play) < 20 {
		t.Errorf("the quiz page's texts: %d (%v)", len(play), err)
	}
}
