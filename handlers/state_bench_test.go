package handlers

import (
	"encoding/json"
	"fmt"
	"testing"
)

// benchState is a state message as a contestant of a 20-question round
// gets it on opening their socket: Vietnamese questions of about 150
// characters, four options each, two answers given.
func benchState() stateMsg {
	msg := stateMsg{Type: "state", AttemptID: 1765000000123456, RoundID: 734512098765432, Status: statusInProgress,
		Deadline: "2026-12-07T10:20:00.000Z", ServerTime: "2026-12-07T10:00:00.000Z", GraceMs: 5000,
		Answers: map[int64][]int64{100000000000001: {200000000000001}, 100000000000002: {200000000000005, 200000000000006}}}
	for q := range 20 {
		sq := stateQuestion{ID: 100000000000000 + int64(q), Multiple: q%5 == 0,
			Text: fmt.Sprintf("Câu %d. Theo Luật Giao dịch điện tử năm 2023, người dân thực hiện thủ tục hành chính trên môi trường điện tử có quyền nào sau đây \"đúng\"?", q+1)}
		for o := range 4 {
			sq.Options = append(sq.Options, stateOption{ID: 200000000000000 + int64(4*q+o),
				Text: fmt.Sprintf("Phương án %c: được cơ quan có thẩm quyền tiếp nhận, giải quyết hồ sơ <trực tuyến> & trả kết quả", 'A'+o)})
		}
		msg.Questions = append(msg.Questions, sq)
	}
	return msg
}

func BenchmarkStateMessage(b *testing.B) {
	msg := benchState()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(msg); err != nil {
			b.Fatal(err)
		}
	}
}
