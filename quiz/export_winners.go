package quiz

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on machines without a zoneinfo database

	"github.com/xuri/excelize/v2"
)

// Vietnam is the time zone every date in pages and reports is shown in.
var Vietnam = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// VietnamTime formats t as a Vietnamese date and time, 27/11/2026 08:30.
func VietnamTime(t time.Time) string { return t.In(Vietnam).Format("02/01/2006 15:04") }

// BirthDateVN turns "2001-09-02" into "02/09/2001"; anything else is
// returned as it is.
func BirthDateVN(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("02/01/2006")
}

// WinnerColumns are the columns of the winners files, as the API names
// them; the CSV adds locked_at and locked_by. They are the CSV's header
// with ?header=keys.
var WinnerColumns = []string{"rank", "prize", "full_name", "birth_date", "id_number", "phone", "unit",
	"province", "commune", "score", "correct", "prediction", "prediction_error", "duration_ms",
	"started_at", "submitted_at", "flags", "note"}

// winnerHeadings are the Vietnamese headings of the same columns in the
// workbook and, with the lock's two, in the CSV people open.
var winnerHeadings = []string{"Hạng", "Giải", "Họ và tên", "Ngày sinh", "Số CCCD", "Điện thoại", "Đơn vị",
	"Tỉnh, thành phố", "Xã, phường", "Điểm", "Số câu đúng", "Dự đoán", "Sai số dự đoán", "Thời gian làm bài (giây)",
	"Bắt đầu (giờ Việt Nam)", "Nộp bài (giờ Việt Nam)", "Cần xem xét", "Ghi chú"}

// lockHeadings head the CSV's last two columns, the lock's time and who
// locked.
var lockHeadings = []string{"Chốt lúc (giờ Việt Nam)", "Người chốt"}

// APITime formats t as the API does: UTC, RFC 3339 with milliseconds.
func APITime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// flagWords name the flags for people, in Vietnamese.
var flagWords = map[string]string{
	FlagSharedIDNumber:    "trùng CCCD với người dự thi khác",
	FlagSharedPhone:       "trùng số điện thoại với người dự thi khác",
	FlagTie:               "bằng nhau ở mọi tiêu chí",
	FlagPrizeElsewhere:    "đã có giải ở đợt khác",
	FlagMissingIdentity:   "thiếu CCCD/ngày sinh",
	FlagIdentityAfterLock: "CCCD/ngày sinh bổ sung sau khi chốt",
}

// FlagText names the flags of a row in Vietnamese, for people. A flag it
// does not know is "cần xem xét": never the flag's key.
func FlagText(flags []string) string {
	var out []string
	for _, f := range flags {
		w, ok := flagWords[f]
		if !ok {
			w = "cần xem xét"
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return strings.Join(out, "; ")
}

// Seconds writes a duration in milliseconds as seconds with three
// decimals, with decimal as the decimal mark: 83400 → "83.400".
func Seconds(ms int64, decimal string) string {
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	return fmt.Sprintf("%s%d%s%03d", sign, ms/1000, decimal, ms%1000)
}

// IntVN writes a whole number as Vietnamese text does, thousands grouped
// by dots: 1.234.567. Cells that hold numbers stay numbers; this is for
// numbers inside sentences.
func IntVN(n int) string {
	digits := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	return sign + b.String()
}

// WinnersCSV writes a winners list as CSV for a spreadsheet.
type WinnersCSV struct {
	// Sep separates the fields: ',' or ';' (Excel under Vietnamese
	// regional settings, which also reads decimal commas).
	Sep rune
	// Keys writes the API's column names and values, for programs:
	// province codes, flag keys, milliseconds, UTC times in RFC 3339.
	// Without it the columns have Vietnamese names, provinces their
	// names, flags words, durations seconds with decimals and times
	// Vietnam's clock, for people.
	Keys bool
	// ProvinceName names a province code; nil writes codes.
	ProvinceName func(code string) string
}

// Write writes the list: UTF-8 with a byte order mark, Sep between
// fields, the column names first, then one row per entry and nothing else
// (the lock's time and who locked are the last two columns of each row).
// Every text cell passes through SheetText.
func (x WinnersCSV) Write(w io.Writer, l WinnerList) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw, err := NewSheetCSV(bw, x.Sep)
	if err != nil {
		return err
	}
	header := append(append([]string{}, winnerHeadings...), lockHeadings...)
	if x.Keys {
		header = append(append([]string{}, WinnerColumns...), "locked_at", "locked_by")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	decimal := "."
	if x.Sep == ';' {
		decimal = ","
	}
	lockedAt := ""
	if l.LockedAt != nil {
		lockedAt = APITime(*l.LockedAt)
		if !x.Keys {
			lockedAt = csvClock(*l.LockedAt, decimal)
		}
	}
	rec := make([]string, len(header))
	for _, e := range l.Entries {
		rec = rec[:0]
		if x.Keys {
			rec = append(rec, strconv.Itoa(e.Rank), SheetText(e.Prize), SheetText(e.FullName), e.BirthDate,
				SheetText(e.IDNumber), SheetText(e.Phone), SheetText(e.Unit), e.Province, SheetText(e.Commune),
				strconv.Itoa(e.Score), strconv.Itoa(e.Correct), optInt(e.Prediction), optInt(e.PredictionError),
				strconv.FormatInt(e.DurationMs, 10), APITime(e.StartedAt), APITime(e.SubmittedAt),
				strings.Join(e.Flags, " "), SheetText(e.Note), lockedAt, SheetText(l.LockedBy))
		} else {
			rec = append(rec, strconv.Itoa(e.Rank), SheetText(e.Prize), SheetText(e.FullName), BirthDateVN(e.BirthDate),
				SheetText(e.IDNumber), SheetText(e.Phone), SheetText(e.Unit), SheetText(x.province(e.Province)),
				SheetText(e.Commune), strconv.Itoa(e.Score), strconv.Itoa(e.Correct), optInt(e.Prediction),
				optInt(e.PredictionError), Seconds(e.DurationMs, decimal), csvClock(e.StartedAt, decimal),
				csvClock(e.SubmittedAt, decimal), FlagText(e.Flags), SheetText(e.Note), lockedAt, SheetText(l.LockedBy))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func (x WinnersCSV) province(code string) string {
	if x.ProvinceName == nil || code == "" {
		return code
	}
	return x.ProvinceName(code)
}

// csvClock writes t as a clock in Vietnam shows it, to the millisecond:
// 27/11/2026 08:30:12.345.
func csvClock(t time.Time, decimal string) string {
	v := t.In(Vietnam)
	return v.Format("02/01/2006 15:04:05") + decimal + fmt.Sprintf("%03d", v.Nanosecond()/1e6)
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// WinnersXLSX describes the workbook's surroundings.
type WinnersXLSX struct {
	// ProvinceName names a province code; nil shows codes.
	ProvinceName func(code string) string
	// Made is when the file was made, shown in the header block.
	Made time.Time
}

// excelTime gives the Vietnamese wall-clock time of t as Excel stores a
// date: Excel has no time zones, so the cell holds what a clock in Vietnam
// showed.
func excelTime(t time.Time) time.Time {
	v := t.In(Vietnam)
	return time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), time.UTC)
}

// Write writes the list as a workbook: a sheet "Danh sách" with a header
// block (contest, round, its dates, the lock, the prediction's actual
// count) above the table of every entry, and a sheet "Thống kê" with the
// round's figures, the prizes given and the units. Rows are streamed, so a
// round of any size stays in bounded memory. Text cells are typed text
// (never formulas); dates are real dates shown the Vietnamese way.
func (x WinnersXLSX) Write(w io.Writer, l WinnerList) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := x.write(f, l); err != nil {
		return fmt.Errorf("winners xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("winners xlsx: %w", err)
	}
	return nil
}

type winnerStyles struct {
	title, bold, head, text, date, stamp, number, seconds int
}

func newWinnerStyles(f *excelize.File) (winnerStyles, error) {
	var s winnerStyles
	textFmt := "@"
	dateFmt := "dd/mm/yyyy"
	stampFmt := "dd/mm/yyyy hh:mm:ss.000"
	secondsFmt := "0.000"
	border := []excelize.Border{{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1}}
	for _, st := range []struct {
		id    *int
		style excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.bold, excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: &textFmt}},
		{&s.head, excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE7F0"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}},
		{&s.text, excelize.Style{CustomNumFmt: &textFmt, Border: border}},
		{&s.date, excelize.Style{CustomNumFmt: &dateFmt, Border: border}},
		{&s.stamp, excelize.Style{CustomNumFmt: &stampFmt, Border: border}},
		{&s.number, excelize.Style{Border: border}},
		{&s.seconds, excelize.Style{CustomNumFmt: &secondsFmt, Border: border}},
	} {
		id, err := f.NewStyle(&st.style)
		if err != nil {
			return s, err
		}
		*st.id = id
	}
	return s, nil
}

func (x WinnersXLSX) province(code string) string {
	if x.ProvinceName == nil || code == "" {
		return code
	}
	return x.ProvinceName(code)
}

// HeaderRows is how many rows the header block of the list sheet takes
// before the table's own header row.
const HeaderRows = 8

func (x WinnersXLSX) write(f *excelize.File, l WinnerList) error {
	const sheet = "Danh sách"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	st, err := newWinnerStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	widths := []float64{7, 18, 28, 12, 15, 13, 30, 20, 22, 8, 8, 10, 10, 12, 23, 23, 30, 30}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	r := l.Round
	status := "Chưa chốt: danh sách tạm tính, có thể còn thay đổi"
	if l.Locked && l.LockedAt != nil {
		status = fmt.Sprintf("Đã chốt lúc %s bởi %s", excelStamp(*l.LockedAt), l.LockedBy)
	}
	actual := "Không có câu hỏi dự đoán"
	if l.Actual != nil {
		actual = fmt.Sprintf("%s (%s)", IntVN(*l.Actual), targetWords(r.PredictionTarget))
	}
	block := [][2]string{
		{"Cuộc thi", r.ContestTitle},
		{"Đợt thi", r.Name},
		{"Thời gian", fmt.Sprintf("Từ %s đến %s (giờ Việt Nam)", VietnamTime(r.OpensAt), VietnamTime(r.ClosesAt))},
		{"Trạng thái", status},
		{"Đáp án dự đoán", actual},
		{"Số người dự thi", fmt.Sprintf("%s người, %s lượt thi", IntVN(l.Stats.Participants), IntVN(l.Stats.Attempts))},
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: "DANH SÁCH KẾT QUẢ VÀ GIẢI THƯỞNG"}},
		excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	for i, b := range block {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{excelize.Cell{StyleID: st.bold, Value: b[0]}, excelize.Cell{StyleID: st.bold, Value: b[1]}}); err != nil {
			return err
		}
	}
	head := make([]any, len(winnerHeadings))
	for i, h := range winnerHeadings {
		head[i] = excelize.Cell{StyleID: st.head, Value: h}
	}
	cell, _ := excelize.CoordinatesToCellName(1, HeaderRows+1)
	if err := sw.SetRow(cell, head, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	row := make([]any, len(winnerHeadings))
	for i, e := range l.Entries {
		birth := any(excelize.Cell{StyleID: st.text, Value: e.BirthDate})
		if t, err := time.Parse(time.DateOnly, e.BirthDate); err == nil {
			birth = excelize.Cell{StyleID: st.date, Value: t}
		}
		row = append(row[:0],
			excelize.Cell{StyleID: st.number, Value: e.Rank},
			excelize.Cell{StyleID: st.text, Value: e.Prize},
			excelize.Cell{StyleID: st.text, Value: e.FullName},
			birth,
			excelize.Cell{StyleID: st.text, Value: e.IDNumber},
			excelize.Cell{StyleID: st.text, Value: e.Phone},
			excelize.Cell{StyleID: st.text, Value: e.Unit},
			excelize.Cell{StyleID: st.text, Value: x.province(e.Province)},
			excelize.Cell{StyleID: st.text, Value: e.Commune},
			excelize.Cell{StyleID: st.number, Value: e.Score},
			excelize.Cell{StyleID: st.number, Value: e.Correct},
			optCell(e.Prediction, st.number),
			optCell(e.PredictionError, st.number),
			excelize.Cell{StyleID: st.seconds, Value: float64(e.DurationMs) / 1000},
			excelize.Cell{StyleID: st.stamp, Value: excelTime(e.StartedAt)},
			excelize.Cell{StyleID: st.stamp, Value: excelTime(e.SubmittedAt)},
			excelize.Cell{StyleID: st.text, Value: FlagText(e.Flags)},
			excelize.Cell{StyleID: st.text, Value: e.Note},
		)
		cell, _ := excelize.CoordinatesToCellName(1, HeaderRows+2+i)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return x.writeStats(f, l, st)
}

func optCell(p *int, style int) excelize.Cell {
	if p == nil {
		return excelize.Cell{StyleID: style}
	}
	return excelize.Cell{StyleID: style, Value: *p}
}

func excelStamp(t time.Time) string { return t.In(Vietnam).Format("02/01/2006 15:04:05") }

func targetWords(target string) string {
	switch target {
	case TargetPerfectScorers:
		return "số người trả lời đúng tất cả các câu"
	case TargetParticipants:
		return "số người dự thi"
	case TargetAttempts:
		return "số lượt thi"
	}
	return target
}

// writeStats writes the second sheet: the round's figures, the prizes given
// by tier, and the units ranked.
func (x WinnersXLSX) writeStats(f *excelize.File, l WinnerList, st winnerStyles) error {
	const sheet = "Thống kê"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, wd := range []float64{36, 16, 16, 14, 10, 14, 24} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	n := 0
	put := func(cells ...any) error {
		n++
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, cells)
	}
	bold := func(s string) excelize.Cell { return excelize.Cell{StyleID: st.bold, Value: s} }
	lines := [][]any{
		{excelize.Cell{StyleID: st.title, Value: "THỐNG KÊ ĐỢT THI"}},
		{bold("Cuộc thi"), l.Round.ContestTitle},
		{bold("Đợt thi"), l.Round.Name},
		{bold("Số người dự thi"), l.Stats.Participants},
		{bold("Số lượt thi"), l.Stats.Attempts},
		{bold("Số người đúng tất cả các câu"), l.Stats.PerfectScorers},
	}
	if l.Actual != nil {
		lines = append(lines, []any{bold("Đáp án dự đoán"), *l.Actual})
	}
	lines = append(lines, []any{bold("Lập lúc"), excelStamp(x.Made)}, nil, []any{bold("Giải cá nhân"), bold("Số giải"), bold("Đã trao")})
	for _, line := range lines {
		if err := put(line...); err != nil {
			return err
		}
	}
	given := map[string]int{}
	for _, e := range l.Entries {
		if e.Prize != "" {
			given[e.Prize]++
		}
	}
	for _, p := range l.Round.Prizes {
		if err := put(p.Name, p.Count, given[p.Name]); err != nil {
			return err
		}
	}
	if err := put(); err != nil {
		return err
	}
	if err := put(bold("Đơn vị"), bold("Số người dự thi"), bold("Số thành viên"), bold("Tỉ lệ (%)"),
		bold("Hạng"), bold("Hạng theo tỉ lệ"), bold("Giải tập thể")); err != nil {
		return err
	}
	for _, u := range l.Units {
		cells := []any{excelize.Cell{StyleID: st.text, Value: u.Unit}, u.Participants, nil, nil, u.Rank, nil,
			excelize.Cell{StyleID: st.text, Value: u.Prize}}
		if u.Members > 0 {
			cells[2], cells[3], cells[5] = u.Members, float64(int(u.SharePercent()*10+0.5))/10, u.ShareRank
		}
		if err := put(cells...); err != nil {
			return err
		}
	}
	return sw.Flush()
}
