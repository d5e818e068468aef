// Package domain holds Plenary's types, state transitions, deadline rules and permission checks.
// It imports neither HTTP nor SQL.
package domain

import (
	"errors"
	"fmt"
)

// Code classifies an Error; one place in the web layer maps codes to HTTP statuses.
type Code string

// The error codes.
const (
	Invalid   Code = "invalid"
	NotFound  Code = "not_found"
	Forbidden Code = "forbidden"
	Conflict  Code = "conflict"
	Internal  Code = "internal"
	// Unauthorized: the request names no one the portal knows (a device's token that is wrong
	// or revoked).
	Unauthorized Code = "unauthorized"
)

// Error is a failure the user may be told about. Key is a message catalogue key, so the message is
// shown in the user's language; Fields maps form field names to catalogue keys for messages shown
// beside the fields.
type Error struct {
	Code   Code
	Key    string
	Args   map[string]any
	Fields map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Key, e.Fields)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Key)
}

// Errorf returns an *Error with the code and catalogue key.
func Errorf(code Code, key string) *Error { return &Error{Code: code, Key: key} }

// FieldErrors returns an Invalid error for the given field messages.
func FieldErrors(fields map[string]string) *Error {
	return &Error{Code: Invalid, Key: "error.form", Fields: fields}
}

// FieldConflicts returns a Conflict error for the given field messages: the form was right, but
// what it asks for is already taken (an email another account has).
func FieldConflicts(fields map[string]string) *Error {
	return &Error{Code: Conflict, Key: "error.form", Fields: fields}
}

// ErrorCode returns the code of err, Internal when it is not an *Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// AsError returns err as *Error when it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
