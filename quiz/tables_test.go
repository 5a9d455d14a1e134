package quiz

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"
)

// The flags a winners list raises for the officials, and the list as the
// files people open and programs read write it.

func TestAPrizeWinnerSharingAnIdentityIsFlagged(t *testing.T) {
	tiers := PrizeRules{Tiers: []Prize{{"Nhất", 1}, {"Nhì", 1}}}
	t.Run("a winner who shares a CCCD with a contestant without a prize is flagged, and so is the contestant", func(t *testing.T) {
		entries := identified(ranked(4))
		entries[0].IDNumber = "001203004005" // Nhất
		entries[3].IDNumber = "001203004005" // no prize
		AllocatePrizes(entries, tiers)
		for _, i := range []int{0, 3} {
			if !entries[i].HasFlag(FlagSharedIDNumber) {
				t.Errorf("user %d (prize %q) flags %v, want %s", entries[i].UserID, entries[i].Prize, entries[i].Flags, FlagSharedIDNumber)
			}
		}
		if f := entries[1].Flags; len(f) != 0 {
			t.Errorf("user 2 flags %v, want none", f)
		}
	})
	t.Run("a winner who shares a phone with a contestant without a prize is flagged", func(t *testing.T) {
		entries := identified(ranked(3))
		entries[1].Phone, entries[2].Phone = "0912345678", "0912345678"
		AllocatePrizes(entries, tiers)
		if !entries[1].HasFlag(FlagSharedPhone) || !entries[2].HasFlag(FlagSharedPhone) {
			t.Errorf("flags %v and %v, want %s on both", entries[1].Flags, entries[2].Flags, FlagSharedPhone)
		}
	})
	t.Run("two contestants without a prize who share a CCCD are not flagged", func(t *testing.T) {
		entries := identified(ranked(4))
		entries[2].IDNumber, entries[3].IDNumber = "001203004005", "001203004005"
		AllocatePrizes(entries, tiers)
		for _, w := range entries {
			if len(w.Flags) != 0 {
				t.Errorf("user %d flags %v, want none", w.UserID, w.Flags)
			}
		}
	})
}

func TestAPrizeWinnerWithoutCCCDOrBirthDateIsFlagged(t *testing.T) {
	entries := identified(ranked(4))
	entries[0].IDNumber = ""  // winner without CCCD
	entries[1].BirthDate = "" // winner without birth date
	entries[3].IDNumber = ""  // no prize: nothing to claim
	AllocatePrizes(entries, PrizeRules{Tiers: []Prize{{"Nhất", 1}, {"Nhì", 2}}})
	want := map[int64][]string{1: {FlagMissingIdentity}, 2: {FlagMissingIdentity}, 3: nil, 4: nil}
	for _, w := range entries {
		if !slices.Equal(w.Flags, want[w.UserID]) {
			t.Errorf("user %d (prize %q) flags %v, want %v", w.UserID, w.Prize, w.Flags, want[w.UserID])
		}
	}
	if got := FlagText([]string{FlagMissingIdentity, FlagSharedIDNumber}); got != "thiếu CCCD/ngày sinh; trùng CCCD với người dự thi khác" {
		t.Errorf("flag text %q", got)
	}
	if got := FlagText([]string{"some_new_flag"}); strings.Contains(got, "some_new_flag") || got == "" {
		t.Errorf("an unknown flag reads %q, want words and never its key", got)
	}
}

// csvList is a locked list of two rows, one a prize winner without a CCCD.
func csvList() WinnerList {
	at := time.Date(2026, 11, 27, 1, 30, 12, 345e6, time.UTC) // 08:30:12.345 in Vietnam
	locked := at.Add(time.Hour)
	pred := 5
	return WinnerList{Locked: true, LockedAt: &locked, LockedBy: StaffLabel("Lê Thị Hoa", "hoa@so.gov.vn"),
		Entries: []Winner{
			{Rank: 1, PrizeTier: 1, Prize: "Giải Nhất", FullName: "Nguyễn Văn An", BirthDate: "1990-05-06",
				Phone: "0912345678", Unit: "=1+1", Province: "79", Commune: "Phường Sài Gòn", Score: 10, Correct: 10,
				Prediction: &pred, DurationMs: 83400, StartedAt: at, SubmittedAt: at.Add(83400 * time.Millisecond),
				Flags: []string{FlagMissingIdentity}},
			{Rank: 2, FullName: "Trần Thị Bình", BirthDate: "1991-01-02", IDNumber: "079090000001", Province: "01",
				Score: 9, Correct: 9, DurationMs: 252345, StartedAt: at, SubmittedAt: at.Add(252345 * time.Millisecond)},
		}}
}

func readCSV(t *testing.T, data []byte, sep rune) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Fatalf("the file starts %q, want the UTF-8 byte order mark", data[:min(len(data), 8)])
	}
	r := csv.NewReader(bytes.NewReader(data[3:]))
	r.Comma = sep
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestWinnersCSVForPeopleAndForPrograms(t *testing.T) {
	names := map[string]string{"79": "Hồ Chí Minh", "01": "Hà Nội"}
	province := func(code string) string { return names[code] }
	t.Run("by default the columns have Vietnamese names and the values read as people write them", func(t *testing.T) {
		var buf bytes.Buffer
		if err := (WinnersCSV{Sep: ',', ProvinceName: province}).Write(&buf, csvList()); err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, buf.Bytes(), ',')
		wantHead := "Hạng|Giải|Họ và tên|Ngày sinh|Số CCCD|Điện thoại|Đơn vị|Tỉnh, thành phố|Xã, phường|Điểm|Số câu đúng|Dự đoán|" +
			"Sai số dự đoán|Thời gian làm bài (giây)|Bắt đầu (giờ Việt Nam)|Nộp bài (giờ Việt Nam)|Cần xem xét|Ghi chú|" +
			"Chốt lúc (giờ Việt Nam)|Người chốt"
		if got := strings.Join(rows[0], "|"); got != wantHead {
			t.Errorf("header\n got %s\nwant %s", got, wantHead)
		}
		want := []string{"1", "Giải Nhất", "Nguyễn Văn An", "06/05/1990", "", "0912345678", "'=1+1", "Hồ Chí Minh",
			"Phường Sài Gòn", "10", "10", "5", "", "83.400", "27/11/2026 08:30:12.345", "27/11/2026 08:31:35.745",
			"thiếu CCCD/ngày sinh", "", "27/11/2026 09:30:12.345", "Lê Thị Hoa (hoa@so.gov.vn)"}
		if !slices.Equal(rows[1], want) {
			t.Errorf("row 1\n got %q\nwant %q", rows[1], want)
		}
		if rows[2][7] != "Hà Nội" || rows[2][13] != "252.345" {
			t.Errorf("row 2 province %q and seconds %q, want Hà Nội and 252.345", rows[2][7], rows[2][13])
		}
	})
	t.Run("with semicolons the seconds and times take the decimal comma", func(t *testing.T) {
		var buf bytes.Buffer
		if err := (WinnersCSV{Sep: ';', ProvinceName: province}).Write(&buf, csvList()); err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, buf.Bytes(), ';')
		if rows[1][13] != "83,400" || rows[1][14] != "27/11/2026 08:30:12,345" {
			t.Errorf("seconds %q and start %q, want 83,400 and 27/11/2026 08:30:12,345", rows[1][13], rows[1][14])
		}
	})
	t.Run("with keys the columns and values are the API's", func(t *testing.T) {
		var buf bytes.Buffer
		if err := (WinnersCSV{Sep: ',', Keys: true, ProvinceName: province}).Write(&buf, csvList()); err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, buf.Bytes(), ',')
		wantHead := strings.Join(WinnerColumns, ",") + ",locked_at,locked_by"
		if got := strings.Join(rows[0], ","); got != wantHead {
			t.Errorf("header\n got %s\nwant %s", got, wantHead)
		}
		want := []string{"1", "Giải Nhất", "Nguyễn Văn An", "1990-05-06", "", "0912345678", "'=1+1", "79",
			"Phường Sài Gòn", "10", "10", "5", "", "83400", "2026-11-27T01:30:12.345Z", "2026-11-27T01:31:35.745Z",
			"missing_identity", "", "2026-11-27T02:30:12.345Z", "Lê Thị Hoa (hoa@so.gov.vn)"}
		if !slices.Equal(rows[1], want) {
			t.Errorf("row 1\n got %q\nwant %q", rows[1], want)
		}
	})
}

func TestStaffAreNamedOnceEach(t *testing.T) {
	for _, c := range []struct{ name, login, want string }{
		{"Lê Thị Hoa", "hoa@so.gov.vn", "Lê Thị Hoa (hoa@so.gov.vn)"},
		{"f@x.vn", "f@x.vn", "f@x.vn"}, // a staff account made without a name
		{"F@X.vn", "f@x.vn", "F@X.vn"},
		{"", "f@x.vn", "f@x.vn"},
		{"Lê Thị Hoa", "", "Lê Thị Hoa"},
	} {
		if got := StaffLabel(c.name, c.login); got != c.want {
			t.Errorf("StaffLabel(%q, %q) = %q, want %q", c.name, c.login, got, c.want)
		}
	}
	if got := StaffName(User{FullName: "f@x.vn", Email: "f@x.vn"}); got != "f@x.vn" {
		t.Errorf("a staff account without a name is named %q, want its e-mail once", got)
	}
	// Names as the audit log stored them before read the same way.
	for stored, want := range map[string]string{
		"f@x.vn <f@x.vn>":            "f@x.vn",
		"Lê Thị Hoa <hoa@so.gov.vn>": "Lê Thị Hoa (hoa@so.gov.vn)",
		"Lê Thị Hoa (hoa@so.gov.vn)": "Lê Thị Hoa (hoa@so.gov.vn)",
		"f@x.vn (f@x.vn)":            "f@x.vn",
		"Lê Thị Hoa":                 "Lê Thị Hoa",
	} {
		if got := ActorLabel(stored); got != want {
			t.Errorf("ActorLabel(%q) = %q, want %q", stored, got, want)
		}
	}
}

func TestNumbersInSentencesOfTheFilesGroupThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1234: "1.234", -1234567: "-1.234.567"} {
		if got := IntVN(n); got != want {
			t.Errorf("IntVN(%d) = %q, want %q", n, got, want)
		}
	}
}
