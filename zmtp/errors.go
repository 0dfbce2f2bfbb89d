package zmtp

import (
	"errors"
	"fmt"
)

// Sentinel errors. Decoders may wrap them with detail, so compare with
// errors.Is. ErrNeedMore is always returned unwrapped so that the hot
// "wait for more bytes" path does not allocate.
var (
	// ErrNeedMore means the input is a valid prefix: read more bytes and retry.
	ErrNeedMore = errors.New("zmtp: need more bytes")

	// ErrMalformed means the input violates the ZMTP grammar; the connection
	// should be closed.
	ErrMalformed = errors.New("zmtp: malformed")

	// ErrVersion means the peer speaks ZMTP 1.0 or 2.0, which this codec does
	// not implement.
	ErrVersion = errors.New("zmtp: unsupported protocol version")

	// ErrMsgTooLarge means a frame declares a size above the permitted maximum.
	ErrMsgTooLarge = errors.New("zmtp: message too large")
)

// malformed returns ErrMalformed wrapped with a formatted detail.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
