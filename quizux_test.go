package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// pageIn asks for a page as a browser set to language code does
// (Accept-Language), signed in with token when given.
func (s *testServer) pageIn(code, method, path, token string, body io.Reader, ctype string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, body)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", code)
	if token != "" {
		req.Header.Set("Cookie", "hoithi_token="+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Origin", s.URL)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// demoBankName returns the name of the demo bank.
func (s *testServer) demoBankName(token string) string {
	s.t.Helper()
	var out struct {
		Banks []struct {
			Name string `json:"name"`
		} `json:"banks"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/banks", token, nil, &out)
	return out.Banks[0].Name
}

// fieldBlock returns the builder form's block of one field, from its
// opening div to the next field's.
func fieldBlock(t *testing.T, page, field string) string {
	t.Helper()
	i := strings.Index(page, fmt.Sprintf(`<label for="%s">`, field))
	if i < 0 {
		t.Fatalf("the page has no field %s", field)
	}
	start := strings.LastIndex(page[:i], `<div class="field`)
	end := strings.Index(page[i:], `<div class="field`)
	if end < 0 {
		end = len(page) - i
	}
	return page[start : i+end]
}

func TestRoundBuilderAsksForTheBankAndNamesIt(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	bank, bankName := s.demoBank(admin), s.demoBankName(admin)
	form := func(path string, values url.Values) (int, string) {
		return s.pageIn("vi", "POST", path, admin, strings.NewReader(values.Encode()), "application/x-www-form-urlencoded")
	}
	var contest struct {
		ID int64 `json:"id"`
	}
	s.mustCall(http.StatusCreated, "POST", "/api/v1/contests", admin, map[string]string{"slug": "tuan-ngan-hang", "title": "Hội thi tuần"}, &contest)
	builder := fmt.Sprintf("/organize/contests/%d", contest.ID)

	t.Run("the new round form starts on a required choose-a-bank placeholder", func(t *testing.T) {
		_, body := s.pageIn("vi", "GET", builder, admin, nil, "")
		sel := regexp.MustCompile(`(?s)<select id="bank_id" name="bank_id" required[^>]*>\s*<option value="" selected>— Chọn ngân hàng câu hỏi —</option>`)
		if !sel.MatchString(body) {
			t.Errorf("the bank list does not start on a selected, empty placeholder:\n%s", fieldBlock(t, body, "bank_id"))
		}
		if strings.Contains(fieldBlock(t, body, "bank_id"), fmt.Sprintf(`value="%d" selected`, bank)) {
			t.Error("the form preselects a bank, want none")
		}
	})

	round := url.Values{"name": {"Tuần 1"}, "opens_at": {"2026-12-07T08:00"}, "closes_at": {"2026-12-13T20:00"},
		"duration_minutes": {"15"}, "question_count": {"5"}, "max_attempts": {"1"}, "reveal": {"after_close"}}

	t.Run("a round without a bank is refused, saying to choose one, and nothing is stored", func(t *testing.T) {
		status, body := form(builder+"/rounds", round)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", status)
		}
		if block := fieldBlock(t, body, "bank_id"); !strings.Contains(block, "Hãy chọn ngân hàng câu hỏi cho đợt thi.") || !strings.Contains(block, `aria-invalid="true"`) {
			t.Errorf("the bank field does not say to choose a bank:\n%s", block)
		}
		var shown struct {
			Rounds []any `json:"rounds"`
		}
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/contests/%d", contest.ID), admin, nil, &shown)
		if len(shown.Rounds) != 0 {
			t.Errorf("the contest has %d rounds after the refusal, want 0", len(shown.Rounds))
		}
	})

	var roundID int64
	t.Run("the rounds table and the preview name the round's bank", func(t *testing.T) {
		with := url.Values{}
		for k, v := range round {
			with[k] = v
		}
		with.Set("bank_id", fmt.Sprint(bank))
		if status, body := form(builder+"/rounds", with); status != http.StatusSeeOther {
			t.Fatalf("create the round: status %d, want 303: %s", status, body)
		}
		_, body := s.pageIn("vi", "GET", builder, admin, nil, "")
		row := regexp.MustCompile(`<td lang="vi">Tuần 1</td>.*?</tr>`).FindString(strings.ReplaceAll(body, "\n", " "))
		if !strings.Contains(row, `<td lang="vi">`+bankName+`</td>`) {
			t.Errorf("the round's row does not name the bank %q: %s", bankName, row)
		}
		if !strings.Contains(body, `<th scope="col">Ngân hàng câu hỏi</th>`) {
			t.Error("the rounds table has no bank column")
		}
		m := regexp.MustCompile(`/organize/rounds/(\d+)/preview`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no preview link")
		}
		fmt.Sscan(m[1], &roundID)
		_, preview := s.pageIn("vi", "GET", fmt.Sprintf("/organize/rounds/%d/preview", roundID), admin, nil, "")
		if want := fmt.Sprintf(`Ngân hàng câu hỏi: <a href="/organize/banks/%d" lang="vi">%s</a>`, bank, bankName); !strings.Contains(preview, want) {
			t.Errorf("the preview does not name the bank: want %q", want)
		}
	})

	t.Run("editing a round shows its own bank chosen", func(t *testing.T) {
		_, body := s.pageIn("vi", "GET", fmt.Sprintf("/organize/rounds/%d/edit", roundID), admin, nil, "")
		block := fieldBlock(t, body, "bank_id")
		if !strings.Contains(block, fmt.Sprintf(`value="%d" selected`, bank)) || strings.Contains(block, `value="" selected`) {
			t.Errorf("the edit form does not show the round's bank chosen:\n%s", block)
		}
	})
}

func TestRoundRangeErrorsSayTheRange(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	bank := s.demoBank(admin)
	var contest struct {
		ID int64 `json:"id"`
	}
	s.mustCall(http.StatusCreated, "POST", "/api/v1/contests", admin, map[string]string{"slug": "tuan-pham-vi", "title": "Hội thi tuần"}, &contest)
	rounds := fmt.Sprintf("/api/v1/contests/%d/rounds", contest.ID)
	base := func(change map[string]any) map[string]any {
		b := map[string]any{"name": "Đợt 1", "bank_id": bank, "opens_at": "2026-12-01T08:00:00+07:00",
			"closes_at": "2026-12-08T08:00:00+07:00", "duration_seconds": 900, "question_count": 20, "max_attempts": 3,
			"reveal": "after_close", "prizes": []map[string]any{{"name": "Giải Nhất", "count": 1}}}
		for k, v := range change {
			b[k] = v
		}
		return b
	}
	// apiError sends a round in language code and returns the field
	// messages of the refusal.
	apiError := func(t *testing.T, code string, body map[string]any) map[string]string {
		t.Helper()
		raw, _ := json.Marshal(body)
		header := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + admin}, "Accept-Language": {code}}
		resp, data := s.in(t).request("POST", rounds, header, string(raw))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422: %s", resp.StatusCode, data)
		}
		var out struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(data), &out); err != nil || out.Error.Code != "validation_failed" {
			t.Fatalf("answer %s, want validation_failed", data)
		}
		return out.Error.Fields
	}
	for _, tt := range []struct {
		name   string
		change map[string]any
		field  string
		vi, en string
	}{
		{"no questions", map[string]any{"question_count": 0}, "question_count", "Từ 1 đến 500 câu.", "From 1 to 500 questions."},
		{"more than 500 questions", map[string]any{"question_count": 501}, "question_count", "Từ 1 đến 500 câu.", "From 1 to 500 questions."},
		{"no time", map[string]any{"duration_seconds": 0}, "duration_seconds", "Từ 1 đến 86.400 giây (24 giờ).", "From 1 to 86,400 seconds (24 hours)."},
		{"more than a day", map[string]any{"duration_seconds": 86401}, "duration_seconds", "Từ 1 đến 86.400 giây (24 giờ).", "From 1 to 86,400 seconds (24 hours)."},
		{"negative attempts", map[string]any{"max_attempts": -1}, "max_attempts", "Từ 0 đến 1.000 lượt (0: không giới hạn).", "From 0 to 1,000 attempts (0: no limit)."},
		{"over 1000 attempts", map[string]any{"max_attempts": 1001}, "max_attempts", "Từ 0 đến 1.000 lượt (0: không giới hạn).", "From 0 to 1,000 attempts (0: no limit)."},
		{"points below 1", map[string]any{"points_per_question": -1}, "points_per_question", "Từ 1 đến 1.000 điểm mỗi câu.", "From 1 to 1,000 points a question."},
		{"a prize cap over 100 %", map[string]any{"prize_cap_percent": 101}, "prize_cap_percent", "Từ 0 đến 100 (phần trăm).", "From 0 to 100 (percent)."},
		{"a prize tier of none", map[string]any{"prizes": []map[string]any{{"name": "Giải Nhất", "count": 0}}}, "prizes", "Tối đa 20 mức giải, mỗi mức từ 1 đến 100.000 giải.", "At most 20 tiers, each of 1 to 100,000 prizes."},
		{"a negative topic quota", map[string]any{"topic_quotas": map[string]int{"Giao dịch điện tử": -1}}, "topic_quotas", "Số câu của mỗi chủ đề phải từ 0 trở lên.", "Each topic's count must be 0 or more."},
	} {
		t.Run("the API names the range for "+tt.name, func(t *testing.T) {
			if got := apiError(t, "vi", base(tt.change))[tt.field]; got != tt.vi {
				t.Errorf("vi %s: %q, want %q", tt.field, got, tt.vi)
			}
			if got := apiError(t, "en", base(tt.change))[tt.field]; got != tt.en {
				t.Errorf("en %s: %q, want %q", tt.field, got, tt.en)
			}
		})
	}

	builder := fmt.Sprintf("/organize/contests/%d", contest.ID)
	form := url.Values{"name": {"Tuần 1"}, "bank_id": {fmt.Sprint(bank)}, "opens_at": {"2026-12-07T08:00"},
		"closes_at": {"2026-12-13T20:00"}, "duration_minutes": {"0"}, "question_count": {"600"}, "max_attempts": {"1"},
		"reveal": {"after_close"}}
	t.Run("the builder names the range next to each field, the time in minutes", func(t *testing.T) {
		status, body := s.pageIn("vi", "POST", builder+"/rounds", admin, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", status)
		}
		if block := fieldBlock(t, body, "duration_minutes"); !strings.Contains(block, `<p class="error">Từ 1 đến 1.440 phút (24 giờ).</p>`) {
			t.Errorf("the time field does not give the range in minutes:\n%s", block)
		}
		if block := fieldBlock(t, body, "question_count"); !strings.Contains(block, `<p class="error">Từ 1 đến 500 câu.</p>`) {
			t.Errorf("the question count field does not give the range:\n%s", block)
		}
		if strings.Contains(body, "Giá trị nằm ngoài phạm vi cho phép.") {
			t.Error("the page still says only that a value is out of range")
		}
	})
}

func TestVietnameseContentIsMarkedInEnglish(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	token, _ := s.contestant("Võ Thị Lan")
	roundID := s.round(admin, map[string]any{"question_count": 3, "prizes": []any{}, "reveal": "after_submit"})
	key := s.key(admin)
	id := s.start(token, roundID)
	ws := s.dial(attemptWS(id), token)
	rightOptions := 0 // a question may have several right options
	for i, q := range ws.state().Questions {
		ws.send(map[string]any{"type": "answer", "seq": i + 1, "question_id": q.ID, "option_ids": key[q.ID]})
		ws.expect("ack")
		rightOptions += len(key[q.ID])
	}
	ws.send(map[string]any{"type": "submit", "seq": 10})
	ws.expect("result")

	t.Run("the home page marks contest titles Vietnamese", func(t *testing.T) {
		_, body := s.pageIn("en", "GET", "/", token, nil, "")
		if !strings.Contains(body, `<html lang="en">`) || !regexp.MustCompile(`<a href="/contests/[^"]+" lang="vi">Cuộc thi`).MatchString(body) {
			t.Error("the English home page does not mark the demo contest's title lang=vi")
		}
	})
	t.Run("the result page marks questions, options and explanations Vietnamese", func(t *testing.T) {
		_, body := s.pageIn("en", "GET", fmt.Sprintf("/attempts/%d", id), token, nil, "")
		for _, want := range []string{`<p class="q-text" lang="vi">`, `<p class="explain" lang="vi">`, `Your choice`} {
			if !strings.Contains(body, want) {
				t.Errorf("the English result page lacks %s", want)
			}
		}
		if n, opts := strings.Count(body, `<p class="q-text" lang="vi">`), strings.Count(body, `<li class="is-correct is-chosen">`); n != 3 || opts != rightOptions {
			t.Errorf("%d questions and %d chosen right options marked, want 3 and %d", n, opts, rightOptions)
		}
		if !regexp.MustCompile(`<li class="is-correct is-chosen">\s*<span lang="vi">`).MatchString(body) {
			t.Error("the options are not marked lang=vi")
		}
	})
	t.Run("the organizer's preview marks questions and options Vietnamese", func(t *testing.T) {
		_, body := s.pageIn("en", "GET", fmt.Sprintf("/organize/rounds/%d/preview", roundID), admin, nil, "")
		if strings.Count(body, `<span class="q-text" lang="vi">`) != 3 {
			t.Error("the English preview does not mark its 3 questions lang=vi")
		}
	})
	t.Run("the quiz page tells the script how long an answer may wait for its ack", func(t *testing.T) {
		other := s.start(token, s.round(admin, map[string]any{"question_count": 3}))
		_, body := s.pageIn("en", "GET", fmt.Sprintf("/attempts/%d", other), token, nil, "")
		if !strings.Contains(body, `data-ack-wait-ms="10000"`) {
			t.Error("the quiz page does not carry the 10 s wait for acks")
		}
		if !strings.Contains(body, `"nav_answered":"Question {n}, answered"`) {
			t.Error("the quiz page's strings lack the navigator's")
		}
	})
}

func TestEnglishCountsAgreeWithTheirNumber(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	one := s.round(admin, map[string]any{"question_count": 1, "duration_seconds": 60, "max_attempts": 1})
	many := s.round(admin, map[string]any{"question_count": 2, "duration_seconds": 120, "max_attempts": 0})
	for _, tt := range []struct {
		round int64
		want  string
	}{
		{one, "1 question, 1 minute, up to 1 attempt"},
		{many, "2 questions, 2 minutes, no limit on attempts"},
	} {
		_, body := s.pageIn("en", "GET", fmt.Sprintf("/organize/rounds/%d/preview", tt.round), admin, nil, "")
		if !strings.Contains(body, "<p>"+tt.want+"</p>") {
			t.Errorf("preview of round %d does not say %q", tt.round, tt.want)
		}
	}
	_, body := s.pageIn("en", "GET", "/organize", admin, nil, "")
	if !strings.Contains(body, "· 1 round</li>") {
		t.Error("the organizer's list does not say 1 round for a contest with one")
	}
	_, body = s.pageIn("vi", "GET", fmt.Sprintf("/organize/rounds/%d/preview", one), admin, nil, "")
	if !strings.Contains(body, "<p>1 câu hỏi, 1 phút, tối đa 1 lượt thi</p>") {
		t.Error("the Vietnamese preview changed its count")
	}
}
