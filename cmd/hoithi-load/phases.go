package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// phases tells, after each phase of a round's run, what the server and
// the load tool spent on it: CPU (from /proc, with -server-pid), the
// server's memory, goroutines and websockets (from /metrics).
type phases struct {
	out        io.Writer
	srv        *serverWatch
	at         time.Time
	before     serverFigures
	loadBefore float64
}

func newPhases(c *client, serverPID int, out io.Writer) *phases {
	p := &phases{out: out, srv: &serverWatch{c: c, pid: serverPID}}
	p.mark()
	return p
}

// mark begins a phase.
func (p *phases) mark() {
	p.at, p.before, p.loadBefore = time.Now(), p.srv.read(), procCPU(os.Getpid())
}

// report tells the phase's costs and begins the next.
func (p *phases) report() {
	after, load := p.srv.read(), procCPU(os.Getpid())
	took := time.Since(p.at)
	fmt.Fprintf(p.out, "  %-26s %s; CPU %s\n", "server", after, after.cpuSince(p.before, took))
	fmt.Fprintf(p.out, "  %-26s CPU %.2f s (%.0f %% of a core)\n", "load tool", load-p.loadBefore, 100*(load-p.loadBefore)/took.Seconds())
	p.mark()
}

// collect has the server run a garbage collection (its heap profile asks
// for one) when it serves profiles and the tool has the metrics token.
func (c *client) collect() {
	token := os.Getenv("HOITHI_METRICS_TOKEN")
	if token == "" {
		return
	}
	req, err := http.NewRequest("GET", c.base+"/debug/pprof/heap?gc=1", nil)
	if err != nil {
		return
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := c.http.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// profileServer fetches into file the server's CPU profile over the given
// seconds, beginning once after has passed; the server needs profiling on
// and the load tool its metrics token ($HOITHI_METRICS_TOKEN). Wait for
// the returned channel.
func (c *client) profileServer(file string, after time.Duration, seconds int) <-chan error {
	done := make(chan error, 1)
	go func() {
		time.Sleep(after)
		done <- func() error {
			req, err := http.NewRequest("GET", fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", c.base, seconds), nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+os.Getenv("HOITHI_METRICS_TOKEN"))
			resp, err := (&http.Client{Timeout: time.Duration(seconds+30) * time.Second}).Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("server profile: %s (profiling on, with HOITHI_PPROF=1 and the metrics token?)", resp.Status)
			}
			f, err := os.Create(file)
			if err != nil {
				return err
			}
			if _, err := io.Copy(f, resp.Body); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		}()
	}()
	return done
}
