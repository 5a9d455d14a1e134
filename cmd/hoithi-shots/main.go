// Command hoithi-shots takes the screenshots of hoithi's main pages that
// docs/SCREENSHOTS.md shows, on a phone (390 px wide) and on a desktop
// (1366 px wide):
//
//	go run ./cmd/hoithi-shots -o docs/screenshots
//
// It builds hoithi from the module it is run in, starts it on a database
// in a temporary directory (the demo contest is loaded on first start),
// fills it through the HTTP API and the attempt websocket as people would
// (contestants who register and take rounds, a warm-up round that closes
// and that an official locks), and photographs each page with Debian's
// Chromium, headless. Nothing leaves the machine: hoithi listens on
// 127.0.0.1 and the browser makes no other connection.
//
// Each page gives two files, NAME-390.png and NAME-1366.png. A page taller
// than -max-height CSS pixels is cut there.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hoithi-shots:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	out       string   // the directory the PNG files go to
	chromium  string   // the browser to drive
	hoithi    string   // a hoithi binary; empty: build one from the module
	maxHeight int64    // pages are cut at this height, in CSS pixels
	pages     []string // the pages to take; empty: all
	verbose   bool     // pass on hoithi's own log
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hoithi-shots", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var pages string
	fs.StringVar(&o.out, "o", "docs/screenshots", "the directory to write the PNG files to (created if missing)")
	fs.StringVar(&o.chromium, "chromium", "", "the Chromium to drive (default: chromium on PATH)")
	fs.StringVar(&o.hoithi, "hoithi", "", "a hoithi binary to run (default: build one from the module in the working directory)")
	fs.Int64Var(&o.maxHeight, "max-height", 1800, "cut pages taller than this many CSS pixels")
	fs.StringVar(&pages, "pages", "", "comma-separated page names to take (default: all: "+strings.Join(pageNames(), ",")+")")
	fs.BoolVar(&o.verbose, "v", false, "show hoithi's log")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: go run ./cmd/hoithi-shots [-o DIR] [-pages home,quiz,...]\n\n"+
			"Starts hoithi on a temporary database with the demo contest, fills it with\n"+
			"contestants, attempts and a locked round, and saves screenshots of the main\n"+
			"pages at 390 px and 1366 px as NAME-390.png and NAME-1366.png.\n"+
			"Needs Debian's chromium (apt-get install chromium).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}
	if pages != "" {
		for _, name := range strings.Split(pages, ",") {
			name = strings.TrimSpace(name)
			if !slices.Contains(pageNames(), name) {
				return fmt.Errorf("-pages: no page %q; the pages are %s", name, strings.Join(pageNames(), ", "))
			}
			o.pages = append(o.pages, name)
		}
	}
	if o.maxHeight < 200 {
		return fmt.Errorf("-max-height %d: want at least 200", o.maxHeight)
	}

	// The browser first: without it nothing else is worth starting.
	if o.chromium == "" {
		path, err := exec.LookPath("chromium")
		if err != nil {
			return errors.New("no chromium on PATH: install Debian's chromium package (apt-get install chromium), or give its path with -chromium")
		}
		o.chromium = path
	} else if _, err := os.Stat(o.chromium); err != nil {
		return fmt.Errorf("-chromium: %w", err)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}

	work, err := os.MkdirTemp("", "hoithi-shots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	if o.hoithi == "" {
		fmt.Fprintln(stdout, "building hoithi (the first build compiles SQLite and takes a few minutes)…")
		o.hoithi = filepath.Join(work, "hoithi")
		if err := buildHoithi(ctx, o.hoithi, stderr); err != nil {
			return err
		}
	}
	srv, err := startHoithi(ctx, o.hoithi, work, o.verbose, stderr)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(stdout, "hoithi runs at %s on %s\n", srv.url, srv.dbPath)

	started := time.Now()
	sc, err := fill(ctx, srv)
	if err != nil {
		return fmt.Errorf("fill the database: %w", err)
	}
	fmt.Fprintf(stdout, "filled the database in %s: %d contestants, the demo round open, %q locked\n",
		time.Since(started).Round(time.Millisecond), len(sc.people), sc.warmupName)

	files, err := shoot(ctx, o, srv, sc, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d screenshots to %s\n", len(files), o.out)
	return nil
}
