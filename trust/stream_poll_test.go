package trust_test

import (
	"context"

	zmq "github.com/purezmq/zmq"
)

// A Poller watching a socket takes its connection's reading away from the caller (direct I/O
// stops while one waits, internal/socket/direct.go), so pollers coming and going switch the
// engine between its two paths mid-stream.

// pollIn polls the side's socket for PollIn in its own goroutine, before a Recv: a message is
// on its way, so PollIn must come.
func (sd *side) pollIn() bool {
	p := zmq.NewPoller()
	p.Add(sd.sock, zmq.PollIn)
	ctx, cancel := sd.s.opCtx()
	ready, err := p.Poll(ctx)
	cancel()
	if err != nil {
		sd.s.failCall(err, "%v: Poll for PollIn, expecting %s", sd, sd.expecting())
		return false
	}
	if len(ready) != 1 || ready[0].Socket != sd.sock || ready[0].Events&zmq.PollIn == 0 {
		sd.s.fail("%v: Poll for PollIn returned %v", sd, ready)
		return false
	}
	sd.hist.add("poll: PollIn")
	sd.s.stats.polls.Add(1)
	return true
}

// bgPoller is a Poller in another goroutine watching the side's socket for PollIn while the
// side goes on with Recv and Send, as a second goroutine of an application might; it polls
// again after each message the side takes, so it watches most of the time without spinning.
type bgPoller struct {
	cancel context.CancelFunc
	done   chan struct{}
	kick   chan struct{}
}

func (b *bgPoller) poke() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

func (sd *side) togglePoller() {
	if sd.bg != nil {
		sd.stopPoller()
		sd.hist.add("background Poller leaves")
		return
	}
	ctx, cancel := context.WithCancel(sd.s.ctx)
	b := &bgPoller{cancel: cancel, done: make(chan struct{}), kick: make(chan struct{}, 1)}
	sd.bg = b
	sd.s.stats.pollers.Add(1)
	sd.hist.add("background Poller joins")
	go func() {
		defer close(b.done)
		p := zmq.NewPoller()
		p.Add(sd.sock, zmq.PollIn)
		for {
			if _, err := p.Poll(ctx); err != nil {
				if ctx.Err() == nil {
					sd.s.fail("%v: background Poll: %v", sd, err)
				}
				return
			}
			select {
			case <-b.kick:
			case <-ctx.Done():
				return
			}
		}
	}()
}

func (sd *side) stopPoller() {
	if sd.bg == nil {
		return
	}
	sd.bg.cancel()
	<-sd.bg.done
	sd.bg = nil
}
