package quiz

import (
	"fmt"
	"strings"
	"time"
)

// Placeholders a contest's rules may hold, filled in from the contest, its
// rounds and its controller wherever the rules are shown, so that the
// rules follow the rounds as they are edited. A placeholder alone on its
// line becomes a list (rounds, prizes); elsewhere it reads inline.
const (
	RulesController = "[Đơn vị tổ chức]"
	RulesAddress    = "[Địa chỉ]"
	RulesContact    = "[Liên hệ]"
	RulesRounds     = "[Các đợt thi]"
	RulesPrizes     = "[Giải thưởng]"
	RulesContestURL = "[Trang cuộc thi]"
	RulesNotice     = "[Thông báo xử lý dữ liệu cá nhân]"
	// RulesBlank marks what the organizer must fill in by hand.
	RulesBlank = "……"
)

// RulesPlaceholders lists the placeholders in the order the builder
// explains them.
var RulesPlaceholders = []string{RulesController, RulesAddress, RulesContact, RulesRounds, RulesPrizes, RulesContestURL, RulesNotice}

// RulesTemplate is where every contest's rules start: the sections
// Vietnamese organizers publish (who may enter, dates, format, scoring,
// ranking, prizes, announcement and complaints, personal data), stating
// what hoithi does. A question with several correct options scores only
// when exactly its correct set is chosen (Engine.Answer compares the
// sets); the ranking is the one of Results. Lines starting "Điều" are
// headings, lines starting "- " or "1. " list items.
const RulesTemplate = `Điều 1. Đơn vị tổ chức
Cuộc thi do [Đơn vị tổ chức] tổ chức. Địa chỉ: [Địa chỉ]. Liên hệ: [Liên hệ].

Điều 2. Đối tượng dự thi
- Công dân Việt Nam và người nước ngoài đang sinh sống, học tập, làm việc tại Việt Nam.
- Người dưới 16 tuổi dự thi khi có sự đồng ý của cha, mẹ hoặc người giám hộ; trẻ em dưới 7 tuổi không đăng ký dự thi.
- Thành viên Ban Tổ chức, Ban Giám khảo, Tổ Thư ký và cán bộ, công chức, viên chức của đơn vị tổ chức trực tiếp tham gia tổ chức cuộc thi không được dự thi.
- Mỗi người đăng ký một tài khoản bằng số điện thoại của mình.

Điều 3. Thời gian và hình thức thi
[Các đợt thi]
- Thi trắc nghiệm trực tuyến tại [Trang cuộc thi], trên điện thoại hoặc máy tính có kết nối Internet.
- Mỗi lượt thi gồm các câu hỏi chọn ngẫu nhiên từ ngân hàng câu hỏi của cuộc thi; thứ tự câu hỏi và phương án được xáo trộn.
- Thời gian làm bài tính từ khi bấm "Vào thi". Hết giờ, bài thi được tự động nộp với các câu đã trả lời.
- Người dự thi được thi nhiều lượt trong giới hạn của từng đợt; lượt có kết quả tốt nhất theo Điều 4 được tính.

Điều 4. Cách chấm điểm và xếp hạng
- Mỗi câu trả lời đúng được tính điểm theo từng đợt thi; câu không trả lời không có điểm.
- Câu hỏi có thể có một hoặc nhiều đáp án đúng. Câu có nhiều đáp án đúng chỉ được tính là trả lời đúng khi chọn đủ tất cả các đáp án đúng và không chọn đáp án sai nào; chọn thiếu hoặc chọn thừa đều không có điểm câu đó.
- Đợt thi có câu hỏi dự đoán thì cuối mỗi lượt thi, người dự thi trả lời câu hỏi dự đoán. Kết quả thực tế được tính khi đợt thi kết thúc.
Người dự thi được xếp hạng theo thứ tự ưu tiên sau:
1. Điểm cao hơn.
2. Dự đoán có sai số nhỏ hơn (sai số là giá trị tuyệt đối của hiệu giữa số dự đoán và kết quả thực tế); cùng điểm, lượt thi có dự đoán xếp trên lượt thi không có dự đoán.
3. Thời gian làm bài ngắn hơn (từ lúc vào thi đến lúc nộp bài, tính đến phần nghìn giây).
4. Vào thi sớm hơn.
Thứ tự trên cũng được dùng để chọn lượt thi tốt nhất trong các lượt thi của mỗi người. Trong khi đợt thi đang mở, bảng xếp hạng trực tiếp chưa xét tiêu chí dự đoán.

Điều 5. Giải thưởng
[Giải thưởng]
- Mỗi người nhận nhiều nhất một giải trong một đợt thi.
- Người dự thi gian lận (dùng nhiều tài khoản, nhờ người khác thi hộ, can thiệp vào hệ thống) bị hủy kết quả.

Điều 6. Công bố kết quả và khiếu nại
- Sau khi mỗi đợt thi kết thúc, Ban Tổ chức chốt kết quả và công bố danh sách đoạt giải (họ tên, đơn vị, giải) tại mục "Kết quả chính thức" của đợt thi trên [Trang cuộc thi].
- Ban Tổ chức liên hệ người đoạt giải qua số điện thoại đã đăng ký để xác minh thông tin và trao giải.
- Khiếu nại về kết quả gửi đến [Đơn vị tổ chức] qua [Liên hệ] trong thời hạn …… ngày kể từ ngày công bố kết quả chính thức của đợt thi. Ban Tổ chức xem xét, trả lời người khiếu nại và công bố điều chỉnh (nếu có).

Điều 7. Dữ liệu cá nhân
Dữ liệu cá nhân của người dự thi được xử lý theo [Thông báo xử lý dữ liệu cá nhân], phù hợp với Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định số 356/2025/NĐ-CP. Trang công khai chỉ hiển thị họ tên và đơn vị của người dự thi.`

// RulesRoundLines writes each round as the rules state it: its dates in
// Vietnam time and its format.
func RulesRoundLines(rounds []Round) []string {
	if len(rounds) == 0 {
		return []string{"Thời gian và hình thức của từng đợt thi sẽ được Ban Tổ chức thông báo trên trang cuộc thi."}
	}
	out := make([]string, 0, len(rounds))
	for _, r := range rounds {
		line := fmt.Sprintf("%s: từ %s đến %s (giờ Việt Nam); mỗi lượt thi %d câu hỏi, làm trong %s, mỗi câu trả lời đúng được %d điểm; ",
			r.Name, rulesTime(r.OpensAt), rulesTime(r.ClosesAt), r.QuestionCount, rulesDuration(r.DurationSeconds),
			max(r.PointsPerQuestion, 1))
		if r.MaxAttempts == 0 {
			line += "không giới hạn số lượt thi"
		} else {
			line += fmt.Sprintf("mỗi người được thi tối đa %d lượt", r.MaxAttempts)
		}
		if r.AsksPrediction() {
			line += fmt.Sprintf("; câu hỏi dự đoán: “%s”", r.PredictionPrompt)
		}
		out = append(out, line+".")
	}
	return out
}

// RulesPrizeLines writes each round's prizes as the rules state them, and
// the contest's one-prize rule.
func RulesPrizeLines(ct Contest) []string {
	if len(ct.Rounds) == 0 {
		return []string{"Cơ cấu giải thưởng sẽ được Ban Tổ chức thông báo trên trang cuộc thi."}
	}
	var out []string
	for _, r := range ct.Rounds {
		if !r.HasPrizes() && len(r.UnitPrizes) == 0 {
			out = append(out, r.Name+": không có giải thưởng.")
			continue
		}
		var parts []string
		if r.HasPrizes() {
			parts = append(parts, "giải cá nhân gồm "+prizeList(r.Prizes))
			if r.PrizeCapPercent > 0 {
				parts = append(parts, fmt.Sprintf("tổng số giải cá nhân không vượt quá %d%% số người dự thi", r.PrizeCapPercent))
			}
		}
		if len(r.UnitPrizes) > 0 {
			parts = append(parts, "giải tập thể gồm "+prizeList(r.UnitPrizes)+", trao cho các đơn vị có nhiều người dự thi nhất")
		}
		out = append(out, r.Name+": "+strings.Join(parts, "; ")+".")
	}
	if ct.OnePrizePerPerson {
		out = append(out, "Mỗi người nhận nhiều nhất một giải cá nhân trong cả cuộc thi; người đoạt giải ở nhiều đợt nhận giải cao nhất.")
	}
	return out
}

func prizeList(prizes []Prize) string {
	parts := make([]string, len(prizes))
	for i, p := range prizes {
		parts[i] = fmt.Sprintf("%d %s", p.Count, p.Name)
	}
	return strings.Join(parts, ", ")
}

// rulesTime writes a time as Vietnamese rules do: "08:00 ngày 01/12/2026".
func rulesTime(t time.Time) string { return t.In(Vietnam).Format("15:04 ngày 02/01/2006") }

// rulesDuration writes a time limit in minutes and seconds.
func rulesDuration(seconds int) string {
	m, s := seconds/60, seconds%60
	switch {
	case m == 0:
		return fmt.Sprintf("%d giây", s)
	case s == 0:
		return fmt.Sprintf("%d phút", m)
	}
	return fmt.Sprintf("%d phút %d giây", m, s)
}
