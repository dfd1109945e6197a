// Package apperr defines the one error type whose text may reach a client.
//
// Every failure a caller can act on is an *Error with a stable machine Code and a
// message in Vietnamese and English. Anything else is internal: the HTTP layer logs
// it and answers 500 without its text. The mapping from codes to HTTP statuses lives
// in exactly one place, internal/httpapi/problem.go.
package apperr

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code such as "email_taken".
type Code string

// Codes shared by every domain. Domain packages declare their own next to their rules.
const (
	CodeInvalid      Code = "invalid"      // input fails validation
	CodeNotFound     Code = "not_found"    // missing, or outside the caller's scope
	CodeConflict     Code = "conflict"     // a unique key is already taken
	CodeUnauthorized Code = "unauthorized" // no valid credentials
	CodeForbidden    Code = "forbidden"    // authenticated, but not allowed
	CodeRateLimited  Code = "rate_limited" // too many attempts
	CodeUnavailable  Code = "unavailable"  // the store cannot be reached
	CodeStoreBusy    Code = "store_busy"   // the store stayed contended or failing for a moment
	CodeInternal     Code = "internal"     // never shown with its text
	CodeTooLarge     Code = "body_too_large"
	CodeMalformed    Code = "malformed_json"
)

// Error is the only error type a client ever sees the text of.
type Error struct {
	Code Code
	Vi   string // message in Vietnamese, safe to show
	En   string // message in English, safe to show
	// Fields lists per-field validation problems, when Code is CodeInvalid.
	Fields []FieldError
	// RetryAfter, in seconds, for rate limits and unavailability; 0 when not set.
	RetryAfter int
	// Existing is the id of the record a conflict is with (a duplicate), shown as
	// the problem's existing_id; "" when none.
	Existing string
}

// FieldError is one field's validation problem.
type FieldError struct {
	Field string `json:"field"`
	Code  string `json:"code"`
	Vi    string `json:"-"`
	En    string `json:"-"`
}

// New returns an *Error with the given code and messages.
func New(code Code, vi, en string) *Error {
	return &Error{Code: code, Vi: vi, En: en}
}

// Error implements error with the English message and the code.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.En) }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, apperr.ErrNotFound) matches any not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Message returns the message in lang ("vi" or "en").
func (e *Error) Message(lang string) string {
	if lang == "en" {
		return e.En
	}
	return e.Vi
}

// Sentinels that stores and services wrap with context: fmt.Errorf("user %s: %w", id, ErrNotFound).
var (
	ErrNotFound     = New(CodeNotFound, "Không tìm thấy.", "Not found.")
	ErrConflict     = New(CodeConflict, "Dữ liệu đã tồn tại.", "It already exists.")
	ErrUnauthorized = New(CodeUnauthorized, "Cần đăng nhập hợp lệ.", "Valid credentials are required.")
	ErrForbidden    = New(CodeForbidden, "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.")
	ErrUnavailable  = New(CodeUnavailable, "Hệ thống lưu trữ tạm thời không sẵn sàng. Vui lòng thử lại sau.", "Storage is temporarily unavailable. Please try again later.")
	// ErrBusy is a transient failure the store kept meeting after its own
	// retries (lock contention, a primary stepping down, a timeout): nothing was
	// changed, and the same request may be sent again shortly.
	ErrBusy = &Error{Code: CodeStoreBusy, Vi: "Hệ thống đang bận. Không có thay đổi nào được lưu; vui lòng thử lại sau giây lát.",
		En: "The system is busy. Nothing was changed; please try again in a moment.", RetryAfter: 2}
)

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Invalid returns a validation error with one field problem.
func Invalid(field, code, vi, en string) *Error {
	return &Error{
		Code:   CodeInvalid,
		Vi:     "Dữ liệu không hợp lệ.",
		En:     "The input is not valid.",
		Fields: []FieldError{{Field: field, Code: code, Vi: vi, En: en}},
	}
}
