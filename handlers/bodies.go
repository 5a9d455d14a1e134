package handlers

import (
	"errors"
	"io"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"hoithi/quiz"
)

// Request bodies are streamed (StreamRequestBody in App): the server reads
// a request's headers and at most 8 KiB of its body before the handlers
// run, and the rest only when a handler asks for it (c.Body, FormValue,
// FormFile). limitBody, early in every route, refuses a body larger than
// its route takes before anything asks. What a handler leaves unread is
// drained by the server, up to 256 KiB; past that the connection is closed
// once the answer is sent.

// formBodyLimit is the largest JSON or form body: far beyond any real one
// (a question with its options is a few KiB, a unit list tens).
const formBodyLimit = 1 << 20

// uploadBodyLimit is the largest bank upload: the import limit and its
// multipart envelope (part headers, the format and sheet fields).
var uploadBodyLimit = int(quiz.DefaultImportLimits.MaxBytes) + 64<<10

// bodyLimitKey marks a request whose body limit is set, so that the
// generic limit does not override a route's own.
const bodyLimitKey = "bodyLimit"

// limitBody refuses a JSON or form body over limit bytes with 413
// body_too_large without reading it: at once when Content-Length says so;
// a chunked body (no length) is read here, up to the limit, and refused as
// soon as it goes past it.
func limitBody(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Locals(bodyLimitKey) != nil {
			return c.Next()
		}
		c.Locals(bodyLimitKey, limit)
		if err := checkLength(c, limit); err != nil {
			return err
		}
		if c.Request().Header.ContentLength() == -1 { // chunked
			if err := bufferChunked(c.Request(), limit); err != nil {
				return err
			}
		}
		return c.Next()
	}
}

// limitUpload is limitBody for the routes that take a bank file, except
// that a chunked body is left for uploadedFile to read, once the caller's
// role is checked, rather than held here for anyone.
func limitUpload(c *fiber.Ctx) error {
	c.Locals(bodyLimitKey, uploadBodyLimit)
	if err := checkLength(c, uploadBodyLimit); err != nil {
		return err
	}
	return c.Next()
}

// checkLength refuses a body whose Content-Length is over limit, and a
// compressed body with 415 unsupported_encoding: its size once decoded is
// not bounded by what was sent, and no client of hoithi compresses what it
// sends.
func checkLength(c *fiber.Ctx, limit int) error {
	req := c.Request()
	if enc := strings.TrimSpace(string(req.Header.Peek(fiber.HeaderContentEncoding))); enc != "" && !strings.EqualFold(enc, "identity") {
		return quiz.Errorf(codeUnsupportedEncoding, "request bodies are taken uncompressed")
	}
	if req.Header.ContentLength() > limit {
		return errBodyTooLarge(limit)
	}
	return nil
}

// bufferChunked reads a chunked body up to limit bytes and keeps it as the
// request's body; one longer is refused after limit+1 bytes.
func bufferChunked(req *fasthttp.Request, limit int) error {
	stream := req.BodyStream()
	if stream == nil { // already read whole (not streamed)
		if len(req.Body()) > limit {
			return errBodyTooLarge(limit)
		}
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
	if err != nil {
		return quiz.Errorf(codeBadRequest, "the request body could not be read")
	}
	if len(body) > limit {
		return errBodyTooLarge(limit)
	}
	req.SetBodyRaw(body)
	return nil
}

func errBodyTooLarge(limit int) error {
	return quiz.Errorf(codeBodyTooLarge, "the request body is over %d bytes", limit)
}

// uploadedFile returns the file field of a bank upload, nil when the
// request carries none. It reads the multipart body up to uploadBodyLimit
// (files go to temporary files, not to memory): a chunked body has no
// Content-Length for limitBody to refuse.
func uploadedFile(c *fiber.Ctx, field string) (*multipart.FileHeader, error) {
	form, err := c.Request().MultipartFormWithLimit(uploadBodyLimit)
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		return nil, errBodyTooLarge(uploadBodyLimit)
	}
	if err != nil || len(form.File[field]) == 0 {
		return nil, nil
	}
	return form.File[field][0], nil
}
