package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store"
)

// get makes a request with a bearer token and returns the answer whole.
func (s *testServer) get(path, token string) (int, http.Header, string) {
	s.t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

// rankedRound is a closed round of three contestants, one of whom made two
// attempts, with two prize tiers, a group prize and a prediction.
func rankedRound(t *testing.T, s *testServer) (roundID int64, admin, official string, players map[string]string) {
	t.Helper()
	admin, official, roundID = prizeRound(s)
	key := s.key(admin)
	players = map[string]string{}
	for _, name := range []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"} {
		players[name], _ = s.person(map[string]any{"full_name": name, "unit": "Xã Đông Hòa"})
	}
	s.play(players["Nguyễn Văn An"], roundID, key, 4, intp(3))
	s.play(players["Trần Thị Bình"], roundID, key, 2, intp(3))
	s.play(players["Trần Thị Bình"], roundID, key, 3, intp(9))
	s.play(players["Lê Văn Cường"], roundID, key, 1, nil)
	s.closeRound(admin, roundID)
	return roundID, admin, official, players
}

func TestRoundRankingsAreComputedOncePerState(t *testing.T) {
	rig := startResultsRig(t, tempDB(t))
	s := rig.testServer
	roundID, admin, official, players := rankedRound(t, s)
	an := players["Nguyễn Văn An"]
	s.setIssuer(official, s.contestOf(admin, roundID), theIssuer)
	base := fmt.Sprintf("/api/v1/rounds/%d", roundID)
	certificate := fmt.Sprintf("/me/rounds/%d/certificate", roundID)
	ranked := func() int64 { return rig.counted.contenders.Load() }
	readLocked := func() int64 { return rig.counted.locked.Load() }

	t.Run("a contestant's own certificate reads their attempts, never the round's ranking", func(t *testing.T) {
		before := ranked()
		for range 10 {
			status, _, body := s.get(certificate, an)
			if status != http.StatusOK || !strings.Contains(body, "Nguyễn Văn An") || !strings.Contains(body, "Đã tham gia") ||
				!strings.Contains(body, "4/4") {
				t.Fatalf("certificate: %d %s", status, body)
			}
		}
		// Bình's best attempt is her second, 3 of 4.
		if status, _, body := s.get(certificate, players["Trần Thị Bình"]); status != http.StatusOK || !strings.Contains(body, "3/4") ||
			strings.Contains(body, "Giải") {
			t.Errorf("Bình's certificate before the lock: %d %s", status, body)
		}
		stranger, _ := s.contestant("Khách")
		if status, _, _ := s.get(certificate, stranger); status != http.StatusNotFound {
			t.Errorf("a certificate for someone who did not take part: %d, want 404", status)
		}
		if n := ranked() - before; n != 0 {
			t.Errorf("the round was ranked %d times for 12 certificates, want 0", n)
		}
	})

	t.Run("officials' lists, files and pages rank the round once for its state", func(t *testing.T) {
		before := ranked()
		for _, path := range []string{base + "/winners", base + "/winners", base + "/winners.csv", base + "/winners.xlsx",
			fmt.Sprintf("/official/rounds/%d", roundID), fmt.Sprintf("/official/rounds/%d/print", roundID),
			fmt.Sprintf("/official/rounds/%d/certificates", roundID)} {
			if status, _, body := s.get(path, official); status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, status, body)
			}
		}
		if n := ranked() - before; n != 1 {
			t.Errorf("the round was ranked %d times for 7 requests, want 1", n)
		}
	})

	t.Run("the statistics are read once for the round's state", func(t *testing.T) {
		before := rig.counted.figures.Load()
		for _, path := range []string{base + "/statistics", base + "/statistics", base + "/statistics/units.csv",
			fmt.Sprintf("/official/rounds/%d/statistics", roundID)} {
			if status, _, body := s.get(path, official); status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, status, body)
			}
		}
		if n := rig.counted.figures.Load() - before; n != 1 {
			t.Errorf("the figures were read %d times for 4 requests, want 1", n)
		}
	})

	t.Run("an edit of the round ranks it again, once", func(t *testing.T) {
		var w winnersAnswer
		s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &w)
		if w.Stats.Prizes != 3 {
			t.Fatalf("%d prizes before the edit, want 3", w.Stats.Prizes)
		}
		var r map[string]any
		s.mustCall(http.StatusOK, "GET", base, admin, nil, &r)
		r["prize_cap_percent"] = 34 // 34 % of 3 contestants: 1 prize
		s.mustCall(http.StatusOK, "PUT", base, admin, r, nil)
		before := ranked()
		for range 3 {
			s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &w)
		}
		if w.Stats.Prizes != 1 {
			t.Errorf("%d prizes after capping them at 34 %%, want 1", w.Stats.Prizes)
		}
		if n := ranked() - before; n != 1 {
			t.Errorf("ranked %d times after the edit, want 1", n)
		}
	})

	s.mustCall(http.StatusOK, "POST", base+"/lock", official, nil, nil)

	t.Run("after the lock, public results and certificates read neither the ranking nor the stored list", func(t *testing.T) {
		beforeRanked, beforeLocked := ranked(), readLocked()
		for range 10 {
			var res struct {
				Contestants int `json:"contestants"`
				Entries     []struct {
					Name  string `json:"name"`
					Prize string `json:"prize"`
				} `json:"entries"`
			}
			s.mustCall(http.StatusOK, "GET", base+"/results", "", nil, &res)
			if res.Contestants != 3 || len(res.Entries) != 1 || res.Entries[0].Name != "Nguyễn Văn An" {
				t.Fatalf("public results %+v", res)
			}
		}
		if status, _, body := s.get(fmt.Sprintf("/rounds/%d/results", roundID), ""); status != http.StatusOK ||
			!strings.Contains(body, "Nguyễn Văn An") {
			t.Errorf("results page: %d", status)
		}
		if status, _, body := s.get(certificate, an); status != http.StatusOK || !strings.Contains(body, "Giải Nhất") {
			t.Errorf("An's certificate after the lock: %d %s", status, body)
		}
		if status, _, body := s.get(certificate, players["Lê Văn Cường"]); status != http.StatusOK ||
			!strings.Contains(body, "Đã tham gia") || !strings.Contains(body, "1/4") {
			t.Errorf("Cường's certificate after the lock: %d %s", status, body)
		}
		if n := ranked() - beforeRanked; n != 0 {
			t.Errorf("ranked %d times, want 0", n)
		}
		if n := readLocked() - beforeLocked; n != 0 {
			t.Errorf("the whole stored list was read %d times, want 0", n)
		}
	})

	t.Run("a purge made through another handle on the same file is seen at the next request", func(t *testing.T) {
		var w winnersAnswer
		s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &w)
		s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &w)
		if w.Entries[0].Phone == "" || w.Entries[0].IDNumber == "" {
			t.Fatalf("the locked list has no personal data to purge: %+v", w.Entries[0])
		}
		before := readLocked()
		command, err := store.Open(s.DBPath, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		report, err := command.Purge(context.Background(), quiz.PurgeReport{Cutoff: now.Add(time.Minute), At: now},
			func(quiz.PurgeReport) quiz.AuditEntry { return quiz.AuditEntry{At: now, Action: quiz.AuditPurge} })
		command.Close()
		if err != nil || report.Results != 3 {
			t.Fatalf("purge: %+v, %v", report, err)
		}
		for range 3 {
			s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &w)
		}
		for _, e := range w.Entries {
			if e.Phone != "" || e.IDNumber != "" || e.BirthDate != "" {
				t.Errorf("after the purge the list still shows %+v", e)
			}
		}
		if n := readLocked() - before; n != 1 {
			t.Errorf("the stored list was read %d times for 3 requests after the purge, want 1", n)
		}
	})

	t.Run("an unlock is seen at the next request", func(t *testing.T) {
		s.mustCall(http.StatusOK, "POST", base+"/unlock", admin, map[string]string{"reason": "thử lại"}, nil)
		var w winnersAnswer
		s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &w)
		if w.Locked {
			t.Error("the list is still locked after the unlock")
		}
		if status, _, body := s.get(certificate, an); status != http.StatusOK || strings.Contains(body, "Giải Nhất") {
			t.Errorf("the certificate still shows the prize after the unlock: %d", status)
		}
	})
}

func TestExportsRunAFewAtATime(t *testing.T) {
	rig := startResultsRig(t, tempDB(t))
	s := rig.testServer
	roundID, _, official, _ := rankedRound(t, s)
	base := fmt.Sprintf("/api/v1/rounds/%d", roundID)
	exports := func() int {
		var out struct {
			Entries []struct {
				Action string `json:"action"`
			} `json:"entries"`
		}
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/audit?round_id=%d&limit=1000", roundID), official, nil, &out)
		n := 0
		for _, e := range out.Entries {
			if e.Action == quiz.AuditExportWinners || e.Action == quiz.AuditViewWinners {
				n++
			}
		}
		return n
	}

	t.Run("the export over the cap waits, then is refused with busy and Retry-After", func(t *testing.T) {
		rig.results.Exports = quiz.NewGate(2, 200*time.Millisecond)
		ctx := context.Background()
		leave1, err1 := rig.results.Exports.Enter(ctx)
		leave2, err2 := rig.results.Exports.Enter(ctx)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		audited := exports()
		for _, path := range []string{base + "/winners", base + "/winners.csv", base + "/winners.xlsx"} {
			status, header, body := s.get(path, official)
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			json.Unmarshal([]byte(body), &e)
			if status != http.StatusServiceUnavailable || e.Error.Code != quiz.CodeBusy ||
				!strings.Contains(e.Error.Message, "Máy chủ đang xuất") || header.Get("Retry-After") != "10" {
				t.Errorf("GET %s with both turns taken: %d, Retry-After %q, %s", path, status, header.Get("Retry-After"), body)
			}
		}
		if n := exports() - audited; n != 0 {
			t.Errorf("%d refused exports were audited as handed out", n)
		}
		leave1()
		if status, _, body := s.get(base+"/winners.csv", official); status != http.StatusOK {
			t.Errorf("an export once a turn is free: %d %s", status, body)
		}
		leave2()
	})

	t.Run("exports over the cap wait their turn and all complete", func(t *testing.T) {
		rig.results.Exports = quiz.NewGate(1, time.Minute)
		var wg sync.WaitGroup
		statuses := make([]int, 6)
		sizes := make([]int, 6)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := http.DefaultClient.Do(func() *http.Request {
					req, _ := http.NewRequest("GET", s.URL+base+[]string{"/winners.xlsx", "/winners.csv", "/winners"}[i%3], nil)
					req.Header.Set("Authorization", "Bearer "+official)
					return req
				}())
				if err != nil {
					return
				}
				defer resp.Body.Close()
				data, _ := io.ReadAll(resp.Body)
				statuses[i], sizes[i] = resp.StatusCode, len(data)
			}()
		}
		wg.Wait()
		for i, status := range statuses {
			if status != http.StatusOK || sizes[i] == 0 {
				t.Errorf("export %d: %d, %d bytes", i, status, sizes[i])
			}
		}
	})

	t.Run("the streamed JSON list is the list", func(t *testing.T) {
		var w winnersAnswer
		s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &w)
		if len(w.Entries) != 3 || w.Entries[0].FullName != "Nguyễn Văn An" || w.Stats.Participants != 3 || w.Stats.Prizes != 3 ||
			len(w.Units) != 1 {
			t.Errorf("got %+v", w)
		}
	})
}
