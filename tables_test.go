package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"hoithi/quiz"
)

// The officials' tables and files: who is flagged for a check, and the
// CSV files in the words people read or the keys programs read.

// longUnit is a unit's name as agencies write them, longer than two lines
// of a table's column.
const longUnit = "Trung tâm Phục vụ hành chính công và Kiểm soát thủ tục hành chính thuộc Văn phòng Ủy ban nhân dân Thành phố Hồ Chí Minh"

// regexpSeconds is a working time in seconds as the CSV writes it.
var regexpSeconds = regexp.MustCompile(`^\d+\.\d{3}$`)

// tablesRound is a closed round with prizes for three (Giải Nhất 1, Giải
// Nhì 2) among five contestants: Nguyễn Văn An (first, of longUnit),
// Trần Thị Bình (a winner who entered with the CCCD of Phạm Thị Dung,
// who wins nothing), Lê Văn Cường (a winner whose CCCD the list lacks)
// and Hồ Văn Em.
func tablesRound(t *testing.T, s *testServer) (roundID int64, admin, official string) {
	t.Helper()
	admin, official, roundID = prizeRound(s)
	key := s.key(admin)
	an, _ := s.person(map[string]any{"full_name": "Nguyễn Văn An", "unit": longUnit})
	binh, _ := s.person(map[string]any{"full_name": "Trần Thị Bình", "unit": "Xã Đông Hòa", "id_number": "079090054321"})
	cuong, cuongID := s.person(map[string]any{"full_name": "Lê Văn Cường", "unit": "Phường Bến Nghé"})
	dung, _ := s.person(map[string]any{"full_name": "Phạm Thị Dung", "unit": "Phường Bến Nghé", "id_number": "079090054321"})
	em, _ := s.person(map[string]any{"full_name": "Hồ Văn Em", "unit": "Xã Đông Hòa"})
	s.play(an, roundID, key, 4, intp(5))
	s.play(binh, roundID, key, 4, intp(6))
	s.play(cuong, roundID, key, 4, intp(9))
	s.play(dung, roundID, key, 2, intp(5))
	s.play(em, roundID, key, 1, intp(5))
	// A contest that asks the CCCD only from winners leaves it empty until
	// the prize is claimed.
	db, err := sql.Open("sqlite3", "file:"+s.DBPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE users SET id_number = '' WHERE id = ?", cuongID); err != nil {
		t.Fatal(err)
	}
	s.closeRound(admin, roundID)
	return roundID, admin, official
}

func TestWinnersFlagsForTheOfficials(t *testing.T) {
	s := startServer(t, nil)
	roundID, _, official := tablesRound(t, s)
	base := fmt.Sprintf("/api/v1/rounds/%d", roundID)
	var list winnersAnswer
	s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &list)
	flags := map[string][]string{}
	for _, e := range list.Entries {
		flags[e.FullName] = e.Flags
	}
	want := map[string][]string{
		"Nguyễn Văn An": {},
		"Trần Thị Bình": {quiz.FlagSharedIDNumber},
		"Lê Văn Cường":  {quiz.FlagMissingIdentity},
		"Phạm Thị Dung": {quiz.FlagSharedIDNumber},
		"Hồ Văn Em":     {},
	}
	t.Run("the JSON flags the winner who shares a CCCD as well as the contestant, and the winner without a CCCD", func(t *testing.T) {
		for name, w := range want {
			if !slices.Equal(flags[name], w) {
				t.Errorf("%s: flags %q, want %q (list %s)", name, flags[name], w, list.names())
			}
		}
	})
	t.Run("the round page says so in words", func(t *testing.T) {
		_, body, _ := s.page("GET", fmt.Sprintf("/official/rounds/%d", roundID), official, nil, "")
		for _, want := range []string{"trùng CCCD với người dự thi khác", "thiếu CCCD/ngày sinh"} {
			if !strings.Contains(body, want) {
				t.Errorf("the round page lacks %q", want)
			}
		}
		if strings.Contains(body, "shared_id_number") || strings.Contains(body, "missing_identity") {
			t.Error("the round page shows a flag's key")
		}
	})
	t.Run("the CSV says so in words, and in keys with header=keys", func(t *testing.T) {
		_, data := s.fetch(base+"/winners.csv?header=labels", official)
		rows, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]string{}
		for _, r := range rows[1:] {
			byName[r[2]] = r[16]
		}
		if byName["Trần Thị Bình"] != "trùng CCCD với người dự thi khác" || byName["Lê Văn Cường"] != "thiếu CCCD/ngày sinh" {
			t.Errorf("flags in the CSV %q", byName)
		}
		_, data = s.fetch(base+"/winners.csv?header=keys", official)
		rows, err = csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			byName[r[2]] = r[16]
		}
		if byName["Trần Thị Bình"] != quiz.FlagSharedIDNumber || byName["Lê Văn Cường"] != quiz.FlagMissingIdentity {
			t.Errorf("flags in the CSV with header=keys %q", byName)
		}
	})
	t.Run("the workbook says so in words", func(t *testing.T) {
		_, book := s.fetch(base+"/winners.xlsx", official)
		f, err := excelize.OpenReader(bytes.NewReader(book))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("Danh sách")
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]string{}
		for _, r := range rows[quiz.HeaderRows+1:] {
			r = append(r, make([]string, 18)...)
			byName[r[2]] = r[16]
		}
		if byName["Trần Thị Bình"] != "trùng CCCD với người dự thi khác" || byName["Lê Văn Cường"] != "thiếu CCCD/ngày sinh" {
			t.Errorf("flags in the workbook %q", byName)
		}
	})
}

func TestCSVFilesForPeopleAndForPrograms(t *testing.T) {
	s := startServer(t, nil)
	roundID, _, official := tablesRound(t, s)
	base := fmt.Sprintf("/api/v1/rounds/%d", roundID)
	read := func(t *testing.T, path string) [][]string {
		t.Helper()
		resp, data := s.fetch(path, official)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", path, resp.StatusCode, data)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	t.Run("winners.csv names its columns and provinces in Vietnamese and gives seconds with decimals", func(t *testing.T) {
		rows := read(t, base+"/winners.csv?header=labels")
		if got := strings.Join(rows[0][:8], "|"); got != "Hạng|Giải|Họ và tên|Ngày sinh|Số CCCD|Điện thoại|Đơn vị|Tỉnh, thành phố" {
			t.Errorf("header %q", rows[0])
		}
		if rows[0][13] != "Thời gian làm bài (giây)" || rows[1][7] != "Hồ Chí Minh" {
			t.Errorf("duration column %q, province %q; want seconds and the province's name", rows[0][13], rows[1][7])
		}
		if !regexpSeconds.MatchString(rows[1][13]) {
			t.Errorf("working time %q, want seconds with three decimals", rows[1][13])
		}
	})
	t.Run("winners.csv keeps the API's column names and values, by default and with header=keys", func(t *testing.T) {
		rows := read(t, base+"/winners.csv?header=keys")
		want := strings.Join(quiz.WinnerColumns, ",") + ",locked_at,locked_by"
		if got := strings.Join(rows[0], ","); got != want {
			t.Errorf("header\n got %s\nwant %s", got, want)
		}
		if got := strings.Join(read(t, base+"/winners.csv")[0], ","); got != want {
			t.Errorf("header without ?header\n got %s\nwant %s", got, want)
		}
		if rows[1][7] != "79" {
			t.Errorf("province %q, want the code 79", rows[1][7])
		}
	})
	t.Run("a statistics CSV gives keys with header=keys", func(t *testing.T) {
		if got := read(t, base+"/statistics/ages.csv")[0]; strings.Join(got, ",") != "Nhóm tuổi,Từ tuổi,Đến tuổi,Người thi,Lượt thi" {
			t.Errorf("ages.csv header %q", got)
		}
		rows := read(t, base+"/statistics/ages.csv?header=keys")
		if got := strings.Join(rows[0], ","); got != "group,min_age,max_age,contestants,attempts" {
			t.Errorf("ages.csv?header=keys header %q", got)
		}
		if rows[1][0] != "under_18" {
			t.Errorf("first age group %q, want under_18", rows[1][0])
		}
		rows = read(t, base+"/statistics/provinces.csv?header=keys")
		if got := strings.Join(rows[0], ","); got != "code,name,contestants,attempts" || rows[1][1] != "Hồ Chí Minh" {
			t.Errorf("provinces.csv?header=keys %q, first %q", rows[0], rows[1])
		}
	})
	runScenarios(t, s, []scenario{
		{name: "an unknown header style is refused", method: "GET", path: base + "/winners.csv?header=codes", token: official,
			wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"header"}},
		{name: "an unknown header style is refused for statistics too", method: "GET", path: base + "/statistics/days.csv?header=x",
			token: official, wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"header"}},
	})
}

func TestExportCommandRefusesAnUnknownHeaderStyle(t *testing.T) {
	s := startServer(t, nil)
	env := map[string]string{"HOITHI_DB": s.DBPath}
	var out bytes.Buffer
	err := run(context.Background(), []string{"export", "-round", "1", "-header", "codes", "-o", filepath.Join(t.TempDir(), "x.csv")},
		func(k string) string { return env[k] }, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "-header must be labels or keys") {
		t.Errorf("export -header codes: %v, want a refusal naming labels and keys", err)
	}
}

// A contest that asks the CCCD and birth date only from winners gets them
// after the lock, when the winner claims the prize: the officials' list
// shows what the winner gave, says it came after the lock, and keeps rank
// and prize as locked.
func TestAWinnersIdentityGivenAfterTheLockReachesTheOfficials(t *testing.T) {
	s := startServer(t, nil)
	admin, official, roundID := prizeRound(s)
	key := s.key(admin)
	winner, winnerID := s.person(map[string]any{"full_name": "Lê Văn Cường"})
	other, _ := s.person(map[string]any{"full_name": "Hồ Văn Em"})
	s.play(winner, roundID, key, 4, intp(2))
	s.play(other, roundID, key, 1, intp(2))
	if _, err := s.sqlDB().Exec("UPDATE users SET id_number = '', birth_date = '' WHERE id = ?", winnerID); err != nil {
		t.Fatal(err)
	}
	s.closeRound(admin, roundID)
	base := fmt.Sprintf("/api/v1/rounds/%d", roundID)
	s.mustCall(http.StatusOK, "POST", base+"/lock", official, nil, nil)
	row := func() (rank int, prize, idNumber, birthDate string, flags []string) {
		var list winnersAnswer
		s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &list)
		for _, e := range list.Entries {
			if e.FullName == "Lê Văn Cường" {
				return e.Rank, *e.Prize, e.IDNumber, e.BirthDate, e.Flags
			}
		}
		t.Fatalf("the winner is not on the list %s", list.names())
		return
	}
	rank, prize, _, _, flags := row()
	if rank != 1 || prize != "Giải Nhất" || !slices.Equal(flags, []string{quiz.FlagMissingIdentity}) {
		t.Fatalf("locked row: rank %d, prize %q, flags %q; want 1, Giải Nhất, missing_identity", rank, prize, flags)
	}

	s.correct(winner, map[string]any{"id_number": "079090012345", "birth_date": "1990-05-06"})
	rank, prize, idNumber, birthDate, flags := row()
	if rank != 1 || prize != "Giải Nhất" {
		t.Errorf("after the claim: rank %d, prize %q; want them as locked", rank, prize)
	}
	if idNumber != "079090012345" || birthDate != "1990-05-06" || !slices.Equal(flags, []string{quiz.FlagIdentityAfterLock}) {
		t.Errorf("after the claim: CCCD %q, birth date %q, flags %q; want what the winner gave, flagged identity_after_lock",
			idNumber, birthDate, flags)
	}
	_, body, _ := s.page("GET", fmt.Sprintf("/official/rounds/%d", roundID), official, nil, "")
	if !strings.Contains(body, "CCCD/ngày sinh bổ sung sau khi chốt") {
		t.Error("the round page does not say the identity was given after the lock")
	}
}
