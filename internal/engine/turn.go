package engine

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
)

// The read turn: who reads a connection. Its background reader, a goroutine, reads, decodes and
// delivers on its own, so a connection is served while nobody calls Recv (heartbeats, EOF, a
// Poller's readiness). But a message it delivers to a receiver parked in Recv costs a hand-off
// between goroutines, and on a busy machine a hand-off is a cross-thread wake-up that costs more
// than the read itself: a unix-socket ping-pong between two Go processes on 2 cores measured
// 18 µs one way with no hand-off and 55 µs with one. So a receiver that finds its socket's queue
// empty may take the turn and read the connection itself (ReadAsCaller), parked in the netpoller
// where the data wakes it directly. The background reader gives the turn up when asked, and
// takes it back once no caller has read for handBack, or when the socket stops callers
// (SetCallerReads).
//
// The turn passes under turn.mu; the decoder and the read buffer belong to whoever holds it.
// A blocking read is cut short with a read deadline in the past (Interrupt); the next holder
// clears it before reading again.

// handBack is how long the background reader leaves the connection to callers after the last
// one read it.
const handBack = time.Millisecond

var (
	// ErrInterrupted ends a read cut short by Interrupt; the connection is fine. A caller
	// that gets it looks at why, then reads again or waits.
	ErrInterrupted = errors.New("zmq: read interrupted")
	// ErrReadBusy means another goroutine holds the read turn: wait for what it delivers.
	ErrReadBusy = errors.New("zmq: connection read elsewhere")
)

// longAgo is a read deadline that has passed: it interrupts a blocked read at once.
var longAgo = time.Unix(1, 0)

type holder uint8

const (
	nobody holder = iota
	background
	caller
)

type readTurn struct {
	mu     sync.Mutex
	handed sync.Cond // signalled when the turn changes hands
	holder holder
	yield  bool // a caller waits for the background reader to hand over
	closed bool // Run is ending: nobody takes the turn again
	uses   uint64
	seen   uint64 // uses when the watchdog was armed
	armed  bool   // the watchdog's timer runs
	watch  *time.Timer

	callers atomic.Bool // callers may take the turn (SetCallerReads)

	dirty bool // the holder's: the last read ended at Interrupt's deadline

	space, stop <-chan struct{}
	yieldWake   chan struct{} // wakes a background reader waiting for credit to hand over

	failOnce sync.Once
	err      error         // why reading ended; set before done closes
	done     chan struct{} // closed when reading fails
}

// init prepares the turn for newConn: held by the background reader, which Run starts.
func (t *readTurn) init() {
	t.handed.L = &t.mu
	t.yieldWake = pipe.NewWake()
	t.done = make(chan struct{})
	t.holder = background
}

// Interrupt cuts short a read blocked on the connection; its holder then looks at why it was
// called (a done ctx, a closing socket, SetCallerReads) and goes on reading if nothing applies.
func (c *Conn) Interrupt() { _ = c.nc.SetReadDeadline(longAgo) }

// ReadAsCaller reads the connection in the caller's goroutine until it has delivered at least
// one message to the sink (or the sink is full), or queued reports a message waiting already,
// and returns nil then. It returns ErrReadBusy when callers are not let in, another caller
// holds the turn or the connection is ending; ErrInterrupted when ctx ends, closing closes or
// callers are stopped while it waits; and the connection's error when reading fails (the
// connection is then closing, as when its background reader fails).
func (c *Conn) ReadAsCaller(ctx context.Context, closing <-chan struct{}, queued func() bool) error {
	if !c.takeTurn() {
		return ErrReadBusy
	}
	err := c.readAsCaller(ctx, closing, queued)
	c.endCallerTurn()
	return err
}

func (c *Conn) readAsCaller(ctx context.Context, closing <-chan struct{}, queued func() bool) error {
	t := &c.turn
	start := c.dec.done
	for {
		// Done once something may have reached the socket (an Interceptor may have taken a
		// message and queued nothing), or the sink is full.
		c.offerTo(true)
		if c.dec.done != start || len(c.dec.batch) > 0 {
			return nil
		}
		if t.dirty {
			_ = c.nc.SetReadDeadline(time.Time{})
			t.dirty = false
		}
		// Looked at after clearing the deadline: an Interrupt for any of these either is
		// seen here or cuts short the read below.
		if ctx.Err() != nil || !t.callers.Load() || isClosed(closing) {
			return ErrInterrupted
		}
		if queued() {
			return nil // the background reader delivered before it handed over
		}
		err := c.decode(true)
		if err == nil && c.dec.done == start {
			err = c.readMore()
		}
		if err == ErrInterrupted {
			continue
		}
		if err != nil {
			c.readFailed(err)
			return err
		}
	}
}

// takeTurn gives the turn to a caller, waiting for the background reader to hand it over;
// false when another caller has it, or reading has ended.
func (c *Conn) takeTurn() bool {
	t := &c.turn
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || t.err != nil || t.yield || t.holder == caller || !t.callers.Load() {
		return false
	}
	if t.holder == nobody {
		t.holder = caller
		return true
	}
	t.yield = true
	t.mu.Unlock()
	pipe.Signal(t.yieldWake)
	c.Interrupt()
	t.mu.Lock()
	for t.holder == background {
		t.handed.Wait()
	}
	return t.holder == caller
}

// endCallerTurn gives up a caller's turn: to the background reader if the socket asked for it,
// else to nobody, with the watchdog armed to start the background reader if no caller comes.
func (c *Conn) endCallerTurn() {
	t := &c.turn
	t.mu.Lock()
	defer t.mu.Unlock()
	t.uses++
	t.holder = nobody
	switch {
	case t.closed || t.err != nil:
		t.handed.Broadcast()
	case !t.callers.Load():
		t.holder = background
		go c.runBackground()
	case !t.armed:
		t.armed = true
		t.seen = t.uses
		if t.watch == nil {
			t.watch = time.AfterFunc(handBack, c.watchdog)
		} else {
			t.watch.Reset(handBack)
		}
	}
}

// watchdog starts the background reader when no caller has read for a whole handBack. While
// a caller holds the turn it lets the watchdog lapse, for the caller arms it again when it
// ends its turn: so a caller waiting long for its peer (a hundred DEALERs in one process, each
// round trip longer than handBack) costs no firing per handBack, each a goroutine. Stopping
// it when a caller takes the turn would spare even the one firing, but a timer stopped and
// reset per turn wakes the netpoller each time (a round trip of 25 µs took 35).
func (c *Conn) watchdog() {
	t := &c.turn
	t.mu.Lock()
	t.armed = false
	if t.closed || t.err != nil || t.holder != nobody {
		t.mu.Unlock()
		return
	}
	if t.uses != t.seen {
		t.seen = t.uses
		t.armed = true
		t.watch.Reset(handBack)
		t.mu.Unlock()
		return
	}
	t.holder = background
	t.mu.Unlock()
	c.runBackground()
}

// SetCallerReads lets callers take the turn (on), or ends that (off): the socket allows it
// while this is its only peer, and stops it when another joins or a Poller watches, as a caller
// blocked on this connection would not see their messages. Off interrupts a caller reading and
// gives the turn back to the background reader.
func (c *Conn) SetCallerReads(on bool) {
	t := &c.turn
	t.mu.Lock()
	t.callers.Store(on)
	if on {
		t.mu.Unlock()
		return
	}
	switch {
	case t.closed || t.err != nil:
	case t.holder == nobody:
		t.holder = background
		go c.runBackground()
	case t.holder == caller:
		t.mu.Unlock()
		c.Interrupt()
		return
	}
	t.mu.Unlock()
}

// runBackground reads, decodes and delivers, waiting for credit when the sink is full, until
// reading fails, Run ends or a caller asks for the turn. It holds the turn on entry.
func (c *Conn) runBackground() {
	t := &c.turn
	for {
		if t.dirty {
			_ = c.nc.SetReadDeadline(time.Time{})
			t.dirty = false
		}
		if c.handOver() {
			return
		}
		err := c.decode(false)
		if err == nil {
			err = c.deliverAll()
		}
		if err == nil {
			err = c.readMore()
		}
		if err == ErrInterrupted {
			continue
		}
		if err != nil {
			c.readFailed(err)
			c.handOver()
			return
		}
	}
}

// handOver gives the background reader's turn to a waiting caller, or up when reading is
// over; false when the background reader keeps it.
func (c *Conn) handOver() bool {
	t := &c.turn
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed || t.err != nil:
		t.holder = nobody
	case t.yield:
		t.holder = caller
	default:
		return false
	}
	t.yield = false
	t.handed.Broadcast()
	return true
}

// deliverAll hands every decoded message to the sink, waiting for credit; ErrInterrupted when
// a caller asks for the turn or Run ends first.
func (c *Conn) deliverAll() error {
	t := &c.turn
	for {
		c.offer()
		if len(c.dec.batch) == 0 {
			return nil
		}
		select {
		case <-t.space:
		case <-t.yieldWake:
			return ErrInterrupted
		case <-t.stop:
			c.readFailed(errStopped)
			return ErrInterrupted
		}
	}
}

var errStopped = errors.New("zmq: connection stopped")

// readFailed records why reading ended, once, and tells the writer.
func (c *Conn) readFailed(err error) {
	t := &c.turn
	t.failOnce.Do(func() {
		t.mu.Lock()
		t.err = err
		t.mu.Unlock()
		close(t.done)
	})
}

// stopReading waits until nobody reads the connection, which Run has closed, and keeps it so.
func (c *Conn) stopReading() error {
	t := &c.turn
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	if t.watch != nil {
		t.watch.Stop()
	}
	for t.holder != nobody {
		t.handed.Wait()
	}
	if t.err == errStopped {
		return nil
	}
	return t.err
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
