package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// person is a contestant of the screenshots' contest. Names, units and
// numbers are made up; the phone numbers and CCCDs follow the formats
// hoithi checks.
type person struct {
	name, unit, province, commune string
	// warmupRight and demoRight are the questions answered right in the
	// warm-up round and in the demo round; -1: does not take that round.
	warmupRight, demoRight int
	prediction             int
	token                  string
}

// people take part. The first is the citizen whose pages are shown: she
// wins the warm-up round and has an attempt under way in the demo round.
var people = []person{
	{name: "Nguyễn Thị Hoa", unit: "UBND phường Sài Gòn", province: "79", commune: "Phường Sài Gòn", warmupRight: 10, demoRight: 18, prediction: 12},
	{name: "Trần Văn Bình", unit: "Sở Tư pháp", province: "79", commune: "Phường Bến Thành", warmupRight: 10, demoRight: 20, prediction: 9},
	{name: "Lê Thị Minh Châu", unit: "Trường THPT Nguyễn Du", province: "01", commune: "Phường Hoàn Kiếm", warmupRight: 9, demoRight: 17, prediction: 14},
	{name: "Phạm Quốc Dũng", unit: "Công an phường Đông Hòa", province: "79", commune: "Phường Đông Hòa", warmupRight: 9, demoRight: 16, prediction: 11},
	{name: "Hoàng Thị Diệu Linh", unit: "Bưu điện tỉnh Đắk Lắk", province: "66", commune: "Phường Buôn Ma Thuột", warmupRight: 8, demoRight: 19, prediction: 10},
	{name: "Võ Minh Khang", unit: "Đoàn Thanh niên phường Bến Thành", province: "79", commune: "Phường Bến Thành", warmupRight: 8, demoRight: 15, prediction: 13},
	{name: "Đặng Thị Ngọc Lan", unit: "Trung tâm Phục vụ hành chính công tỉnh", province: "01", commune: "Phường Ba Đình", warmupRight: 7, demoRight: 14, prediction: 12},
	{name: "Bùi Văn Nam", unit: "Hội Nông dân phường Mỹ Tho", province: "82", commune: "Phường Mỹ Tho", warmupRight: 7, demoRight: -1, prediction: 8},
	{name: "Đỗ Thị Phương", unit: "UBND phường Sài Gòn", province: "79", commune: "Phường Sài Gòn", warmupRight: 6, demoRight: 13, prediction: 15},
	{name: "Huỳnh Tấn Phát", unit: "Trường Tiểu học Lê Lợi", province: "48", commune: "Phường Hải Châu", warmupRight: 5, demoRight: 12, prediction: 20},
	{name: "Ngô Thị Quỳnh", unit: "Sở Tư pháp", province: "79", commune: "Phường Bến Thành", warmupRight: -1, demoRight: 11, prediction: 7},
	{name: "Dương Văn Sơn", unit: "Ban Chỉ huy Quân sự phường Đông Hòa", province: "79", commune: "Phường Đông Hòa", warmupRight: 4, demoRight: 10, prediction: 12},
}

// scenario is what fill made, for the pages to show.
type scenario struct {
	people                 []person
	demoContestID          int64
	demoSlug               string
	demoRoundID            int64
	warmupRoundID          int64
	liveGameID             int64  // a live quiz in its lobby
	livePIN                string // its PIN
	warmupName             string
	citizen                string // the first person's token
	citizenResultAttempt   int64  // her submitted attempt in the demo round
	citizenRunningAttempt  int64  // and the one under way
	organizer, official    string // tokens
	organizerName, offName string
}

// fill gives the demo contest a warm-up round, lets the people register
// and play both rounds over the API and the attempt websocket, closes the
// warm-up round and has an official lock it.
func fill(ctx context.Context, s *server) (*scenario, error) {
	sc := &scenario{organizerName: "Trần Minh Quân", offName: "Lê Thị Hạnh", warmupName: "Đợt thi khởi động"}
	var err error
	if sc.organizer, err = s.addStaff(ctx, "to-chuc@stp.hoithi.localhost", "organizer", sc.organizerName); err != nil {
		return nil, err
	}
	if sc.official, err = s.addStaff(ctx, "thu-ky@stp.hoithi.localhost", "official", sc.offName); err != nil {
		return nil, err
	}

	var contests struct {
		Contests []struct {
			ID     int64  `json:"id"`
			Slug   string `json:"slug"`
			Rounds []struct {
				ID int64 `json:"id"`
			} `json:"rounds"`
		} `json:"contests"`
	}
	if err := s.call("GET", "/api/v1/contests", "", nil, &contests); err != nil {
		return nil, err
	}
	if len(contests.Contests) != 1 || len(contests.Contests[0].Rounds) != 1 {
		return nil, fmt.Errorf("a new database has %d contests, want the demo contest with one round", len(contests.Contests))
	}
	demo := contests.Contests[0]
	sc.demoContestID, sc.demoSlug, sc.demoRoundID = demo.ID, demo.Slug, demo.Rounds[0].ID

	var banks struct {
		Banks []struct {
			ID int64 `json:"id"`
		} `json:"banks"`
	}
	if err := s.call("GET", "/api/v1/banks", sc.organizer, nil, &banks); err != nil {
		return nil, err
	}
	if len(banks.Banks) == 0 {
		return nil, fmt.Errorf("a new database has no question bank, want the demo bank")
	}
	bankID := banks.Banks[0].ID
	key, err := answerKey(s, sc.organizer, bankID)
	if err != nil {
		return nil, err
	}

	// The warm-up round opens now and runs until the people have played
	// it; then its close moves to the moment just past, as an organizer
	// who ends a round early does.
	now := time.Now().UTC()
	var round struct {
		ID int64 `json:"id"`
	}
	if err := s.call("POST", fmt.Sprintf("/api/v1/contests/%d/rounds", sc.demoContestID), sc.organizer, map[string]any{
		"name": sc.warmupName, "bank_id": bankID,
		"opens_at": now.Add(-time.Minute).Format(time.RFC3339), "closes_at": now.Add(time.Hour).Format(time.RFC3339),
		"duration_seconds": 600, "question_count": 10, "max_attempts": 1,
		"prediction_prompt": "Theo bạn, đợt thi khởi động sẽ có bao nhiêu người tham gia?", "prediction_target": "participants",
		"reveal": "after_close",
		"prizes": []map[string]any{{"name": "Giải Nhất", "count": 1}, {"name": "Giải Nhì", "count": 1}, {"name": "Giải Ba", "count": 2}},
	}, &round); err != nil {
		return nil, fmt.Errorf("create the warm-up round: %w", err)
	}
	sc.warmupRoundID = round.ID

	// Everyone plays at once, each with their own pace, so that working
	// times differ as they do in a real round.
	sc.people = slices.Clone(people)
	errs := make([]error, len(sc.people))
	var wg sync.WaitGroup
	for i := range sc.people {
		wg.Go(func() {
			p := &sc.people[i]
			pace := time.Duration(300+90*i) * time.Millisecond
			if p.token, errs[i] = register(s, i, *p); errs[i] != nil {
				return
			}
			if p.warmupRight >= 0 {
				if _, err := play(ctx, s, p.token, sc.warmupRoundID, key, p.warmupRight, p.prediction, pace); err != nil {
					errs[i] = fmt.Errorf("%s in the warm-up round: %w", p.name, err)
					return
				}
			}
			if p.demoRight >= 0 {
				id, err := play(ctx, s, p.token, sc.demoRoundID, key, p.demoRight, p.prediction, pace)
				if err != nil {
					errs[i] = fmt.Errorf("%s in the demo round: %w", p.name, err)
					return
				}
				if i == 0 {
					sc.citizenResultAttempt = id
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sc.citizen = sc.people[0].token

	var r map[string]any
	path := fmt.Sprintf("/api/v1/rounds/%d", sc.warmupRoundID)
	if err := s.call("GET", path, sc.organizer, nil, &r); err != nil {
		return nil, err
	}
	now = time.Now().UTC()
	r["opens_at"] = now.Add(-2 * time.Hour).Format(time.RFC3339Nano)
	r["closes_at"] = now.Add(-time.Millisecond).Format(time.RFC3339Nano)
	if err := s.call("PUT", path, sc.organizer, r, nil); err != nil {
		return nil, fmt.Errorf("close the warm-up round: %w", err)
	}
	if err := s.call("POST", path+"/lock", sc.official, nil, nil); err != nil {
		return nil, fmt.Errorf("lock the warm-up round: %w", err)
	}
	// A live quiz waiting in its lobby, for the projector and the phone.
	var game struct {
		GameID int64  `json:"game_id"`
		PIN    string `json:"pin"`
	}
	if err := s.call("POST", "/api/v1/live", sc.organizer, map[string]any{"bank_id": bankID,
		"question_count": 10, "seconds_per_question": 20, "streak_bonus": true, "title": "Hội nghị tập huấn cán bộ một cửa"}, &game); err != nil {
		return nil, fmt.Errorf("create a live quiz: %w", err)
	}
	sc.liveGameID, sc.livePIN = game.GameID, game.PIN

	// Who issues the contest's certificates, as officials set it once.
	issuer := map[string]string{"superior": "ỦY BAN NHÂN DÂN TỈNH NINH BÌNH", "agency": "SỞ TƯ PHÁP",
		"sign_title": "GIÁM ĐỐC", "signer": "Trần Văn Minh", "place": "Ninh Bình"}
	if err := s.call("PUT", fmt.Sprintf("/api/v1/contests/%d/certificate", sc.demoContestID), sc.official, issuer, nil); err != nil {
		return nil, fmt.Errorf("set the certificates' issuer: %w", err)
	}

	// The citizen's second attempt at the demo round, left under way for
	// the quiz page.
	var started struct {
		AttemptID int64 `json:"attempt_id"`
	}
	if err := s.call("POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", sc.demoRoundID), sc.citizen, nil, &started); err != nil {
		return nil, fmt.Errorf("start the citizen's second attempt: %w", err)
	}
	sc.citizenRunningAttempt = started.AttemptID
	return sc, nil
}

// register makes the i-th person's account, with consent, as the
// registration form does.
func register(s *server, i int, p person) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	err := s.call("POST", "/api/v1/auth/register", "", map[string]any{
		"full_name": p.name, "birth_date": fmt.Sprintf("%d-%02d-%02d", 1968+i*3, 1+i%12, 3+i*2),
		"id_number": fmt.Sprintf("0791%02d%06d", 68+i*3%30, 104729*(i+1)%1000000),
		"phone":     fmt.Sprintf("09%08d", 12345670+i*1111), "province": p.province, "commune": p.commune,
		"unit": p.unit, "password": staffPassword, "consent": true,
	}, &out)
	if err != nil {
		return "", fmt.Errorf("register %s: %w", p.name, err)
	}
	return out.Token, nil
}

// answerKey returns the correct options of every question of the bank.
func answerKey(s *server, organizer string, bankID int64) (map[int64][]int64, error) {
	var out struct {
		Questions []struct {
			ID      int64 `json:"id"`
			Options []struct {
				ID      int64 `json:"id"`
				Correct bool  `json:"correct"`
			} `json:"options"`
		} `json:"questions"`
	}
	if err := s.call("GET", fmt.Sprintf("/api/v1/banks/%d/questions", bankID), organizer, nil, &out); err != nil {
		return nil, err
	}
	key := map[int64][]int64{}
	for _, q := range out.Questions {
		for _, o := range q.Options {
			if o.Correct {
				key[q.ID] = append(key[q.ID], o.ID)
			}
		}
	}
	return key, nil
}

// play starts an attempt and, over its websocket, answers the first
// `right` questions right and the others wrong, one every pace, then
// submits with the prediction. It returns the attempt's id.
func play(ctx context.Context, s *server, token string, roundID int64, key map[int64][]int64, right, prediction int, pace time.Duration) (int64, error) {
	var started struct {
		AttemptID int64  `json:"attempt_id"`
		WSPath    string `json:"ws_path"`
	}
	if err := s.call("POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", roundID), token, nil, &started); err != nil {
		return 0, err
	}
	path := started.WSPath
	if path == "" {
		path = fmt.Sprintf("/ws/attempts/%d", started.AttemptID)
	}
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := dialer.DialContext(ctx, s.wsURL+path, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		return 0, fmt.Errorf("open the attempt's websocket: %w", err)
	}
	defer conn.Close()
	var state struct {
		Type      string `json:"type"`
		Questions []struct {
			ID      int64 `json:"id"`
			Options []struct {
				ID int64 `json:"id"`
			} `json:"options"`
		} `json:"questions"`
	}
	if err := readJSON(conn, &state); err != nil || state.Type != "state" {
		return 0, fmt.Errorf("read the attempt's state: %v (type %q)", err, state.Type)
	}
	seq := 0
	for i, q := range state.Questions {
		choice := key[q.ID]
		if i >= right {
			for _, o := range q.Options {
				if !slices.Contains(key[q.ID], o.ID) {
					choice = []int64{o.ID}
					break
				}
			}
		}
		select {
		case <-time.After(pace):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		seq++
		if err := conn.WriteJSON(map[string]any{"type": "answer", "seq": seq, "question_id": q.ID, "option_ids": choice}); err != nil {
			return 0, err
		}
		if err := expect(conn, "ack"); err != nil {
			return 0, err
		}
	}
	seq++
	if err := conn.WriteJSON(map[string]any{"type": "submit", "seq": seq, "prediction": prediction}); err != nil {
		return 0, err
	}
	if err := expect(conn, "result"); err != nil {
		return 0, err
	}
	return started.AttemptID, nil
}

func readJSON(conn *websocket.Conn, v any) error {
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err
	}
	_, data, err := conn.ReadMessage()
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// expect reads the next message and checks its type.
func expect(conn *websocket.Conn, kind string) error {
	var m struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := readJSON(conn, &m); err != nil {
		return fmt.Errorf("waiting for %s: %w", kind, err)
	}
	if m.Type != kind {
		return fmt.Errorf("got a %q message (%s %s), want %s", m.Type, m.Code, m.Message, kind)
	}
	return nil
}
