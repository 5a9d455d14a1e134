package main

import (
	"net/http"
	"os"
)

// metrics fetches the server's /metrics, with the metrics token of
// $HOITHI_METRICS_TOKEN when it is set (a server with profiling on has
// one).
func (c *client) metrics() (*http.Response, error) {
	req, err := http.NewRequest("GET", c.base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	if token := os.Getenv("HOITHI_METRICS_TOKEN"); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.http.Do(req)
}
