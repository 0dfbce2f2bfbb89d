package rpc

import (
	"context"
	"errors"
	"fmt"
)

// Code is the outcome of a call: a closed set, sent on the wire as one byte.
type Code uint8

// The codes, with their wire numbers.
const (
	OK                 Code = 0  // the call succeeded
	Cancelled          Code = 1  // the caller cancelled
	DeadlineExceeded   Code = 2  // the deadline passed before the reply
	Unavailable        Code = 3  // the server went away, or cannot be reached now; retrying may help
	NoResponders       Code = 4  // no server of the target is known or connected
	NotFound           Code = 5  // no such method in the namespace
	UnsupportedVersion Code = 6  // the method exists, not in a compatible version
	InvalidTarget      Code = 7  // the target is malformed, or the server is not the one asked for
	ResourceExhausted  Code = 8  // the server's workers are all busy
	Internal           Code = 9  // the server failed (a panic in a handler, a reply it could not encode)
	Remote             Code = 10 // the handler returned an error
)

var codeNames = [...]string{"OK", "Cancelled", "DeadlineExceeded", "Unavailable", "NoResponders",
	"NotFound", "UnsupportedVersion", "InvalidTarget", "ResourceExhausted", "Internal", "Remote"}

// String returns the code's name ("NotFound"), as error objects on the wire carry it.
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("Code(%d)", uint8(c))
}

// parseCode is the inverse of String, for error objects on the wire.
func parseCode(s string) (Code, bool) {
	for i, n := range codeNames {
		if n == s {
			return Code(i), true
		}
	}
	return 0, false
}

// Error is a call's failure: its code, a message, and for Remote errors the details and the
// type name the server's handler gave. errors.Is matches the sentinel of its code
// (ErrNotFound, ...), and context.DeadlineExceeded / context.Canceled for those two codes.
type Error struct {
	Code    Code              // what went wrong
	Message string            // for people: the handler's error text, or why the call failed
	Details map[string]string // optional, from the handler (see RemoteError)
	Type    string            // the registered type name of a Remote error, if any
	cause   error             // a rebuilt registered error, for errors.As
}

func newError(c Code, msg string) *Error { return &Error{Code: c, Message: msg} }

// Error returns "rpc: Code: message".
func (e *Error) Error() string {
	if e.Message == "" {
		return "rpc: " + e.Code.String()
	}
	return "rpc: " + e.Code.String() + ": " + e.Message
}

// Is matches any *Error of the same code (the sentinels ErrNotFound, ...), and the context
// errors for Cancelled and DeadlineExceeded.
func (e *Error) Is(target error) bool {
	if t, ok := target.(*Error); ok {
		return t.Code == e.Code
	}
	switch e.Code {
	case Cancelled:
		return target == context.Canceled
	case DeadlineExceeded:
		return target == context.DeadlineExceeded
	}
	return false
}

// Unwrap returns the typed error rebuilt from a registered remote type, if any.
func (e *Error) Unwrap() error { return e.cause }

// Sentinels, one per code, for errors.Is.
var (
	ErrCancelled          = &Error{Code: Cancelled}          // code Cancelled: the caller cancelled
	ErrDeadlineExceeded   = &Error{Code: DeadlineExceeded}   // code DeadlineExceeded: no reply before the deadline
	ErrUnavailable        = &Error{Code: Unavailable}        // code Unavailable: the server is gone or unreachable for now
	ErrNoResponders       = &Error{Code: NoResponders}       // code NoResponders: no server of the target is known
	ErrNotFound           = &Error{Code: NotFound}           // code NotFound: no such method
	ErrUnsupportedVersion = &Error{Code: UnsupportedVersion} // code UnsupportedVersion: no compatible version of the method
	ErrInvalidTarget      = &Error{Code: InvalidTarget}      // code InvalidTarget: a malformed target, or not the server asked for
	ErrResourceExhausted  = &Error{Code: ResourceExhausted}  // code ResourceExhausted: the server's workers are all busy
	ErrInternal           = &Error{Code: Internal}           // code Internal: the server failed
	ErrRemote             = &Error{Code: Remote}             // code Remote: the handler returned an error
)

// CodeOf returns err's code: OK for nil, the code of an *Error in its chain, Cancelled or
// DeadlineExceeded for the context errors, else Internal.
func CodeOf(err error) Code {
	if err == nil {
		return OK // before e, which escapes: no allocation for the common case
	}
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, context.Canceled):
		return Cancelled
	case errors.Is(err, context.DeadlineExceeded):
		return DeadlineExceeded
	}
	return Internal
}
