// Package metrics defines hoithi's Prometheus metrics, served at /metrics.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds every collector on a registry of its own, so that tests can
// run several servers in one process.
type Metrics struct {
	Registry *prometheus.Registry

	HTTPRequests      *prometheus.CounterVec
	HTTPSeconds       *prometheus.HistogramVec
	Sockets           *prometheus.GaugeVec
	AnswersAcked      prometheus.Counter
	AnswerSeconds     prometheus.Histogram
	AttemptsStarted   prometheus.Counter
	AttemptsSubmitted *prometheus.CounterVec
	WriterOps         prometheus.Histogram
	WriterSeconds     prometheus.Histogram
	WriterFailures    prometheus.Counter
	StatsSeconds      prometheus.Histogram
}

// New creates and registers the collectors, with Go runtime and process
// figures beside them.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hoithi_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		HTTPSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hoithi_http_request_seconds", Help: "Time to answer an HTTP request, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		Sockets: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hoithi_websockets", Help: "Open websockets by kind (attempt, leaderboard).",
		}, []string{"kind"}),
		AnswersAcked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hoithi_answers_acked_total", Help: "Answers stored durably and acknowledged.",
		}),
		AnswerSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hoithi_answer_ack_seconds", Help: "Time from an answer's arrival to its acknowledgement.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .2, .5, 1},
		}),
		AttemptsStarted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hoithi_attempts_started_total", Help: "Attempts started.",
		}),
		AttemptsSubmitted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hoithi_attempts_submitted_total", Help: "Attempts submitted, by the contestant or automatically at the deadline.",
		}, []string{"by"}),
		WriterOps: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hoithi_writer_batch_ops", Help: "Write operations committed per transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		WriterSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hoithi_writer_commit_seconds", Help: "Time to run and commit one batch, fsync included.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .2, .5},
		}),
		WriterFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hoithi_writer_failed_batches_total", Help: "Batches whose transaction failed as a whole.",
		}),
		StatsSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hoithi_stats_read_seconds", Help: "Time to read one round's live figures for the organizers' view.",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.HTTPRequests, m.HTTPSeconds, m.Sockets, m.AnswersAcked, m.AnswerSeconds, m.AttemptsStarted,
		m.AttemptsSubmitted, m.WriterOps, m.WriterSeconds, m.WriterFailures, m.StatsSeconds,
	)
	return m
}

// Committed records one batch of the store's writer.
func (m *Metrics) Committed(ops int, took time.Duration, err error) {
	m.WriterOps.Observe(float64(ops))
	m.WriterSeconds.Observe(took.Seconds())
	if err != nil {
		m.WriterFailures.Inc()
	}
}
