package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"hoithi/quiz"
)

// The organizer's live view of a round: who is connected, attempts started
// and submitted, answers per second, each question's share of right
// answers, and submissions over time. The same figures come as JSON and,
// every statsEvery, over a websocket.

const (
	statsEvery = 2 * time.Second
	statsKept  = time.Minute
)

type questionStatsBody struct {
	ID       int64   `json:"id"`
	Text     string  `json:"text"`
	Answered int     `json:"answered"`
	Correct  int     `json:"correct"`
	Share    float64 `json:"share"`
}

type statsBody struct {
	Type          string              `json:"type,omitempty"`
	RoundID       int64               `json:"round_id"`
	Connected     int                 `json:"connected"`
	Started       int                 `json:"started"`
	Submitted     int                 `json:"submitted"`
	AnswersPerSec float64             `json:"answers_per_second"`
	Questions     []questionStatsBody `json:"questions"`
	Submissions   []int               `json:"submissions"`
	BucketStart   string              `json:"bucket_start"`
	BucketSeconds int64               `json:"bucket_seconds"`
	At            string              `json:"at"`
}

type cachedStats struct {
	body statsBody
	at   time.Time
}

// connected counts attempt sockets by round.
func (h *Handler) connected(roundID int64, delta int) {
	h.sockMu.Lock()
	defer h.sockMu.Unlock()
	h.online[roundID] += delta
	if h.online[roundID] <= 0 {
		delete(h.online, roundID)
	}
}

// roundStats returns a round's figures, computed at most once per
// statsEvery however many organizers watch.
func (h *Handler) roundStats(ctx context.Context, roundID int64) (statsBody, error) {
	now := h.Now()
	if v, ok := h.stats.Load(roundID); ok {
		if c := v.(*cachedStats); now.Sub(c.at) < statsEvery {
			return c.body, nil
		}
	}
	h.sockMu.Lock()
	online := h.online[roundID]
	h.sockMu.Unlock()
	s, err := h.Engine.LiveStats(ctx, h.Stats, roundID, online)
	if err != nil {
		return statsBody{}, err
	}
	body := statsBody{RoundID: roundID, Connected: s.Connected, Started: s.Started, Submitted: s.Submitted,
		AnswersPerSec: s.AnswersPerSec, Submissions: s.Submissions, BucketStart: apiTime(s.BucketStart),
		BucketSeconds: int64(s.BucketSize / time.Second), At: apiTime(now), Questions: []questionStatsBody{}}
	for _, q := range s.Questions {
		body.Questions = append(body.Questions, questionStatsBody{q.ID, q.Text, q.Answered, q.Correct, q.Share()})
	}
	h.stats.Store(roundID, &cachedStats{body, now})
	h.dropStaleStats(now)
	return body, nil
}

// dropStaleStats forgets the figures of rounds nobody has watched for
// statsKept, so that the cache holds the rounds being watched only.
func (h *Handler) dropStaleStats(now time.Time) {
	h.stats.Range(func(key, v any) bool {
		if now.Sub(v.(*cachedStats).at) > statsKept {
			h.stats.Delete(key)
		}
		return true
	})
}

func (h *Handler) showStats(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	body, err := h.roundStats(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(body)
}

// statsSocket pushes the round's figures every statsEvery to an organizer.
func (h *Handler) statsSocket(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if p == nil {
		return quiz.Errorf(quiz.CodeUnauthorized, "sign in first")
	}
	if !p.Role.Can(quiz.RoleOrganizer) {
		return quiz.Errorf(quiz.CodeForbidden, "the live view is for organizers")
	}
	if _, err := h.roundStats(c.UserContext(), id); err != nil {
		return err
	}
	return h.upgrade(c, func(ws *websocket.Conn) { h.serveStats(ws, id) })
}

func (h *Handler) serveStats(ws *websocket.Conn, roundID int64) {
	s, ok := h.open(ws, "stats")
	if !ok {
		return
	}
	defer h.closeSocket(s)
	readerDone := s.drain() // the client sends nothing; this notices a close
	tick := time.NewTicker(statsEvery)
	defer tick.Stop()
	for {
		body, err := h.roundStats(context.Background(), roundID)
		if err != nil {
			h.Log.Error("stats socket", "round", roundID, "err", err)
			return
		}
		body.Type = "stats"
		if err := s.send(body); err != nil {
			return
		}
		select {
		case <-tick.C:
		case <-readerDone:
			return
		}
	}
}

// statsPage is the organizer's live view; stats.js keeps it current.
func (h *Handler) statsPage(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := h.Catalog.Round(c.UserContext(), id)
	if err != nil {
		return err
	}
	body, err := h.roundStats(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, "stats", r.Name, fiber.Map{
		"Round": r, "Status": r.Status(h.Now()), "Stats": body, "Strings": h.lang(c).Prefix("js."),
	})
}

// previewPage shows a round as a contestant would see it: a fresh draw of
// its questions, with the correct options marked for the organizer.
func (h *Handler) previewPage(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, qs, err := h.Engine.Preview(c.UserContext(), id)
	if err != nil {
		return err
	}
	bank, err := h.Catalog.Bank(c.UserContext(), r.BankID)
	if err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, "preview", r.Name, fiber.Map{"Round": r, "Questions": qs, "Bank": bank})
}
