package handlers

import (
	"testing"

	"github.com/gofiber/fiber/v2"
)

// The HTTP server's own errors keep their status: a read timeout is a 408,
// which an HTTP client takes, on a connection it holds idle, as the server
// closing it (a 400 there reads as an unsolicited answer).
func TestTheServersOwnErrorsKeepTheirStatus(t *testing.T) {
	for _, tt := range []struct {
		err    *fiber.Error
		code   string
		status int
	}{
		{fiber.ErrRequestTimeout, codeRequestTimeout, fiber.StatusRequestTimeout},
		{fiber.ErrRequestEntityTooLarge, codeBodyTooLarge, fiber.StatusRequestEntityTooLarge},
		{fiber.ErrBadRequest, codeBadRequest, fiber.StatusBadRequest},
	} {
		qe := (&Handler{}).asQuizError(tt.err)
		if qe.Code != tt.code || statusOf[qe.Code] != tt.status {
			t.Errorf("%v: code %s, status %d; want %s, %d", tt.err, qe.Code, statusOf[qe.Code], tt.code, tt.status)
		}
	}
}
