package quiz_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"hoithi/quiz"
)

func TestStreamedWinnersJSONIsTheEncodedList(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)
	actual, pred, perr := 12, 10, 2
	province := func(code string) string { return map[string]string{"01": "Hà Nội"}[code] }
	lists := map[string]quiz.WinnerList{
		"an empty list": {Round: quiz.Round{ID: 3, Name: "Tuần 1", ContestTitle: "Hội thi"}},
		"a locked list with flags, predictions, units and text that JSON escapes": {
			Round:  quiz.Round{ID: 7, Name: "Tuần <2>", ContestTitle: `Hội thi "TTHC" & chuyển đổi số`},
			Locked: true, LockedAt: &at, LockedBy: "Cán bộ <can-bo@so.gov.vn>", Actual: &actual,
			Stats: quiz.RoundStats{Participants: 3, Attempts: 4, PerfectScorers: 1},
			Entries: []quiz.Winner{
				{Rank: 1, PrizeTier: 1, Prize: "Giải Nhất", UserID: 5, AttemptID: 9, FullName: "Nguyễn Văn An",
					BirthDate: "1990-05-06", IDNumber: "001090012345", Phone: "0912345678", Unit: "Xã Đông Hòa",
					Province: "01", Commune: "Phường Ba Đình", Score: 20, Correct: 20, Total: 20, Prediction: &pred,
					PredictionError: &perr, DurationMs: 61000, StartedAt: at, SubmittedAt: at.Add(time.Minute),
					Flags: []string{quiz.FlagTie, quiz.FlagSharedPhone}, Note: "đã đạt Giải Nhì ở Tuần 1"},
				{Rank: 1, UserID: 6, AttemptID: 10, FullName: `=HYPERLINK("x")`, StartedAt: at, SubmittedAt: at},
				{Rank: 3, UserID: 7, AttemptID: 11, FullName: "Lê\u2028Văn", Province: "99", StartedAt: at, SubmittedAt: at},
			},
			Units: []quiz.UnitStanding{{Unit: "Xã Đông Hòa", Participants: 2, Members: 40, Rank: 1, ShareRank: 1,
				Prize: "Giải tập thể"}, {Unit: "Xã B", Participants: 1, Rank: 2}},
		},
	}
	for name, l := range lists {
		t.Run(name, func(t *testing.T) {
			x := quiz.WinnersJSON{ProvinceName: province}
			want, err := json.Marshal(x.Document(l))
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := x.Write(&got, l); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("streamed\n%s\nwant\n%s", got.Bytes(), want)
			}
		})
	}
}
