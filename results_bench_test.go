package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkRound100k measures, through the real handlers on a real SQLite
// file, what contestants, the public and officials ask of a closed round
// of 100,000 contestants (120,000 attempts, every one with its 20 answers;
// HOITHI_BENCH_CONTESTANTS changes the size):
//
//	go test . -run '^$' -bench Round100k -benchtime 2000x
//
// Each sub-benchmark reports the latency of one request after the first
// (p50, p99 and the slowest, in ms). The first requests, the lock, and the
// memory under 8 parallel certificate requests and 8 parallel exports are
// written to the log, as they happen once.
func BenchmarkRound100k(b *testing.B) {
	n := 100_000
	if v := os.Getenv("HOITHI_BENCH_CONTESTANTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("HOITHI_BENCH_CONTESTANTS=%q: want a number of at least 100", v)
		}
	}
	path := tempDB(b)
	rig := startResultsRig(b, path)
	start := time.Now()
	round := seedBigRound(b, rig.db, path, n)
	b.Logf("seeded %d contestants in %s", n, time.Since(start).Round(time.Millisecond))
	c := benchClient{b: b, url: rig.URL, client: rig.client}

	var contestants []string
	for i := range 8 {
		contestants = append(contestants, c.login(fmt.Sprintf("09%08d", i), bigRoundPassword))
	}
	official := c.login(testAdminEmail, testAdminPassword)
	id := round.RoundID
	certificate := fmt.Sprintf("/me/rounds/%d/certificate", id)
	api := fmt.Sprintf("/api/v1/rounds/%d", id)
	// Certificates print once officials have set who issues them.
	var of struct {
		ContestID int64 `json:"contest_id"`
	}
	if err := json.Unmarshal(c.call(b, "GET", api, official, http.StatusOK), &of); err != nil {
		b.Fatal(err)
	}
	issuer, _ := json.Marshal(theIssuer)
	if _, err := c.do("PUT", fmt.Sprintf("/api/v1/contests/%d/certificate", of.ContestID), official, bytes.NewReader(issuer), http.StatusOK); err != nil {
		b.Fatal(err)
	}

	// Before anything is kept: eight contestants ask for their certificate
	// at once.
	c.parallel("8 parallel certificates, nothing kept yet", 8, func(i int) (string, string) {
		return certificate, contestants[i]
	})
	c.first("first certificate", certificate, contestants[0])
	c.first("first leaderboard with the contestant's line", api+"/leaderboard?limit=10", contestants[0])
	c.first("first statistics", api+"/statistics", official)
	c.first("first winners list (JSON)", api+"/winners", official)

	b.Run("certificate", func(b *testing.B) {
		c.measure(b, func(i int) (string, string) { return certificate, contestants[i%8] })
	})
	b.Run("leaderboard-me", func(b *testing.B) {
		c.measure(b, func(i int) (string, string) { return api + "/leaderboard?limit=10", contestants[i%8] })
	})
	b.Run("attempt", func(b *testing.B) {
		c.measure(b, func(i int) (string, string) {
			return fmt.Sprintf("/api/v1/attempts/%d", round.AttemptOf[i%8]), contestants[i%8]
		})
	})
	b.Run("statistics", func(b *testing.B) {
		c.measure(b, func(int) (string, string) { return api + "/statistics", official })
	})
	b.Run("statistics-page", func(b *testing.B) {
		c.measure(b, func(int) (string, string) { return fmt.Sprintf("/official/rounds/%d/statistics", id), official })
	})
	b.Run("statistics-csv", func(b *testing.B) {
		c.measure(b, func(int) (string, string) { return api + "/statistics/units.csv", official })
	})
	b.Run("contests-during-8-certificate-loops", func(b *testing.B) {
		stop := c.hammer(b, 8, func(i int) (string, string) { return certificate, contestants[i] })
		defer stop()
		c.measure(b, func(int) (string, string) { return "/api/v1/contests", "" })
	})

	start = time.Now()
	c.call(b, "POST", api+"/lock", official, http.StatusOK)
	b.Logf("lock: %s", time.Since(start).Round(time.Millisecond))
	c.first("first certificate after the lock", certificate, contestants[0])
	c.first("first public results after the lock", api+"/results", "")
	c.first("first winners list (JSON) after the lock", api+"/winners", official)

	b.Run("locked/certificate", func(b *testing.B) {
		c.measure(b, func(i int) (string, string) { return certificate, contestants[i%8] })
	})
	b.Run("locked/results", func(b *testing.B) {
		c.measure(b, func(int) (string, string) { return api + "/results", "" })
	})
	b.Run("locked/results-page", func(b *testing.B) {
		c.measure(b, func(int) (string, string) { return fmt.Sprintf("/rounds/%d/results", id), "" })
	})
	b.Run("locked/contests-during-8-certificate-loops", func(b *testing.B) {
		stop := c.hammer(b, 8, func(i int) (string, string) { return certificate, contestants[i] })
		defer stop()
		c.measure(b, func(int) (string, string) { return "/api/v1/contests", "" })
	})

	c.parallel("8 parallel .xlsx exports", 8, func(int) (string, string) { return api + "/winners.xlsx", official })
	c.parallel("8 parallel JSON exports", 8, func(int) (string, string) { return api + "/winners", official })
}

// benchClient makes the benchmark's requests.
type benchClient struct {
	b      *testing.B
	url    string
	client *http.Client
}

// do makes a request and reads the whole answer; an error unless want.
func (c benchClient) do(method, path, token string, body io.Reader, want int) ([]byte, error) {
	var buf bytes.Buffer
	err := c.send(method, path, token, body, want, &buf)
	return buf.Bytes(), err
}

// send makes a request and copies the answer to out, so that a large
// file need not be held by the client in the server's process.
func (c benchClient) send(method, path, token string, body io.Reader, want int, out io.Writer) error {
	req, err := http.NewRequest(method, c.url+path, body)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// call is do for the benchmark's own goroutine: it fails b on an error.
func (c benchClient) call(b *testing.B, method, path, token string, want int) []byte {
	data, err := c.do(method, path, token, nil, want)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func (c benchClient) login(login, password string) string {
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	data, err := c.do("POST", "/api/v1/auth/login", "", bytes.NewReader(body), http.StatusOK)
	if err != nil {
		c.b.Fatal(err)
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		c.b.Fatal(err)
	}
	return out.Token
}

// first makes a request once and logs how long it took.
func (c benchClient) first(what, path, token string) {
	start := time.Now()
	data := c.call(c.b, "GET", path, token, http.StatusOK)
	c.b.Logf("%s: %s (%d bytes)", what, time.Since(start).Round(time.Microsecond), len(data))
}

// measure makes b.N requests one after another and reports their
// latencies.
func (c benchClient) measure(b *testing.B, request func(i int) (path, token string)) {
	took := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		path, token := request(i)
		start := time.Now()
		c.call(b, "GET", path, token, http.StatusOK)
		took[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
	b.ReportMetric(ms(took[len(took)*99/100]), "p99-ms")
	b.ReportMetric(ms(took[len(took)-1]), "max-ms")
}

// hammer makes requests from workers goroutines until stopped, which
// fails b if any failed, and logs how many were made.
func (c benchClient) hammer(b *testing.B, workers int, request func(worker int) (path, token string)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, workers)
	counts := make([]int, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for errs[w] == nil {
				select {
				case <-done:
					return
				default:
				}
				path, token := request(w)
				_, errs[w] = c.do("GET", path, token, nil, http.StatusOK)
				counts[w]++
			}
		}()
	}
	start := time.Now()
	return func() {
		close(done)
		wg.Wait()
		total := 0
		for w := range workers {
			if errs[w] != nil {
				b.Fatal(errs[w])
			}
			total += counts[w]
		}
		b.Logf("meanwhile %d workers made %d requests in %s", workers, total, time.Since(start).Round(time.Millisecond))
	}
}

// parallel makes requests at once and logs how long they took together
// and the memory the process reached meanwhile: the peak of the live heap
// and of the resident set, against what they were before. The answers are
// read and dropped as they arrive, as a client in another process would.
func (c benchClient) parallel(what string, requests int, request func(i int) (path, token string)) {
	runtime.GC()
	heapBefore, rssBefore := liveHeap(), residentSet()
	stop := peakMemory()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, requests)
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, token := request(i)
			errs[i] = c.send("GET", path, token, nil, http.StatusOK, io.Discard)
		}()
	}
	wg.Wait()
	took := time.Since(start)
	heapPeak, rssPeak := stop()
	busy := 0
	for _, err := range errs {
		switch {
		case err == nil:
		case strings.Contains(err.Error(), `"busy"`):
			busy++ // no export turn within the wait: a designed answer
		default:
			c.b.Fatal(err)
		}
	}
	c.b.Logf("%s: %s, %d answered, %d busy; live heap %.0f MB before, peak %.0f MB; resident %.0f MB before, peak %.0f MB",
		what, took.Round(time.Millisecond), requests-busy, busy, mb(heapBefore), mb(heapPeak), mb(rssBefore), mb(rssPeak))
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }

// liveHeap is the heap's live objects, in bytes.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// residentSet is the process's resident memory (VmRSS), in bytes.
func residentSet() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// peakMemory samples the live heap and the resident set until stopped.
func peakMemory() (stop func() (heap, rss uint64)) {
	var heap, rss uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			heap, rss = max(heap, liveHeap()), max(rss, residentSet())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		return heap, rss
	}
}
