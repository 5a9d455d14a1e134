// Package data holds what hoithi ships with: the 34 provinces and the demo
// contest with its question bank, embedded in the binary.
package data

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"time"

	"hoithi/quiz"
)

//go:embed provinces.csv
var provincesCSV []byte

//go:embed demo/bank.json
var demoBank []byte

//go:embed demo/contest.json
var demoContest []byte

// Provinces returns Vietnam's 34 provincial-level units in force since
// 1 July 2025, with the statistics office's two-digit codes, in code order.
func Provinces() ([]quiz.Province, error) {
	records, err := csv.NewReader(bytes.NewReader(provincesCSV)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("data: provinces: %w", err)
	}
	if len(records) < 2 || len(records[0]) != 3 || records[0][0] != "code" {
		return nil, fmt.Errorf("data: provinces: unexpected header %v", records[0])
	}
	out := make([]quiz.Province, 0, len(records)-1)
	for _, r := range records[1:] {
		out = append(out, quiz.Province{Code: r[0], Name: r[1], Kind: r[2]})
	}
	return out, nil
}

// DemoBank returns the demo question bank.
func DemoBank() (quiz.BankFile, []quiz.Question, error) {
	return quiz.ParseBankJSON(demoBank)
}

// demoContestFile is the shape of demo/contest.json.
type demoContestFile struct {
	Slug        string `json:"slug"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Rules are the demo's published rules; a controller left empty is
	// the installation's.
	Rules      string `json:"rules"`
	Controller struct {
		Name    string `json:"name"`
		Address string `json:"address"`
		Contact string `json:"contact"`
	} `json:"controller"`
	Round struct {
		Name             string         `json:"name"`
		OpenDays         int            `json:"open_days"`
		DurationSeconds  int            `json:"duration_seconds"`
		QuestionCount    int            `json:"question_count"`
		TopicQuotas      map[string]int `json:"topic_quotas"`
		MaxAttempts      int            `json:"max_attempts"`
		PredictionPrompt string         `json:"prediction_prompt"`
		PredictionTarget string         `json:"prediction_target"`
		Reveal           string         `json:"reveal"`
		Prizes           []struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
		} `json:"prizes"`
	} `json:"round"`
}

// Seeder is what SeedDemo needs: the catalog's operations and a bulk add of
// questions.
type Seeder interface {
	CreateBank(ctx context.Context, name, description string) (quiz.Bank, error)
	CreateContest(ctx context.Context, c quiz.Contest, createdBy int64) (quiz.Contest, error)
	CreateRound(ctx context.Context, contestID int64, r quiz.Round) (quiz.Round, error)
	PublishContest(ctx context.Context, id int64) error
	AddQuestions(ctx context.Context, bankID int64, qs []quiz.Question) ([]int64, error)
	Contest(ctx context.Context, id int64) (quiz.Contest, error)
}

// SeedDemo creates the demo bank and the published demo contest, whose one
// round opens at now and stays open for the days the file gives.
func SeedDemo(ctx context.Context, s Seeder, now time.Time) (quiz.Contest, error) {
	bf, questions, err := DemoBank()
	if err != nil {
		return quiz.Contest{}, err
	}
	var cf demoContestFile
	if err := json.Unmarshal(demoContest, &cf); err != nil {
		return quiz.Contest{}, fmt.Errorf("data: demo contest: %w", err)
	}
	bank, err := s.CreateBank(ctx, bf.Name, bf.Description)
	if err != nil {
		return quiz.Contest{}, fmt.Errorf("data: demo bank: %w", err)
	}
	if _, err := s.AddQuestions(ctx, bank.ID, questions); err != nil {
		return quiz.Contest{}, fmt.Errorf("data: demo questions: %w", err)
	}
	contest, err := s.CreateContest(ctx, quiz.Contest{Slug: cf.Slug, Title: cf.Title, Description: cf.Description,
		Rules: cf.Rules, Controller: quiz.Controller(cf.Controller)}, 0)
	if err != nil {
		return quiz.Contest{}, fmt.Errorf("data: demo contest: %w", err)
	}
	r := cf.Round
	opens := now.UTC().Truncate(time.Minute)
	round := quiz.Round{
		Name: r.Name, BankID: bank.ID, OpensAt: opens, ClosesAt: opens.AddDate(0, 0, r.OpenDays),
		DurationSeconds: r.DurationSeconds, QuestionCount: r.QuestionCount, TopicQuotas: r.TopicQuotas,
		MaxAttempts: r.MaxAttempts, PredictionPrompt: r.PredictionPrompt, PredictionTarget: r.PredictionTarget,
		Reveal: r.Reveal,
	}
	for _, p := range r.Prizes {
		round.Prizes = append(round.Prizes, quiz.Prize{Name: p.Name, Count: p.Count})
	}
	if _, err := s.CreateRound(ctx, contest.ID, round); err != nil {
		return quiz.Contest{}, fmt.Errorf("data: demo round: %w", err)
	}
	if err := s.PublishContest(ctx, contest.ID); err != nil {
		return quiz.Contest{}, fmt.Errorf("data: publish demo: %w", err)
	}
	return s.Contest(ctx, contest.ID)
}
