package socket

import (
	"context"
	"errors"

	"github.com/purezmq/zmq/internal/engine"
)

// Direct I/O: a Recv that finds the Inbox empty reads its peer's connection itself, rather
// than waking when the connection's reader goroutine delivers, and a Send that answers a Recv
// writes to the connection itself, rather than waking its writer goroutine (engine/turn.go
// says why). That is done when the socket has exactly one peer and it is a connection; with
// more, a receiver could watch only one of them, so their goroutines serve them as usual; so
// too while a Poller watches the socket, as bytes nobody reads would never make it readable.

// updateSoleLocked recomputes which peer, if any, Recv and Send may serve themselves; with
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

func (s *Socket) queued() bool { return s.inbox.Len() > 0 }

func isInterrupted(err error) bool { return errors.Is(err, engine.ErrInterrupted) }
