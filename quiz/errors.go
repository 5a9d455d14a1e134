package quiz

import (
	"errors"
	"fmt"
)

// Error codes are part of the public API: clients branch on them, so they
// never change once released. Handlers map each code to an HTTP status.
const (
	CodeValidation        = "validation_failed"
	CodeNotFound          = "not_found"
	CodeUnauthorized      = "unauthorized"
	CodeForbidden         = "forbidden"
	CodeInvalidLogin      = "invalid_credentials"
	CodeAccountExists     = "account_exists"
	CodeSlugTaken         = "slug_taken"
	CodeBankNameTaken     = "bank_name_taken"
	CodeRateLimited       = "rate_limited"
	CodeRoundNotOpen      = "round_not_open"
	CodeAttemptsExhausted = "attempts_exhausted"
	CodeNotEnough         = "not_enough_questions"
	CodeDeadlinePassed    = "deadline_passed"
	CodeAlreadySubmitted  = "already_submitted"
	// CodeNotDue refuses an automatic submission before the attempt's
	// stored deadline (moved later when its questions were first shown on
	// another node); it stays between the engine and the store.
	CodeNotDue          = "not_due"
	CodeUnknownQuestion = "unknown_question"
	CodeInvalidOption   = "invalid_option"
	CodeBadMessage      = "bad_message"
	CodeInternal        = "internal"
	// CodeStorageUnavailable: the database cannot be written (its disk is
	// full, its file system read-only or failing); nothing was stored, and
	// the same request may succeed once the cause is gone.
	CodeStorageUnavailable = "storage_unavailable"
)

// Error is a failure the caller can act on: a stable code, a message in plain
// words, and for invalid input the message of each offending field. Fields hold
// message keys of the UI catalog, so that pages and API answer in the reader's
// language.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
}

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when err is not one of ours.
func ErrorCode(err error) string {
	var qe *Error
	if errors.As(err, &qe) {
		return qe.Code
	}
	if err == nil {
		return ""
	}
	return CodeInternal
}

// FieldErrors gathers invalid fields; Err returns nil when there are none.
type FieldErrors map[string]string

// Add records key as the problem with field, keeping the first problem found.
func (f FieldErrors) Add(field, key string) {
	if _, ok := f[field]; !ok {
		f[field] = key
	}
}

// Err returns a validation error naming every invalid field, or nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeValidation, Message: "invalid input", Fields: f}
}

// NotFound is the error for a missing resource of the given kind.
func NotFound(kind string) *Error {
	return &Error{Code: CodeNotFound, Message: kind + " not found"}
}
