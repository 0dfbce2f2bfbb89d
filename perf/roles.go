package perf

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// Conn is one socket of any implementation as the measuring code sees it, so that purezmq,
// libzmq's bindings and the other Go libraries (bench/) are all measured by the same loops.
type Conn interface {
	Send(b []byte) error   // one single-frame message; b is never modified afterwards
	Recv() ([]byte, error) // one message, which must be a single frame
}

// Recycler is a Conn that takes back a received message the loop no longer needs, to read later
// ones into (purezmq's Socket.Recycle): the loops use it as a user keen on speed would.
type Recycler interface {
	Recycle(b []byte) // b came from Recv and is not used again
}

func recycle(c Conn, b []byte) {
	if r, ok := c.(Recycler); ok {
		r.Recycle(b)
	}
}

// Pattern is the payload every peer sends, the same as bench/'s C peers': byte i is i mod 251,
// so a receiver notices a corrupted message, not only one of the wrong size.
func Pattern(size int) []byte {
	p := make([]byte, size)
	for i := range p {
		p[i] = byte(i % 251)
	}
	return p
}

// ErrSize is a message of a size other than the one measured.
var ErrSize = errors.New("perf: message of incorrect size")

// check verifies a received message: its size and end bytes always, every byte when full.
func check(b, pat []byte, i int, full bool) error {
	if len(b) != len(pat) {
		return fmt.Errorf("%w: message %d has %d bytes, want %d", ErrSize, i, len(b), len(pat))
	}
	n := len(b)
	if n > 0 && (b[0] != pat[0] || b[n-1] != pat[n-1] || full && !bytes.Equal(b, pat)) {
		return fmt.Errorf("perf: message %d of %d bytes is corrupted", i, n)
	}
	return nil
}

// Receive takes count messages of pat's size and returns the time from the first to the last,
// as libzmq's local_thr clocks it. It checks every 1024th message in full.
func Receive(c Conn, pat []byte, count int) (time.Duration, error) {
	return receive(c, count, func(b []byte, i int) error {
		return check(b, pat, i, i%1024 == 0 || i == count-1)
	})
}

// ReceiveSized is Receive for senders whose payload is not Pattern (libzmq's remote_thr sends
// uninitialised bytes): it checks only each message's size, as libzmq's local_thr does.
func ReceiveSized(c Conn, size, count int) (time.Duration, error) {
	return receive(c, count, func(b []byte, i int) error {
		if len(b) != size {
			return fmt.Errorf("%w: message %d has %d bytes, want %d", ErrSize, i, len(b), size)
		}
		return nil
	})
}

// receive takes count messages, each passed to ok, timed from the first to the last.
func receive(c Conn, count int, ok func(b []byte, i int) error) (time.Duration, error) {
	var start time.Time
	for i := 0; i < count; i++ {
		b, err := c.Recv()
		if err != nil {
			return 0, fmt.Errorf("perf: receive %d of %d: %w", i, count, err)
		}
		if i == 0 {
			start = time.Now()
		}
		if err := ok(b, i); err != nil {
			return 0, err
		}
		recycle(c, b)
	}
	return time.Since(start), nil
}

// SendAll sends pat count times.
func SendAll(c Conn, pat []byte, count int) error {
	for i := 0; i < count; i++ {
		if err := c.Send(pat); err != nil {
			return fmt.Errorf("perf: send %d of %d: %w", i, count, err)
		}
	}
	return nil
}

// Echo answers count requests with themselves (the REP side of a latency test).
func Echo(c Conn, count int) error { return EchoSized(c, -1, count) }

// EchoSized is Echo refusing a request whose size is not size (any size if negative), as
// libzmq's local_lat does.
func EchoSized(c Conn, size, count int) error {
	for i := 0; i < count; i++ {
		b, err := c.Recv()
		if err != nil {
			return fmt.Errorf("perf: request %d of %d: %w", i, count, err)
		}
		if size >= 0 && len(b) != size {
			return fmt.Errorf("%w: request %d has %d bytes, want %d", ErrSize, i, len(b), size)
		}
		if err := c.Send(b); err != nil {
			return fmt.Errorf("perf: reply %d of %d: %w", i, count, err)
		}
	}
	return nil
}

// RoundTrips makes count request-reply exchanges of pat and returns their total time.
func RoundTrips(c Conn, pat []byte, count int) (time.Duration, error) {
	start := time.Now()
	for i := 0; i < count; i++ {
		if err := c.Send(pat); err != nil {
			return 0, fmt.Errorf("perf: request %d of %d: %w", i, count, err)
		}
		b, err := c.Recv()
		if err != nil {
			return 0, fmt.Errorf("perf: reply %d of %d: %w", i, count, err)
		}
		if err := check(b, pat, i, true); err != nil {
			return 0, err
		}
		recycle(c, b)
	}
	return time.Since(start), nil
}
