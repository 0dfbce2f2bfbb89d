package trust_test

import (
	"context"
	"errors"
	"time"

	zmq "github.com/purezmq/zmq"
)

// How a lane's goroutines receive, check, echo and send; every wait bounded.

// take checks a message into ls's tally; false, after failing the run, for one altered or
// repeated where the rule forbids it.
func (l *lane) take(ls *laneStream, frames [][]byte) bool {
	err := ls.ta.see(frames)
	switch {
	case err == nil:
		return true
	case errors.Is(err, errDuplicate):
		ls.repeated.Add(1)
		l.sk.fail("%s: %s: %v\n    last faults: %s", l.name, ls.name, err, l.faults.recent())
	default:
		ls.corrupted.Add(1)
		l.sk.fail("%s: %s: CORRUPT message delivered: %v\n    last faults: %s", l.name, ls.name, err, l.faults.recent())
	}
	return false
}

// receive runs s's receive loop: every message (after strip leading frames, a routing id) is
// checked into ls, then answered by echo when set, else given back with Recycle.
func (l *lane) receive(s *zmq.Socket, ls *laneStream, strip int, echo func(m zmq.Msg) bool) {
	l.sk.spawn(l.name, func() {
		for {
			m, err := s.Recv(l.sk.ctx)
			if err != nil {
				if l.sk.ctx.Err() == nil {
					l.sk.fail("%s: %v Recv: %v", l.name, s.Type(), err)
				}
				return
			}
			if len(m.Frames) <= strip {
				l.sk.fail("%s: %v received %d frames", l.name, s.Type(), len(m.Frames))
				return
			}
			if !l.take(ls, m.Frames[strip:]) {
				return
			}
			if echo == nil {
				s.Recycle(m)
			} else if !echo(m) {
				return
			}
		}
	})
}

// echoTo makes an echo server's answer: m goes back as it came, a data message counted as sent
// on back.
func (l *lane) echoTo(s *zmq.Socket, back *laneStream, strip int) func(m zmq.Msg) bool {
	return func(m zmq.Msg) bool {
		h, _ := parseHeader(m.Frames[strip]) // checked by take
		if !l.send(s, m, "an echo") {
			return false
		}
		if h.stream == dataStream {
			back.sentSeq(h.seq)
		}
		return true
	}
}

// send sends m on s, failing the run if it blocks for stallBound; false once the run is over.
func (l *lane) send(s *zmq.Socket, m zmq.Msg, what string) bool {
	ctx, cancel := context.WithTimeout(l.sk.ctx, stallBound)
	defer cancel()
	err := s.Send(ctx, m)
	switch {
	case err == nil:
		return true
	case l.sk.ctx.Err() != nil:
	case errors.Is(err, context.DeadlineExceeded):
		l.sk.hang("%s: %v blocked in Send of %s for %v", l.name, s.Type(), what, stallBound)
	default:
		l.sk.fail("%s: %v Send of %s: %v", l.name, s.Type(), what, err)
	}
	return false
}

// await waits until ok holds for ta's stream id, d passes or the run fails.
func (l *lane) await(ta *tally, id int, ok func(st *stream) bool, d time.Duration) bool {
	end := time.Now().Add(d)
	for l.sk.ctx.Err() == nil {
		left := time.Until(end)
		if ta.await(id, ok, min(left, time.Second)) {
			return true
		}
		if left <= time.Second {
			return false
		}
	}
	return false
}
