package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"hoithi/messages"
	"hoithi/quiz"
)

// exportWinners writes a round's winners list to a file, for scheduled
// jobs: the same list as GET /api/v1/rounds/{id}/winners and its .xlsx and
// .csv, and an audit entry saying the command line wrote it.
func exportWinners(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	round := fs.Int64("round", 0, "the round's id (required)")
	format := fs.String("format", "", "xlsx, csv or json (default: from the extension of -o)")
	out := fs.String("o", "", "the file to write (required); - writes to standard output")
	sep := fs.String("sep", "comma", "csv: comma, or semicolon for Excel under Vietnamese regional settings")
	header := fs.String("header", "keys", "csv: keys (the API's names and values, for programs) or labels (Vietnamese column names, for people)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: hoithi export -round ID -format xlsx|csv|json -o FILE\n\n"+
			"Writes a closed round's winners list: the stored list once the round is locked, else the\n"+
			"provisional one. Each export is written to the audit log.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *round <= 0 || *out == "" {
		fs.Usage()
		return errors.New("export: -round ID and -o FILE are required")
	}
	if *format == "" {
		*format = map[string]string{".xlsx": "xlsx", ".csv": "csv", ".json": "json"}[filepath.Ext(*out)]
	}
	if *format != "xlsx" && *format != "csv" && *format != "json" {
		return fmt.Errorf("export: -format must be xlsx, csv or json, not %q", *format)
	}
	comma := ','
	switch *sep {
	case "comma":
	case "semicolon":
		comma = ';'
	default:
		return fmt.Errorf("export: -sep must be comma or semicolon, not %q", *sep)
	}
	if *header != "labels" && *header != "keys" {
		return fmt.Errorf("export: -header must be labels or keys, not %q", *header)
	}
	if err := existingDatabase(cfg); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	svc, err := openServices(cfg, slog.New(slog.NewTextHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	defer svc.close()

	l, err := svc.results.Winners(ctx, *round)
	if err != nil {
		return fmt.Errorf("export: %s", messages.Explain(err))
	}
	write := func(w io.Writer) error {
		switch *format {
		case "xlsx":
			return quiz.WinnersXLSX{ProvinceName: svc.accounts.ProvinceName, Made: time.Now()}.Write(w, l)
		case "csv":
			return quiz.WinnersCSV{Sep: comma, Keys: *header == "keys", ProvinceName: svc.accounts.ProvinceName}.Write(w, l)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(quiz.WinnersJSON{ProvinceName: svc.accounts.ProvinceName}.Document(l))
	}
	// The audit entry comes first: personal data never leaves unrecorded,
	// even when the file is then not written.
	host, _ := os.Hostname()
	if err := svc.db.Audit(ctx, quiz.AuditEntry{At: time.Now(), Actor: "hoithi export (command line)",
		Action: quiz.AuditExportWinners, RoundID: *round, Detail: *format + " " + *out, IP: host}); err != nil {
		return fmt.Errorf("export: audit log: %w; nothing written", err)
	}
	if *out == "-" {
		err = write(stdout)
	} else {
		err = writeFileAtomic(*out, write)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	state := "provisional"
	if l.Locked {
		state = "locked"
	}
	if *out != "-" {
		fmt.Fprintf(stdout, "round %d (%s): %d contestants, %d prizes, written to %s\n",
			*round, state, len(l.Entries), len(l.Winners()), *out)
	}
	return nil
}

// writeFileAtomic writes a file through a temporary one beside it, so that
// a scheduled job never leaves half a report where the real one goes. The
// file is the owner's alone (0600): it holds personal data.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hoithi-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
