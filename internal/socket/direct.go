package socket

import (
	"context"
	"errors"

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
// engine.Conn.ReadAsCaller. A done ctx interrupts the read.
func (s *Socket) readDirect(ctx context.Context, c *engine.Conn) error {
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, c.Interrupt)
		defer stop()
	}
	return c.ReadAsCaller(ctx, s.closing, s.queued)
}

func (s *Socket) queued() bool { return s.inbox.Queued() }

func isInterrupted(err error) bool { return errors.Is(err, engine.ErrInterrupted) }
