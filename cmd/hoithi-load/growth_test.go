package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sampleRun = `hoithi-load: 2000 contestants on round 1 at http://127.0.0.1:8484, think 1s, 100 leaderboard watchers
register                       2000 in   2.50 s =      800/s   p50   80.00 ms  p95  100.00 ms  p99  120.00 ms  max  130.00 ms  failed 0
start attempt (all at once)    2000 in   0.90 s =     2222/s   p50  557.00 ms  p95  800.00 ms  p99  807.00 ms  max  810.00 ms  failed 0
  server                     RSS 150 MB (peak 150 MB), heap in use 100 MB (next GC at 120 MB), 2100 goroutines, 100 websockets; CPU 0.82 s in 0.90 s (91 % of a core), other processes 0.00 s on its cores
  load tool                  CPU 0.30 s (33 % of a core)
websocket connect → state      2000 in  21.00 s =       95/s   p50  254.00 ms  p95  360.00 ms  p99  367.00 ms  max  370.00 ms  failed 1
answer → ack                  40000 in  21.00 s =     1904/s   p50    1.10 ms  p95   20.00 ms  p99   43.90 ms  max   60.00 ms  failed 0
submit → result                2000 in  21.00 s =       95/s   p50   30.00 ms  p95   50.00 ms  p99   60.00 ms  max   70.00 ms  failed 0
  server, all sockets open   RSS 192 MB (peak 192 MB), heap in use 67 MB (next GC at 105 MB), 5136 goroutines, 2100 websockets; 96.0 KB resident a contestant
  server                     RSS 190 MB (peak 200 MB), heap in use 60 MB (next GC at 90 MB), 1100 goroutines, 100 websockets; CPU 3.48 s in 21.00 s (17 % of a core), other processes 0.00 s on its cores
`

func TestGrowthReadsTheRunsAndDrawsThem(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "2000.txt"), []byte(sampleRun), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := growth(dir, []string{"2000.txt"}, &out); err != nil {
		t.Fatal(err)
	}
	want := "| 2,000 | 557 / 807 ms | 254 / 367 ms | 1.1 / 43.9 ms | 87 µs | 410 µs | 192 MB; 96 KB | 1 |"
	if !strings.Contains(out.String(), want) {
		t.Errorf("table:\n%s\nwant the row %s", out.String(), want)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "growth.svg"))
	if err != nil || !strings.Contains(string(svg), "<polyline") || !strings.HasSuffix(strings.TrimSpace(string(svg)), "</svg>") {
		t.Errorf("chart: %v\n%.200s", err, svg)
	}
	t.Run("an unfinished run is an error", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, "cut.txt"), []byte(sampleRun[:300]), 0o600)
		if err := growth(dir, []string{"cut.txt"}, &out); err == nil {
			t.Error("no error")
		}
	})
}
