package quiz

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Statuses of a game's question in its results.
const (
	LivePlayed    = "played"
	LiveSkipped   = "skipped"
	LiveNotPlayed = "not_played"
)

// LiveStanding is a player's place in a game.
type LiveStanding struct {
	Rank     int
	PlayerID int64
	Nickname string
	SignedIn bool // a contestant's account, not a guest
	Points   int
	Correct  int
	Answered int
	// AnswerMs is the time spent answering the questions played, a
	// question not answered counting whole: the third tie-break.
	AnswerMs int64
	JoinedAt time.Time
}

// LiveOptionResult is how many chose one option.
type LiveOptionResult struct {
	ID      int64
	Text    string
	Correct bool
	Count   int
}

// LiveQuestionResult is how the room answered one question.
type LiveQuestionResult struct {
	Index      int
	QuestionID int64
	Text       string
	Status     string // LivePlayed, LiveSkipped or LiveNotPlayed
	// Players were in the game (not kicked) when it closed; Answered and
	// Correct count their answers.
	Players  int
	Answered int
	Correct  int
	Options  []LiveOptionResult
}

// ShareCorrect is the share of the players who answered right, from 0 to
// 1 (0 when nobody played the question).
func (q LiveQuestionResult) ShareCorrect() float64 {
	if q.Players == 0 {
		return 0
	}
	return float64(q.Correct) / float64(q.Players)
}

// LiveResults is a game's results: its players ranked (kicked players left
// out) and each question's answers. Only closed questions count.
type LiveResults struct {
	Game      LiveGame
	Players   []LiveStanding
	Questions []LiveQuestionResult
}

// Results returns a game's results as stored: every answer acknowledged
// is in them, whatever the game's state in memory.
func (l *Live) Results(ctx context.Context, gameID int64) (LiveResults, error) {
	rec, err := l.store.LiveGame(ctx, gameID)
	if err != nil {
		return LiveResults{}, err
	}
	return LiveResultsOf(rec), nil
}

// LiveResultsOf ranks a stored game by the rules the game itself ranks by.
func LiveResultsOf(rec LiveRecord) LiveResults {
	g := newLiveGame(rec)
	r := LiveResults{Game: g.view(), Players: make([]LiveStanding, len(g.standings))}
	answered := map[int64]int{}
	for _, a := range rec.Answers {
		if a.Index < len(rec.Questions) && rec.Questions[a.Index].Closed() && !rec.Questions[a.Index].Skipped {
			answered[a.PlayerID]++
		}
	}
	for i, p := range g.standings {
		r.Players[i] = LiveStanding{Rank: p.rank, PlayerID: p.ID, Nickname: p.Nickname, SignedIn: p.UserID != 0,
			Points: p.points, Correct: p.correct, Answered: answered[p.ID], AnswerMs: p.timeMs, JoinedAt: p.JoinedAt}
	}
	byIndex := make([][]LiveAnswer, len(rec.Questions))
	for _, a := range rec.Answers {
		if a.Index >= 0 && a.Index < len(byIndex) {
			byIndex[a.Index] = append(byIndex[a.Index], a)
		}
	}
	for _, q := range rec.Questions {
		qr := LiveQuestionResult{Index: q.Index, QuestionID: q.QuestionID, Text: q.Text, Status: LiveNotPlayed,
			Options: make([]LiveOptionResult, len(q.Options))}
		at := map[int64]int{}
		for i, o := range q.Options {
			qr.Options[i] = LiveOptionResult{ID: o.ID, Text: o.Text, Correct: o.Correct}
			at[o.ID] = i
		}
		if q.Closed() {
			qr.Status = LivePlayed
			if q.Skipped {
				qr.Status = LiveSkipped
			}
			for _, p := range g.standings {
				if !p.JoinedAt.After(q.ClosedAt) {
					qr.Players++
				}
			}
			for _, a := range byIndex[q.Index] {
				if p := g.players[a.PlayerID]; p == nil || p.kicked {
					continue
				}
				qr.Answered++
				if a.Correct {
					qr.Correct++
				}
				for _, id := range a.OptionIDs {
					if i, ok := at[id]; ok {
						qr.Options[i].Count++
					}
				}
			}
		}
		r.Questions = append(r.Questions, qr)
	}
	return r
}

// liveStatusWords name a question's status for people.
var liveStatusWords = map[string]string{
	LivePlayed:    "Đã chơi",
	LiveSkipped:   "Bỏ qua (không tính điểm)",
	LiveNotPlayed: "Chưa chơi",
}

// Columns of the live results files: the API's keys and the Vietnamese
// headings people read.
var (
	LivePlayerColumns    = []string{"rank", "nickname", "points", "correct", "answered", "answer_ms", "signed_in"}
	livePlayerHeadings   = []string{"Hạng", "Biệt danh", "Điểm", "Số câu đúng", "Số câu đã trả lời", "Thời gian trả lời (giây)", "Tài khoản"}
	LiveQuestionColumns  = []string{"index", "question", "correct_options", "status", "players", "answered", "correct", "share_correct"}
	liveQuestionHeadings = []string{"Câu", "Nội dung câu hỏi", "Đáp án đúng", "Trạng thái", "Số người chơi", "Số người trả lời", "Số trả lời đúng", "Tỉ lệ đúng (%)"}
)

func correctTexts(q LiveQuestionResult) string {
	var texts []string
	for _, o := range q.Options {
		if o.Correct {
			texts = append(texts, o.Text)
		}
	}
	return strings.Join(texts, "; ")
}

// sharePercent is a share as a percentage with one decimal.
func sharePercent(q LiveQuestionResult) float64 {
	return float64(int(q.ShareCorrect()*1000+0.5)) / 10
}

// LiveResultsCSV writes one table of a game's results as CSV for a
// spreadsheet: UTF-8 with a byte order mark, a header row, one row an
// entry.
type LiveResultsCSV struct {
	Sep rune
	// Keys writes the API's column names and values (milliseconds, a
	// share from 0 to 1, true/false); without it the headings are
	// Vietnamese, times seconds and shares percentages written with
	// Decimal.
	Keys bool
	// Questions writes the questions' table instead of the players'.
	Questions bool
}

// Write writes the table. Every text cell passes through SheetText.
func (x LiveResultsCSV) Write(w io.Writer, r LiveResults) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw, err := NewSheetCSV(bw, x.Sep)
	if err != nil {
		return err
	}
	decimal := "."
	if x.Sep == ';' {
		decimal = "," // Excel under Vietnamese settings reads decimal commas
	}
	if x.Questions {
		head := liveQuestionHeadings
		if x.Keys {
			head = LiveQuestionColumns
		}
		if err := cw.Write(head); err != nil {
			return err
		}
		for _, q := range r.Questions {
			status, share := liveStatusWords[q.Status], strings.Replace(strconv.FormatFloat(sharePercent(q), 'f', 1, 64), ".", decimal, 1)
			if x.Keys {
				status, share = q.Status, strconv.FormatFloat(q.ShareCorrect(), 'f', 4, 64)
			}
			if err := cw.Write([]string{strconv.Itoa(q.Index + 1), SheetText(q.Text), SheetText(correctTexts(q)), status,
				strconv.Itoa(q.Players), strconv.Itoa(q.Answered), strconv.Itoa(q.Correct), share}); err != nil {
				return err
			}
		}
	} else {
		head := livePlayerHeadings
		if x.Keys {
			head = LivePlayerColumns
		}
		if err := cw.Write(head); err != nil {
			return err
		}
		for _, p := range r.Players {
			answerTime, account := Seconds(p.AnswerMs, decimal), "Khách"
			if p.SignedIn {
				account = "Người dự thi"
			}
			if x.Keys {
				answerTime, account = strconv.FormatInt(p.AnswerMs, 10), strconv.FormatBool(p.SignedIn)
			}
			if err := cw.Write([]string{strconv.Itoa(p.Rank), SheetText(p.Nickname), strconv.Itoa(p.Points),
				strconv.Itoa(p.Correct), strconv.Itoa(p.Answered), answerTime, account}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// LiveResultsXLSX writes a game's results as a workbook: a sheet of the
// players with their points and right answers, and a sheet of the
// questions with the share of right answers and each option's count.
type LiveResultsXLSX struct {
	Made time.Time // shown in the header block
}

// Write writes the workbook. Text cells are typed text, never formulas.
func (x LiveResultsXLSX) Write(w io.Writer, r LiveResults) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := x.write(f, r); err != nil {
		return fmt.Errorf("live results xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("live results xlsx: %w", err)
	}
	return nil
}

func (x LiveResultsXLSX) write(f *excelize.File, r LiveResults) error {
	const players, questions = "Người chơi", "Câu hỏi"
	if err := f.SetSheetName("Sheet1", players); err != nil {
		return err
	}
	st, err := newWinnerStyles(f)
	if err != nil {
		return err
	}
	mode := "Tính điểm theo tốc độ"
	if r.Game.PointsMode == PointsAccuracy {
		mode = "Mỗi câu đúng 1 điểm"
	} else if r.Game.StreakBonus {
		mode += ", có thưởng chuỗi câu đúng"
	}
	state := "Đang diễn ra: kết quả tạm tính"
	if r.Game.EndedAt != nil {
		state = "Đã kết thúc lúc " + excelStamp(*r.Game.EndedAt)
	}
	block := [][2]string{
		{"Trò chơi", r.Game.Title},
		{"Mã PIN", r.Game.PIN},
		{"Tạo lúc", excelStamp(r.Game.CreatedAt)},
		{"Trạng thái", state},
		{"Cách tính điểm", fmt.Sprintf("%s; %d giây mỗi câu", mode, r.Game.SecondsPerQuestion)},
		{"Lập lúc", excelStamp(x.Made)},
	}
	title := excelize.Cell{StyleID: st.title, Value: "KẾT QUẢ TRÒ CHƠI TRỰC TIẾP"}
	sw, err := f.NewStreamWriter(players)
	if err != nil {
		return err
	}
	for i, wd := range []float64{7, 24, 10, 12, 14, 16, 14} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	row := 1
	put := func(sw *excelize.StreamWriter, cells ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, cells)
	}
	if err := put(sw, title); err != nil {
		return err
	}
	for _, b := range block {
		if err := put(sw, excelize.Cell{StyleID: st.bold, Value: b[0]}, excelize.Cell{StyleID: st.bold, Value: b[1]}); err != nil {
			return err
		}
	}
	row++
	head := make([]any, len(livePlayerHeadings))
	for i, h := range livePlayerHeadings {
		head[i] = excelize.Cell{StyleID: st.head, Value: h}
	}
	if err := put(sw, head...); err != nil {
		return err
	}
	for _, p := range r.Players {
		account := "Khách"
		if p.SignedIn {
			account = "Người dự thi"
		}
		if err := put(sw, excelize.Cell{StyleID: st.number, Value: p.Rank}, excelize.Cell{StyleID: st.text, Value: p.Nickname},
			excelize.Cell{StyleID: st.number, Value: p.Points}, excelize.Cell{StyleID: st.number, Value: p.Correct},
			excelize.Cell{StyleID: st.number, Value: p.Answered},
			excelize.Cell{StyleID: st.seconds, Value: float64(p.AnswerMs) / 1000},
			excelize.Cell{StyleID: st.text, Value: account}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}

	if _, err := f.NewSheet(questions); err != nil {
		return err
	}
	sw, err = f.NewStreamWriter(questions)
	if err != nil {
		return err
	}
	for i, wd := range []float64{6, 50, 30, 22, 12, 12, 12, 12} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	row = 1
	if err := put(sw, title); err != nil {
		return err
	}
	if err := put(sw, excelize.Cell{StyleID: st.bold, Value: "Trò chơi"}, excelize.Cell{StyleID: st.bold, Value: r.Game.Title}); err != nil {
		return err
	}
	row++
	head = make([]any, 0, len(liveQuestionHeadings)+4)
	for _, h := range liveQuestionHeadings {
		head = append(head, excelize.Cell{StyleID: st.head, Value: h})
	}
	maxOptions := 0
	for _, q := range r.Questions {
		maxOptions = max(maxOptions, len(q.Options))
	}
	for i := range maxOptions {
		head = append(head, excelize.Cell{StyleID: st.head, Value: fmt.Sprintf("Phương án %c (số người chọn)", 'A'+i)})
	}
	if err := put(sw, head...); err != nil {
		return err
	}
	for _, q := range r.Questions {
		cells := []any{excelize.Cell{StyleID: st.number, Value: q.Index + 1}, excelize.Cell{StyleID: st.text, Value: q.Text},
			excelize.Cell{StyleID: st.text, Value: correctTexts(q)}, excelize.Cell{StyleID: st.text, Value: liveStatusWords[q.Status]},
			excelize.Cell{StyleID: st.number, Value: q.Players}, excelize.Cell{StyleID: st.number, Value: q.Answered},
			excelize.Cell{StyleID: st.number, Value: q.Correct}, excelize.Cell{StyleID: st.number, Value: sharePercent(q)}}
		for _, o := range q.Options {
			cells = append(cells, excelize.Cell{StyleID: st.text, Value: fmt.Sprintf("%s (%d)", o.Text, o.Count)})
		}
		if err := put(sw, cells...); err != nil {
			return err
		}
	}
	return sw.Flush()
}
