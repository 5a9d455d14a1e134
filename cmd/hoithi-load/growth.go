package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// growthRun is what one run of the round scenario tells of the figures
// that grow with its size.
type growthRun struct {
	contestants        int
	startP50, startP99 float64 // ms
	stateP50, stateP99 float64 // ms
	ackP50, ackP99     float64 // ms
	answers            float64
	startCPU, playCPU  float64 // the server's seconds, while contestants started and while they played
	rssAllOpen         float64 // MB, the moment every socket was open
	contestantKB       float64 // that over the contestants
	failed             int
}

var (
	reHeader  = regexp.MustCompile(`^hoithi-load: (\d+) contestants`)
	reReport  = regexp.MustCompile(`^(\S.*?)\s+(\d+) in\s+([\d.]+) s =\s+(\d+)/s\s+p50\s+([\d.]+) ms\s+p95\s+([\d.]+) ms\s+p99\s+([\d.]+) ms\s+max\s+([\d.]+) ms\s+failed (\d+)`)
	reCPU     = regexp.MustCompile(`^\s+server\s+RSS (\d+) MB.*CPU ([\d.]+) s in`)
	reAllOpen = regexp.MustCompile(`^\s+server, all sockets open\s+RSS (\d+) MB.*; ([\d.]+) KB resident a contestant`)
)

// parseGrowthRun reads one run's output.
func parseGrowthRun(r io.Reader) (growthRun, error) {
	var g growthRun
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	serverLines := 0
	for sc.Scan() {
		line := sc.Text()
		if m := reHeader.FindStringSubmatch(line); m != nil {
			g.contestants, _ = strconv.Atoi(m[1])
		}
		if m := reReport.FindStringSubmatch(line); m != nil {
			f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v }
			failed, _ := strconv.Atoi(m[9])
			g.failed += failed
			switch strings.TrimSpace(m[1]) {
			case "start attempt (all at once)":
				g.startP50, g.startP99 = f(5), f(7)
			case "websocket connect → state":
				g.stateP50, g.stateP99 = f(5), f(7)
			case "answer → ack":
				g.answers, g.ackP50, g.ackP99 = f(2), f(5), f(7)
			}
		}
		if m := reCPU.FindStringSubmatch(line); m != nil {
			cpu, _ := strconv.ParseFloat(m[2], 64)
			serverLines++
			if serverLines == 1 {
				g.startCPU = cpu
			} else {
				g.playCPU = cpu
			}
		}
		if m := reAllOpen.FindStringSubmatch(line); m != nil {
			g.rssAllOpen, _ = strconv.ParseFloat(m[1], 64)
			g.contestantKB, _ = strconv.ParseFloat(m[2], 64)
		}
	}
	if g.contestants == 0 || g.answers == 0 {
		return g, fmt.Errorf("not the output of a finished round run")
	}
	return g, sc.Err()
}

// growth writes the table of the runs in files (under dir) to out and
// their chart to dir/growth.svg.
func growth(dir string, files []string, out io.Writer) error {
	var runs []growthRun
	for _, name := range files {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		g, err := parseGrowthRun(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		runs = append(runs, g)
	}
	fmt.Fprintln(out, "| contestants | start p50 / p99 | socket → state p50 / p99 | answer → ack p50 / p99 | server CPU an answer (play) | server CPU a start | server resident, all sockets open: in all; a contestant | failed |")
	fmt.Fprintln(out, "| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, g := range runs {
		fmt.Fprintf(out, "| %s | %s / %s ms | %s / %s ms | %s / %s ms | %.0f µs | %.0f µs | %.0f MB; %.0f KB | %d |\n",
			thousands(g.contestants), ms(g.startP50), ms(g.startP99), ms(g.stateP50), ms(g.stateP99),
			ms(g.ackP50), ms(g.ackP99), 1e6*g.playCPU/g.answers, 1e6*g.startCPU/float64(g.contestants), g.rssAllOpen, g.contestantKB, g.failed)
	}
	svg, err := os.Create(filepath.Join(dir, "growth.svg"))
	if err != nil {
		return err
	}
	writeGrowthChart(svg, runs)
	return svg.Close()
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func ms(v float64) string {
	if v >= 100 {
		return thousands(int(math.Round(v)))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// series is one line of a chart panel.
type series struct {
	name  string
	color string
	dash  string
	value func(growthRun) float64
}

// writeGrowthChart draws three panels against the number of contestants:
// the p99 latencies, the server's CPU an answer and the memory a socket.
func writeGrowthChart(w io.Writer, runs []growthRun) {
	const panelW, panelH, gap = 300.0, 230.0, 40.0
	panels := []struct {
		title, unit string
		lines       []series
	}{
		{"p99 latency", "ms", []series{
			{"start attempt", "#b2182b", "", func(g growthRun) float64 { return g.startP99 }},
			{"socket → state", "#2166ac", "6 3", func(g growthRun) float64 { return g.stateP99 }},
			{"answer → ack", "#1b7837", "2 2", func(g growthRun) float64 { return g.ackP99 }},
		}},
		{"server CPU per answer", "µs", []series{
			{"while playing", "#762a83", "", func(g growthRun) float64 { return 1e6 * g.playCPU / g.answers }},
		}},
		{"server memory per contestant", "KB", []series{
			{"resident, all sockets open", "#8c510a", "", func(g growthRun) float64 { return g.contestantKB }},
		}},
	}
	width := 3*panelW + 2*gap + 20
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n",
		width, panelH+70, width, panelH+70)
	fmt.Fprintln(w, `<title>hoithi's opening rush by number of contestants: p99 latencies, server CPU per answer, server memory per contestant</title>`)
	fmt.Fprintln(w, `<rect width="100%" height="100%" fill="#fff"/>`)
	maxN := 0
	for _, g := range runs {
		maxN = max(maxN, g.contestants)
	}
	for i, p := range panels {
		x0 := 10 + float64(i)*(panelW+gap) + 45
		y0 := 30.0
		pw, ph := panelW-55, panelH-40
		top := 0.0
		for _, s := range p.lines {
			for _, g := range runs {
				top = math.Max(top, s.value(g))
			}
		}
		top = niceCeil(top)
		fmt.Fprintf(w, `<text x="%.0f" y="18" font-weight="bold">%s (%s)</text>`+"\n", x0, p.title, p.unit)
		for k := 0; k <= 4; k++ {
			y := y0 + ph - ph*float64(k)/4
			fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x0, y, x0+pw, y)
			fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", x0-4, y+4, axisLabel(top*float64(k)/4))
		}
		for _, g := range runs {
			x := x0 + pw*float64(g.contestants)/float64(maxN)
			fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, y0+ph+14, shortCount(g.contestants))
		}
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle">contestants</text>`+"\n", x0+pw/2, y0+ph+28)
		for j, s := range p.lines {
			var pts []string
			for _, g := range runs {
				x := x0 + pw*float64(g.contestants)/float64(maxN)
				y := y0 + ph - ph*s.value(g)/top
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
				fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>`+"\n", x, y, s.color)
			}
			dash := ""
			if s.dash != "" {
				dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
			}
			fmt.Fprintf(w, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), s.color, dash)
			// The legend, one row under the panel.
			ly, lx := y0+ph+44, x0+float64(j)*85
			fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`+"\n", lx, ly-4, lx+14, ly-4, s.color, dash)
			fmt.Fprintf(w, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+18, ly, s.name)
		}
	}
	fmt.Fprintln(w, `</svg>`)
}

// axisLabel writes a tick's value: whole numbers, but for small ones.
func axisLabel(v float64) string {
	if v == math.Trunc(v) {
		return thousands(int(v))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func shortCount(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return thousands(n)
}
