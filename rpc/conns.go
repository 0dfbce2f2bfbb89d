package rpc

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	zmq "github.com/purezmq/zmq"
)

// A connection's state, from its DEALER's monitor events.
const (
	connConnecting int32 = iota // not tried yet: worth waiting for
	connUp                      // handshake done: calls go here
	connDown                    // refused, failed or dropped: skipped until it is up again
)

// conn is one DEALER connected to one server endpoint, shared by every route that lists it.
type conn struct {
	endpoint string
	sock     *zmq.Socket
	state    atomic.Int32
	refs     int // routes listing it, under clientCore.mu
	stopMon  func()
	turn     chan struct{} // holds the read turn while no caller reads (see wait)
	// lost: the connection dropped, and the calls on it fail once the replies it received
	// before are handed out (see lost); cleared by the read turn that does it.
	lost  atomic.Bool
	drops atomic.Uint64 // how often it dropped: calls sent since the last drop outlive it

	closeOnce sync.Once
	calls     int  // calls waiting for replies on it, under clientCore.pmu
	retired   bool // no route lists it: close it when calls reaches 0; under clientCore.pmu
}

// connEvents are the monitor events that change a connection's state.
const connEvents = zmq.EventHandshakeSucceeded | zmq.EventDisconnected | zmq.EventConnectRetried |
	zmq.EventHandshakeFailedNoDetail | zmq.EventHandshakeFailedProtocol | zmq.EventHandshakeFailedAuth

// newConn connects a DEALER to endpoint and starts its monitor; callers read its replies. IMMEDIATE
// makes a Send wait for a live connection instead of queueing for one that may never come.
func (c *clientCore) newConn(endpoint string) (*conn, error) {
	opts := append([]zmq.Option{zmq.WithImmediate(true), zmq.WithLinger(0), zmq.WithMaxMsgSize(c.cfg.maxMsg)}, c.curve...)
	opts = append(opts, c.cfg.dl.heartbeatOptions()...)
	s, err := c.zctx.NewSocket(zmq.DEALER, opts...)
	if err != nil {
		return nil, err
	}
	cn := &conn{endpoint: endpoint, sock: s, turn: make(chan struct{}, 1)}
	events, stop := s.Monitor(connEvents)
	cn.stopMon = stop
	if err := s.Connect(endpoint); err != nil {
		stop()
		_ = s.Close()
		return nil, err
	}
	cn.turn <- struct{}{}
	c.wg.Add(1)
	go c.watchConn(cn, events)
	return cn, nil
}

// watchConn follows a connection's state; a drop fails the calls waiting on it.
func (c *clientCore) watchConn(cn *conn, events <-chan zmq.Event) {
	defer c.wg.Done()
	for e := range events {
		switch e.Type {
		case zmq.EventHandshakeSucceeded:
			c.setState(cn, connUp)
		case zmq.EventDisconnected:
			c.setState(cn, connDown)
			c.lose(cn)
		case zmq.EventMonitorStopped:
		default:
			c.setState(cn, connDown)
		}
	}
}

// lose fails the calls waiting on cn, whose connection dropped, after handing out the replies
// it received before: the monitor reports a drop as soon as the connection ends, maybe before
// whoever reads cn has read what came just before the end. The read turn does it: here when
// nobody has it, else by the caller that has it, whose wait is cut short.
func (c *clientCore) lose(cn *conn) {
	cn.drops.Add(1)
	cn.lost.Store(true)
	select {
	case <-cn.turn:
		c.handOutLost(cn)
		cn.turn <- struct{}{}
	default:
		c.pmu.Lock()
		for _, p := range c.pending {
			if p.conn == cn && p.stopRead != nil {
				p.stopRead()
			}
		}
		c.pmu.Unlock()
	}
}

// handOutLost, with the read turn, hands out the replies cn holds and fails the calls left.
func (c *clientCore) handOutLost(cn *conn) {
	if !cn.lost.Load() || !cn.lost.Swap(false) { // a load first: this runs for every reply read
		return
	}
	now, cancel := context.WithCancel(context.Background())
	cancel() // a done ctx: Recv takes what is queued, never waits
	for {
		m, err := cn.sock.Recv(now)
		if err != nil {
			break
		}
		c.dispatch(m)
	}
	c.failSent(cn, cn.drops.Load(), newError(Unavailable, "connection to "+cn.endpoint+" lost"))
}

// dispatch hands a message from a server to the call it answers.
func (c *clientCore) dispatch(m zmq.Msg) {
	if id, ok := parseProgress(m.Frames); ok {
		c.progress(id)
		return
	}
	r, err := parseReply(m.Frames)
	if err != nil {
		return // a server that breaks the format: the call ends by its deadline
	}
	if q := c.takePending(r.id); q != nil {
		q.done <- result{rep: r}
	}
}

func (c *clientCore) setState(cn *conn, st int32) {
	if cn.state.Swap(st) == st {
		return
	}
	c.mu.Lock()
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// await waits for p's result. The caller takes the connection's read turn when it is free and
// reads the replies itself, handing others' to their calls, until its own comes: a lone caller
// then reads its reply straight from the connection (the socket's direct read), with no
// goroutine in between. false: ctx ended first.
func (c *clientCore) await(ctx context.Context, cn *conn, p *pending) (result, bool) {
	select {
	case res := <-p.done:
		return res, true
	case <-cn.turn:
		res, ok := c.read(ctx, cn, p)
		cn.turn <- struct{}{}
		return res, ok
	case <-ctx.Done():
		return result{}, false
	}
}

// read is a read turn: it reads cn's replies until p's result is in. A failure of the
// connection (failPending) interrupts it through p's read context.
func (c *clientCore) read(ctx context.Context, cn *conn, p *pending) (result, bool) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.pmu.Lock()
	p.stopRead = cancel
	c.pmu.Unlock()
	for {
		c.handOutLost(cn)
		select {
		case res := <-p.done:
			return res, true
		default:
		}
		m, err := cn.sock.Recv(rctx)
		if err != nil {
			if cn.lost.Load() {
				continue // cut short by lose: hand out, then fail
			}
			if errors.Is(err, zmq.ErrClosed) {
				// Closed under us (the user's zmq.Context shut down, say): nothing will answer
				// the calls on it. closeConn fails them too; failing them twice is harmless.
				c.failPending(cn, newError(Unavailable, "connection to "+cn.endpoint+" closed"))
			}
			select { // failed by failPending, or ctx ended
			case res := <-p.done:
				return res, true
			case <-ctx.Done():
				return result{}, false
			}
		}
		c.dispatch(m)
	}
}

// closeConn ends a connection: its goroutines end with its socket, its calls with e.
func (c *clientCore) closeConn(cn *conn) {
	cn.closeOnce.Do(func() {
		cn.stopMon()
		_ = cn.sock.Close()
	})
	c.failPending(cn, newError(Unavailable, "connection to "+cn.endpoint+" closed"))
}

// retire takes cn out of use: no route lists it any more. It closes once the calls it
// carries have their replies, so a server that leaves (deregisters, then drains) answers
// them.
func (c *clientCore) retire(cn *conn) {
	c.pmu.Lock()
	cn.retired = true
	busy := cn.calls > 0
	c.pmu.Unlock()
	if busy {
		c.retiring[cn] = struct{}{} // under c.mu, held by the caller
		return
	}
	c.closeConn(cn)
}

// closeRetired closes a retired connection whose last call has ended.
func (c *clientCore) closeRetired(cn *conn) {
	c.mu.Lock()
	delete(c.retiring, cn)
	c.mu.Unlock()
	c.closeConn(cn)
}
