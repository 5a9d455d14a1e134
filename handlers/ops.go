package handlers

import (
	"crypto/subtle"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hoithi/quiz"
)

// healthz answers 200 once the database is open, migrated and answering.
func (h *Handler) healthz(c *fiber.Ctx) error {
	if err := h.Ready(c.UserContext()); err != nil {
		h.Log.Error("health check", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

// metrics serves Prometheus's text format, behind a bearer token when one
// is configured. Without a token it answers only the local network
// (loopback and private addresses, where a scraper runs): its counters of
// attempts would let anyone on the internet count the figure an open
// round's prediction asks for.
func (h *Handler) metrics(c *fiber.Ctx) error {
	if h.MetricsToken != "" {
		if err := h.metricsBearer(c); err != nil {
			return err
		}
	} else if !localNetwork(h.clientIP(c)) {
		return quiz.Errorf(quiz.CodeForbidden, "metrics from outside the local network need HOITHI_METRICS_TOKEN")
	}
	return adaptor.HTTPHandler(promhttp.HandlerFor(h.Metrics.Registry, promhttp.HandlerOpts{}))(c)
}

// metricsBearer checks the request carries the metrics token.
func (h *Handler) metricsBearer(c *fiber.Ctx) error {
	want := "Bearer " + h.MetricsToken
	if h.MetricsToken == "" || subtle.ConstantTimeCompare([]byte(c.Get(fiber.HeaderAuthorization)), []byte(want)) != 1 {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
		return quiz.Errorf(quiz.CodeUnauthorized, "metrics need the metrics token")
	}
	return nil
}

// profile serves Go's profiles (net/http/pprof) under /debug/pprof/ to the
// bearer of the metrics token; the route exists only with Profiling on.
// A profile shows the code's costs, not the data: stacks, sizes, counts.
func (h *Handler) profile(c *fiber.Ctx) error {
	if err := h.metricsBearer(c); err != nil {
		return err
	}
	var serve http.HandlerFunc
	switch name := c.Params("*"); name {
	case "cmdline":
		serve = pprof.Cmdline
	case "profile":
		serve = pprof.Profile
	case "symbol":
		serve = pprof.Symbol
	case "trace":
		serve = pprof.Trace
	default:
		serve = pprof.Index // the index, and heap, allocs, goroutine, mutex, block ... by name
	}
	return adaptor.HTTPHandlerFunc(serve)(c)
}

// localNetwork reports whether ip is a loopback, private or link-local
// address.
func localNetwork(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast()
}

// observe counts requests by route and status, and times them.
func (h *Handler) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler set the status before it is counted.
		if herr := h.handleError(c, err); herr != nil {
			return herr
		}
	}
	route := c.Route().Path
	if c.Locals(unmatchedKey) != nil {
		route = "unmatched" // one label for every unknown path
	}
	h.Metrics.HTTPRequests.WithLabelValues(c.Method(), route, strconv.Itoa(c.Response().StatusCode())).Inc()
	h.Metrics.HTTPSeconds.WithLabelValues(route).Observe(time.Since(start).Seconds())
	return nil
}

// unmatchedKey marks a request that no route took.
const unmatchedKey = "unmatched"

// securityHeaders keeps pages to this site's own scripts, styles and
// connections, and out of frames.
func securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	return c.Next()
}
