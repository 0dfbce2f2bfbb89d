package pgm

import (
	"errors"
	"os"
	"sync"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
)

// RecvEngine is an open PGM receiver: its socket and the goroutine Run is, around a Receiver.
type RecvEngine struct {
	c     conn
	mu    sync.Mutex // guards r for Stats; Run is its only other user
	r     *Receiver
	batch []pipe.Msg
	lifecycle
}

// pollEvery bounds how long a NAK can wait behind a stream of packets that keeps the timers
// from being looked at.
const (
	pollEvery = 2 * time.Millisecond
	minPoll   = time.Millisecond
)

// OpenReceiver opens a receiver on ep (epgm when raw is false, else pgm) with cfg.
func OpenReceiver(raw bool, ep Endpoint, cfg Config) (*RecvEngine, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	c, err := openConn(raw, ep, cfg)
	if err != nil {
		return nil, err
	}
	e := &RecvEngine{c: c}
	e.init()
	e.r = NewReceiver(ReceiverConfig{Dport: uint16(ep.Port), Group: ep.Group, MaxMsgSize: cfg.MaxMsgSize,
		RxwSqns: windowSqns(cfg.Rate, cfg.RecoveryIvl, cfg.MaxTPDU)},
		func(m [][]byte) { e.batch = append(e.batch, m) })
	return e, nil
}

// Busy is false: a receiver holds nothing LINGER waits for.
func (e *RecvEngine) Busy() bool { return false }

// Stats returns the receiver's counters.
func (e *RecvEngine) Stats() ReceiverStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.r.Stats
}

// Run receives until Close, delivering whole messages to l.In.
func (e *RecvEngine) Run(l transport.Link) error { return e.run(func() error { return e.loop(l) }) }

// loop is Run's body.
func (e *RecvEngine) loop(l transport.Link) error {
	e.mu.Lock()
	e.r.SetBuffers(l.In)
	e.mu.Unlock()
	rd := newInReader(e.c)
	out := func(o Outbound) {
		if o.To == e.r.cfg.Group {
			_ = e.c.sendGroup(o.B)
		} else {
			_ = e.c.sendTo(o.B, o.To)
		}
	}
	var p Packet
	var next, polled, set time.Time
	for {
		deadline := next
		if !next.IsZero() && next.Before(polled.Add(minPoll)) {
			deadline = polled.Add(minPoll)
		}
		// Set only when it moves: a deadline per packet costs the runtime's timer work.
		if !deadline.Equal(set) {
			if err := e.c.setReadDeadline(deadline); err != nil {
				return e.stopped(err)
			}
			set = deadline
		}
		pkts, err := rd.read()
		now := time.Now()
		e.mu.Lock()
		switch {
		case err == nil:
			for _, in := range pkts {
				if Parse(in.b, &p) == nil {
					e.r.Handle(now, &p, in.from, out)
				}
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
		default:
			e.mu.Unlock()
			return e.stopped(err)
		}
		// The timers cost a walk over the gaps: at most once a minPoll, however many
		// packets come, and at least once a pollEvery.
		if since := now.Sub(polled); since >= pollEvery || (!now.Before(next) && since >= minPoll) {
			next, polled = e.r.Poll(now, out), now
		}
		e.mu.Unlock()
		if !e.deliver(l) {
			return nil
		}
	}
}

// deliver hands the batch to the socket, waiting for credit (RCVHWM) as libzmq's receiver
// stops reading; false when Close came while waiting.
func (e *RecvEngine) deliver(l transport.Link) bool {
	// rest, not e.batch, moves on: the batch keeps its whole capacity for the next packet,
	// where a batch resliced from its front would shrink to nothing and grow anew.
	rest := e.batch
	for len(rest) > 0 {
		n := l.In.DeliverBatch(rest)
		clear(rest[:n])
		rest = rest[n:]
		if len(rest) == 0 {
			break
		}
		select {
		case <-l.Space:
		case <-e.quit:
			return false
		}
	}
	e.batch = e.batch[:0]
	return true
}

func (e *RecvEngine) stopped(err error) error {
	select {
	case <-e.quit:
		return nil
	default:
		return err
	}
}

// Close stops Run and closes the socket.
func (e *RecvEngine) Close() error {
	var err error
	e.once.Do(func() {
		close(e.quit)
		err = e.c.close()
		e.waitRun()
	})
	return err
}
