package engine

import (
	"net"
	"sync/atomic"

	"github.com/purezmq/zmq/internal/pipe"
)

// RawChunk bounds each read of a raw connection, and so each message it yields: libzmq's 8 KiB.
// A raw connection holds at most RCVHWM of them queued.
const RawChunk = 8 << 10

// RawConn is one connection of a raw socket (STREAM): no greeting, no framing. What each read
// gets becomes a one-frame message; each outbound message's frame is written as it is.
type RawConn struct {
	nc       net.Conn
	busy     atomic.Bool // the writer holds bytes it has not finished writing
	finish   atomic.Bool // close once everything queued before Finish is written
	finished atomic.Bool // Finish, not the peer or a failure, ended the connection
}

// NewRaw wraps nc, which needs no handshake.
func NewRaw(nc net.Conn) *RawConn { return &RawConn{nc: nc} }

// Busy reports whether the writer holds bytes it has not finished writing.
func (c *RawConn) Busy() bool { return c.busy.Load() }

// Finish closes the connection once the writer has written what q holds now; the caller makes
// sure nothing is queued after it.
func (c *RawConn) Finish(q *pipe.OutQueue) {
	c.finish.Store(true)
	q.WakeWriter()
}

// Finished reports whether Finish ended the connection.
func (c *RawConn) Finished() bool { return c.finished.Load() }

// Run moves bytes until the connection fails, its peer closes it, Finish is done or quit is
// closed: what is read into p (waiting on space while p has no credit, so a peer that floods
// is held back by tcp, not by memory), what q holds to the connection. idle is called whenever
// the writer has written everything it was given. Run closes the connection before it returns;
// it returns nil when quit or Finish ended it.
func (c *RawConn) Run(p *pipe.Pipe, space <-chan struct{}, q *pipe.OutQueue, quit <-chan struct{}, idle func()) error {
	stop := make(chan struct{})
	rdone := make(chan error, 1)
	go func() { rdone <- c.readLoop(p, space, stop) }()
	werr, rerr, readEnded := c.writeLoop(q, rdone, quit, idle)
	close(stop)
	c.nc.Close()
	if !readEnded {
		rerr = <-rdone
	}
	select {
	case <-quit:
		return nil
	default:
	}
	if c.finished.Load() {
		return nil
	}
	if werr != nil {
		return werr
	}
	return rerr
}

func (c *RawConn) readLoop(p *pipe.Pipe, space, stop <-chan struct{}) error {
	buf := make([]byte, RawChunk)
	for {
		n, err := c.nc.Read(buf)
		if n > 0 {
			// A copy the size of what came, so a trickle of small reads does not pin a chunk
			// each; big ones reuse what the application recycled.
			b := p.TakeBuffer(n)
			if b == nil {
				b = make([]byte, n)
			}
			copy(b, buf[:n])
			if !p.Deliver(pipe.Msg{b}, space, stop) {
				return nil
			}
		}
		if err != nil {
			return err
		}
	}
}

// writeLoop writes what q holds until the connection fails, the reader ends (its error is
// returned with readEnded set), Finish is done or quit is closed.
func (c *RawConn) writeLoop(q *pipe.OutQueue, rdone <-chan error, quit <-chan struct{}, idle func()) (werr, rerr error, readEnded bool) {
	var (
		batch []pipe.Msg
		bufs  net.Buffers
		more  bool
	)
	for {
		// busy goes up before the queue is drained, so linger never sees both empty.
		c.busy.Store(true)
		batch, more = q.Drain(batch[:0], flushAt)
		if len(batch) > 0 {
			for _, m := range batch {
				bufs = append(bufs, m...)
			}
			out := bufs // WriteTo consumes its receiver
			_, err := out.WriteTo(c.nc)
			clear(bufs)
			bufs = bufs[:0]
			clear(batch)
			if err != nil {
				c.busy.Store(false)
				return err, nil, false
			}
			if more {
				continue
			}
		}
		c.busy.Store(false)
		idle()
		if c.finish.Load() && q.Len() == 0 {
			c.finished.Store(true)
			return nil, nil, false
		}
		select {
		case <-q.Wake():
		case err := <-rdone:
			return nil, err, true
		case <-quit:
			return nil, nil, false
		}
	}
}
