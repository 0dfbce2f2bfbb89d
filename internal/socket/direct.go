package socket

import (
	"context"
	"errors"
	"sync"

	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/pipe"
)

// Direct I/O: a Recv that finds the Inbox empty reads its peer's connection itself, rather
// than waking when the connection's reader goroutine delivers, and a Send that answers a Recv
// writes to the connection itself, rather than waking its writer goroutine (engine/turn.go
// says why).
//
// Reading is done when the socket has exactly one peer and it is a connection; with more, a
// receiver could watch only one of them, so their goroutines serve them as usual; so too while
// a Poller watches the socket, as bytes nobody reads would never make it readable.
//
// Writing is done for whichever connection the answer goes to, however many peers the socket
// has (a ROUTER answering one of a hundred clients): a write from the sender's goroutine
// touches only that connection, and the connection's own lock (engine.Conn.WriteNow) settles
// it with its writer goroutine. One Send writes one connection at most: the first its pattern
// queues to; any other wakes its writer as usual.

// directSend is the state of one Send that may write its peer's connection itself; it lives
// in the socket and is guarded by s.mu, which every push (link.TryPush) holds.
type directSend struct {
	on bool  // this Send answers a Recv: its first push leaves the writer asleep
	to *link // the link that push went to, whose connection the sender then writes
}

// TryPush queues m for the connection, as the pipe's way out (pipe.Out). The first push of a
// Send answering a Recv leaves the writer asleep, for the sender writes the queue itself once
// it lets go of s.mu (Socket.Send).
func (l *link) TryPush(m pipe.Msg) bool {
	ds := l.ds
	if !ds.on || ds.to != nil || l.conn == nil {
		return l.q.TryPush(m)
	}
	if !l.q.TryPushQuiet(m) {
		return false
	}
	ds.to = l
	return true
}

// HasRoom reports whether TryPush would take a message now (pipe.Pipe.HasRoom).
func (l *link) HasRoom() bool { return l.q.HasRoom() }

// updateSoleLocked recomputes which peer, if any, Recv may read itself; with
// s.mu held. A connection that stops being it gets its background reader back.
func (s *Socket) updateSoleLocked() {
	var sole *link
	if !s.closed && len(s.links) == 1 {
		for l := range s.links {
			if l.conn != nil {
				sole = l
			}
		}
	}
	if sole != nil && s.ready.n.Load() > 0 {
		sole = nil
	}
	if sole == s.sole && (sole == nil || sole.conn == s.soleConn) {
		return
	}
	if s.soleConn != nil {
		s.soleConn.SetCallerReads(false)
	}
	s.sole, s.soleConn = sole, nil
	if sole != nil {
		s.soleConn = sole.conn
		s.soleConn.SetCallerReads(true)
	}
}

// readDirect reads c in the caller's goroutine until a message is queued; see
// engine.Conn.ReadAsCaller. A done ctx interrupts the read (ctxWatch).
func (s *Socket) readDirect(ctx context.Context, c *engine.Conn) error {
	if ctx.Done() != nil {
		if s.watch.enter(ctx, c) {
			defer s.watch.leave()
		} else {
			stop := context.AfterFunc(ctx, c.Interrupt)
			defer stop()
		}
	}
	return c.ReadAsCaller(ctx, s.closing, s.queued)
}

// ctxWatch interrupts a direct read when the ctx of the Recv making it ends. A registration
// (context.AfterFunc) per Recv takes the ctx's lock twice and allocates, and a server's
// goroutines, each with a socket, commonly share one ctx, whose lock they would all take on
// every Recv; so once two reads in a row run under the same ctx (the same Done), the watch
// keeps one registration for it, used by every read under it, until a read brings another ctx
// or the socket closes (stop). A ctx seen for the first time gets a registration for that read
// alone, stopped when it returns, as a ctx made for one Recv (a per-call timeout, cancelled
// once it returns) would otherwise fire a kept one, a goroutine, on every call. A read while
// another is under way (two goroutines receiving on one socket) registers for itself too.
type ctxWatch struct {
	mu      sync.Mutex      // a leaf lock
	done    <-chan struct{} // Done of the ctx the last read ran under
	stopReg func() bool     // the registration kept for done, nil when none
	reading *engine.Conn    // the connection a read under the kept registration reads now
	closed  bool            // the socket closed: nothing kept any more
}

// enter registers the read of c under ctx with the kept registration; false when the caller
// must register for this read itself.
func (w *ctxWatch) enter(ctx context.Context, c *engine.Conn) bool {
	done := ctx.Done()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.reading != nil || w.closed {
		return false
	}
	if w.done != done {
		if w.stopReg != nil {
			w.stopReg()
			w.stopReg = nil
		}
		w.done = done
		return false
	}
	if w.stopReg == nil {
		w.stopReg = context.AfterFunc(ctx, func() { w.fire(done) })
	}
	w.reading = c
	return true
}

// leave ends the read enter let in.
func (w *ctxWatch) leave() {
	w.mu.Lock()
	w.reading = nil
	w.mu.Unlock()
}

// fire interrupts the read under way when the ctx whose Done is done has ended and the
// registration is still the kept one. A ctx that ends while no read is under way needs
// nothing: a Recv looks at its ctx before it reads (engine.Conn.ReadAsCaller).
func (w *ctxWatch) fire(done <-chan struct{}) {
	w.mu.Lock()
	c := w.reading
	if w.done != done {
		c = nil // the watch has moved on; this one was stopped too late
	}
	w.mu.Unlock()
	if c != nil {
		c.Interrupt()
	}
}

// stop drops the registration for good, for a closing socket: a long-lived ctx would otherwise
// keep it, and the socket with it. A read under way loses its ctx's interrupt, but Close
// interrupts it anyway.
func (w *ctxWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.stopReg != nil {
		w.stopReg()
	}
	w.done, w.stopReg = nil, nil
}

func (s *Socket) queued() bool { return s.inbox.Queued() }

func isInterrupted(err error) bool { return errors.Is(err, engine.ErrInterrupted) }
