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
//
// Reading them costs the round's size: every attempt's questions and
// answers (about 0.3–0.5 s for 10,000 attempts of 20 answers on one core).
// A round's figures are read again no sooner than statsShare times as long
// as their last reading took, so that an organizer who keeps the page open
// through a large round's rush, or for a week, costs the server at most
// about a tenth of one core.

const (
	statsEvery = 2 * time.Second
	statsKept  = time.Minute
	statsShare = 10
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

	at time.Time // At, for the page
}

// liveFigures keeps the rounds' live figures: each read by one caller at a
// time, at most once per statsEvery (or statsShare times its last reading)
// however many organizers ask, kept while someone asked within statsKept,
// and published when new, encoded once, to the round's stats sockets while
// the hub says any follow it.
type liveFigures struct {
	hub     *hub.Hub
	compute func(ctx context.Context, roundID int64, now time.Time) (statsBody, error)
	now     func() time.Time
	log     *slog.Logger
	took    func(time.Duration)              // each reading's time, for the metrics; may be nil
	publish func(hub.Topic, hub.Message) int // the hub's Publish

	mu      sync.Mutex
	rounds  map[int64]*roundFigures
	pushers map[int64]chan struct{} // by round followed, closed to stop its pusher
}

// roundFigures is one round's last figures.
type roundFigures struct {
	asked time.Time // the last time anyone asked; under liveFigures.mu

	mu   sync.Mutex // held while the figures are read
	body statsBody
	next time.Time // the figures are not read again before this; zero until body holds figures
}

func newLiveFigures(sockets *hub.Hub, compute func(context.Context, int64, time.Time) (statsBody, error),
	now func() time.Time, log *slog.Logger, took func(time.Duration)) *liveFigures {
	f := &liveFigures{hub: sockets, compute: compute, now: now, log: log, took: took, publish: sockets.Publish,
		rounds: map[int64]*roundFigures{}, pushers: map[int64]chan struct{}{}}
	sockets.Watch(topicStats, f.watched)
	return f
}

func statsTopic(roundID int64) hub.Topic { return hub.Topic{Kind: topicStats, ID: roundID} }

// get returns a round's figures, read again only when the last are due:
// statsEvery after their reading began, or statsShare times as long as it
// took. Callers who ask while they are read wait for that reading.
func (f *liveFigures) get(ctx context.Context, roundID int64) (statsBody, error) {
	now := f.now()
	f.mu.Lock()
	r := f.rounds[roundID]
	if r == nil {
		r = &roundFigures{}
		f.rounds[roundID] = r
	}
	r.asked = now
	f.dropStale(now)
	f.mu.Unlock()

	r.mu.Lock()
	defer r.mu.Unlock()
	if now = f.now(); now.Before(r.next) {
		return r.body, nil
	}
	body, err := f.compute(ctx, roundID, now)
	took := f.now().Sub(now)
	if f.took != nil {
		f.took(took)
	}
	if err != nil {
		return statsBody{}, err
	}
	r.body, r.next = body, now.Add(max(statsEvery, statsShare*took))
	return body, nil
}

// dropStale forgets the figures of rounds nobody has asked for within
// statsKept, so that only the rounds being watched are kept; f.mu is held.
func (f *liveFigures) dropStale(now time.Time) {
	for id, r := range f.rounds {
		if now.Sub(r.asked) > statsKept {
			delete(f.rounds, id)
		}
	}
}

// message is a round's figures as the stats socket pushes them, and when
// they were read.
func (f *liveFigures) message(ctx context.Context, roundID int64) (hub.Message, string, error) {
	body, err := f.get(ctx, roundID)
	if err != nil {
		return hub.Message{}, "", err
	}
	body.Type = "stats"
	data, err := json.Marshal(body)
	return hub.Message{Data: data, Latest: "stats"}, body.At, err
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

// push publishes the round's figures, when they are new, every statsEvery
// until stop.
func (f *liveFigures) push(t hub.Topic, stop <-chan struct{}) {
	tick := time.NewTicker(statsEvery)
	defer tick.Stop()
	p := pusher{figures: f, topic: t}
	for {
		select {
		case <-tick.C:
			p.tick()
		case <-stop:
			return
		}
	}
}

// pusher publishes one round's figures to its stats sockets.
type pusher struct {
	figures *liveFigures
	topic   hub.Topic
	last    string // when the last figures published were read
}

// tick publishes the round's figures unless they are those published
// last: a slow reading is not read again for a while (get), and its
// figures go to each socket once. Figures that cannot be read close the
// sockets that wait for them.
func (p *pusher) tick() {
	f := p.figures
	m, at, err := f.message(context.Background(), p.topic.ID)
	if err != nil {
		f.log.Error("stats socket", "round", p.topic.ID, "err", err)
		f.hub.StopTopic(p.topic, websocket.CloseNormalClosure, "")
		return
	}
	if at != p.last {
		f.publish(p.topic, m)
		p.last = at
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
		BucketSeconds: int64(s.BucketSize / time.Second), At: apiTime(now), at: now, Questions: []questionStatsBody{}}
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
	m, _, err := h.figures.message(context.Background(), roundID)
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
		"Round": r, "Status": r.Status(h.Now()), "Stats": body, "Strings": h.lang(c).Scripts("js."),
		"At": body.at.In(vietnam).Format("15:04:05"),
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
