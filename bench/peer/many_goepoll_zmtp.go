package peer

import (
	"errors"
	"fmt"

	"github.com/purezmq/zmq/zmtp"
)

// What GoEpoll's server reads and writes with -zmtp (ZMTP): it answers ZeroMQ DEALERs, which
// greet it, send their READY, then one-frame requests, and an empty frame as their end marker.

// zmtpServerHello is what echoEpoll with ZMTP writes to each client as it accepts it: a ZMTP
// 3.1 greeting with the NULL mechanism and the READY of a ROUTER.
var zmtpServerHello = zmtp.AppendReady(zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(nil),
	zmtp.Metadata{{Name: "Socket-Type", Value: []byte("ROUTER")}})

// zmtpHandshake reads a client's greeting and READY at the front of p and returns how many
// bytes they take; zmtp.ErrNeedMore until p holds both.
func zmtpHandshake(p []byte) (int, error) {
	if len(p) < zmtp.GreetingSize {
		return 0, zmtp.ErrNeedMore
	}
	g, err := zmtp.ParseGreeting(p[:zmtp.GreetingSize])
	if err != nil {
		return 0, fmt.Errorf("peer: %s -zmtp: a client's greeting: %w", GoEpoll, err)
	}
	if g.Mechanism != "NULL" {
		return 0, fmt.Errorf("peer: %s -zmtp: a client asks for %s, this server has NULL only", GoEpoll, g.Mechanism)
	}
	flags, size, hn, err := zmtp.ParseFrameHeader(p[zmtp.GreetingSize:], 1<<16)
	if err != nil {
		return 0, err // ErrNeedMore, or a header too big for a READY
	}
	end := zmtp.GreetingSize + hn + size
	if len(p) < end {
		return 0, zmtp.ErrNeedMore
	}
	if flags&zmtp.FlagCommand == 0 {
		return 0, fmt.Errorf("peer: %s -zmtp: a client's first frame after its greeting is not a command", GoEpoll)
	}
	c, err := zmtp.ParseCommand(p[zmtp.GreetingSize+hn : end])
	if err == nil {
		_, err = zmtp.ParseReady(c)
	}
	if err != nil {
		return 0, fmt.Errorf("peer: %s -zmtp: a client's READY: %w", GoEpoll, err)
	}
	return end, nil
}

// zmtpRequests looks at the whole frames at the front of p, a shaken client's stream: it
// returns the bytes they take (whole), those to write back as they are (answer: every request,
// a frame of Size bytes, up to the end marker, an empty frame, which is not answered), and how
// many requests that is. Anything else is an error: a DEALER client sends one-frame requests.
func (m *many) zmtpRequests(p []byte) (whole, answer, requests int, err error) {
	for whole < len(p) {
		flags, size, hn, err := zmtp.ParseFrameHeader(p[whole:], int64(m.c.Size))
		if errors.Is(err, zmtp.ErrNeedMore) || err == nil && len(p)-whole < hn+size {
			break
		}
		if err != nil {
			return 0, 0, 0, fmt.Errorf("peer: %s -zmtp: a request: %w", GoEpoll, err)
		}
		if flags != 0 || size != 0 && size != m.c.Size {
			return 0, 0, 0, fmt.Errorf("peer: %s -zmtp: a frame of %d bytes with flags %#x, want one-frame requests of %d", GoEpoll, size, flags, m.c.Size)
		}
		whole += hn + size
		if size == 0 { // the end marker: the client closes next
			break
		}
		answer, requests = whole, requests+1
	}
	return whole, answer, requests, nil
}
