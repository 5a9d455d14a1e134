package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"hoithi/messages"
	"hoithi/quiz"
)

// purge removes the personal data of old contests: what the contest rules
// needed it for (verifying winners, awarding prizes) is over.
func purge(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	days := fs.Int("days", 0, "purge contests whose every round closed more than this many days ago, at least 1 (required)")
	dryRun := fs.Bool("dry-run", false, "print what would be purged; change nothing")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: hoithi purge -days N [-dry-run]

Removes the personal data of the contests whose every round closed more than
N days ago. In their locked rankings the date of birth, CCCD number, phone
number and commune are emptied; name, unit, province, ranks and prizes stay,
being the published decision. Contestant accounts that registered more than
N days ago and took part only in such contests are anonymized as if their
owner had deleted them. Consent records are kept as proof of consent.
Writes one "purge" entry to the audit log.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("purge: unexpected argument %q", fs.Arg(0))
	}
	if *days < 1 {
		fs.Usage()
		return errors.New("purge: -days N is required and must be at least 1")
	}
	if err := existingDatabase(cfg); err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	svc, err := openServices(cfg, slog.New(slog.NewTextHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	defer svc.close()
	r, err := quiz.NewPrivacy(svc.db, time.Now).Purge(ctx, *days, *dryRun, "hoithi purge (command line)")
	if err != nil {
		return fmt.Errorf("purge: %s", messages.Explain(err))
	}
	verb := "purged"
	if r.DryRun {
		verb = "would purge"
	}
	fmt.Fprintf(stdout, "%s: contests whose every round closed before %s (%d days ago)\n",
		verb, r.Cutoff.UTC().Format(time.RFC3339), r.Days)
	fmt.Fprintf(stdout, "  contests: %d, rounds: %d\n", r.Contests, r.Rounds)
	fmt.Fprintf(stdout, "  locked result rows cleared of birth date, CCCD, phone and commune: %d\n", r.Results)
	fmt.Fprintf(stdout, "  contestant accounts anonymized: %d\n", r.Accounts)
	if r.DryRun {
		fmt.Fprintln(stdout, "dry run: nothing was changed")
	}
	return nil
}
