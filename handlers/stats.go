package handlers

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"hoithi/hub"
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

// liveFigures keeps the rounds' live figures: each computed at most once
// per statsEvery however many organizers ask, kept while someone asked
// within statsKept, and published every statsEvery, encoded once, to the
// round's stats sockets while the hub says any follow it.
type liveFigures struct {
	hub     *hub.Hub
	compute func(ctx context.Context, roundID int64, now time.Time) (statsBody, error)
	now     func() time.Time
	log     *slog.Logger
	took    func(time.Duration) // each reading's time, for the metrics; may be nil

	cached sync.Map // round id → *cachedStats

	mu      sync.Mutex
	pushers map[int64]chan struct{} // by round followed, closed to stop its pusher
}

type cachedStats struct {
	body statsBody
	at   time.Time
}

func newLiveFigures(sockets *hub.Hub, compute func(context.Context, int64, time.Time) (statsBody, error),
	now func() time.Time, log *slog.Logger, took func(time.Duration)) *liveFigures {
	f := &liveFigures{hub: sockets, compute: compute, now: now, log: log, took: took, pushers: map[int64]chan struct{}{}}
	sockets.Watch(topicStats, f.watched)
	return f
}

func statsTopic(roundID int64) hub.Topic { return hub.Topic{Kind: topicStats, ID: roundID} }

// get returns a round's figures, computed at most once per statsEvery.
func (f *liveFigures) get(ctx context.Context, roundID int64) (statsBody, error) {
	now := f.now()
	if v, ok := f.cached.Load(roundID); ok {
		if c := v.(*cachedStats); now.Sub(c.at) < statsEvery {
			return c.body, nil
		}
	}
	body, err := f.compute(ctx, roundID, now)
	if f.took != nil {
		f.took(f.now().Sub(now))
	}
	if err != nil {
		return statsBody{}, err
	}
	f.cached.Store(roundID, &cachedStats{body, now})
	f.dropStale(now)
	return body, nil
}

// dropStale forgets the figures of rounds nobody has asked for within
// statsKept, so that the cache holds the rounds being watched only.
func (f *liveFigures) dropStale(now time.Time) {
	f.cached.Range(func(key, v any) bool {
		if now.Sub(v.(*cachedStats).at) > statsKept {
			f.cached.Delete(key)
		}
		return true
	})
}

// message is a round's figures as the stats socket pushes them.
func (f *liveFigures) message(ctx context.Context, roundID int64) (hub.Message, error) {
	body, err := f.get(ctx, roundID)
	if err != nil {
		return hub.Message{}, err
	}
	body.Type = "stats"
	data, err := json.Marshal(body)
	return hub.Message{Data: data, Latest: "stats"}, err
}

// watched starts a round's pusher when its first stats socket opens and
// stops it when the last closes; the hub calls it.
func (f *liveFigures) watched(t hub.Topic, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if on {
		stop := make(chan struct{})
		f.pushers[t.ID] = stop
		go f.push(t, stop)
		return
	}
	if stop := f.pushers[t.ID]; stop != nil {
		close(stop)
		delete(f.pushers, t.ID)
	}
}

// push publishes the round's figures every statsEvery until stop. Figures
// that cannot be read close the sockets that wait for them.
func (f *liveFigures) push(t hub.Topic, stop <-chan struct{}) {
	tick := time.NewTicker(statsEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-stop:
			return
		}
		m, err := f.message(context.Background(), t.ID)
		if err != nil {
			f.log.Error("stats socket", "round", t.ID, "err", err)
			f.hub.StopTopic(t, websocket.CloseNormalClosure, "")
			continue
		}
		f.hub.Publish(t, m)
	}
}

// computeStats reads a round's figures now, with the contestants online
// counted by the hub.
func (h *Handler) computeStats(ctx context.Context, roundID int64, now time.Time) (statsBody, error) {
	s, err := h.Engine.LiveStats(ctx, h.Stats, roundID, h.sockets.Count(contestantsOf(roundID)))
	if err != nil {
		return statsBody{}, err
	}
	body := statsBody{RoundID: roundID, Connected: s.Connected, Started: s.Started, Submitted: s.Submitted,
		AnswersPerSec: s.AnswersPerSec, Submissions: s.Submissions, BucketStart: apiTime(s.BucketStart),
		BucketSeconds: int64(s.BucketSize / time.Second), At: apiTime(now), Questions: []questionStatsBody{}}
	for _, q := range s.Questions {
		body.Questions = append(body.Questions, questionStatsBody{q.ID, q.Text, q.Answered, q.Correct, q.Share()})
	}
	return body, nil
}

func (h *Handler) showStats(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	body, err := h.figures.get(c.UserContext(), id)
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
	if _, err := h.figures.get(c.UserContext(), id); err != nil {
		return err
	}
	return h.upgrade(c, "stats", func(s *hub.Socket) { h.serveStats(s, id) })
}

// serveStats sends the figures at once, then follows the round's, which
// its pusher publishes.
func (h *Handler) serveStats(s *hub.Socket, roundID int64) {
	m, err := h.figures.message(context.Background(), roundID)
	if err != nil {
		h.Log.Error("stats socket", "round", roundID, "err", err)
		return
	}
	s.Send(m)
	s.Subscribe(statsTopic(roundID))
	s.Receive(nil) // the client sends nothing; this notices a close
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
	body, err := h.figures.get(c.UserContext(), id)
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
