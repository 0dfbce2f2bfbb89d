package engine

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// The read buffer starts small, so ten thousand quiet connections cost little, and doubles up
// to readBufMax whenever a read fills it, so a busy one reads in big chunks. It goes back to
// readBufMin, when empty, once shrinkAfter reads in a row were lean: each got everything the
// peer had sent (it did not fill its room) and a quarter of the buffer at most. One lean read
// in a burst does not shrink it, and a shrink costs one small allocation.
const (
	readBufMin  = 8 << 10
	readBufMax  = 64 << 10
	shrinkAfter = 8
)

// Conn is a connection past its handshake.
type Conn struct {
	nc  net.Conn
	cfg Config

	rbuf   []byte
	off, r int // unconsumed bytes are rbuf[off:r]
	lean   int // lean reads in a row (readMore)
	dec    decoder
	turn   readTurn // who may read nc, rbuf and dec now (turn.go)

	// Command frames for the writer, encoded, under ctrlMu. A peer that PINGs faster than it
	// reads costs one PONG (libzmq keeps at most one pending), and a stalled writer one PING.
	ctrlMu sync.Mutex
	ctrl   [][]byte // subscriptions, in order
	pong   []byte   // the PONG due, for the latest PING; empty for none
	ping   []byte   // our PING, when one is due; nil for none
	kick   chan struct{}

	busy atomic.Bool // the writer holds messages not yet written
	wmu  sync.Mutex  // the write turn: held by whoever writes nc and owns w
	w    writer
	rw   rawWriter // non-blocking writes for WriteNow (write_unix.go)
	idle func()    // Run's idle callback

	codec mechanism.Codec // seals and opens every frame (CURVE); nil for NULL and PLAIN

	minor    uint8        // the peer's ZMTP minor version: 1 or more speaks PING/PONG
	v2       bool         // a ZMTP 2.0 peer: a COMMAND bit is a reserved bit set (handshake2.go)
	epoch    time.Time    // when the connection was made: lastRecv and the heartbeat count from it
	lastRecv atomic.Int64 // when bytes last arrived, since epoch (heartbeat.go)
	hb       *heartbeat   // set by Run before the reader starts
}

func newConn(nc net.Conn, cfg Config) *Conn {
	c := &Conn{nc: nc, cfg: cfg, rbuf: make([]byte, readBufMin), kick: pipe.NewWake(), epoch: time.Now()}
	c.turn.init()
	c.initRawWriter()
	return c
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

func (c *Conn) buffered() []byte { return c.rbuf[c.off:c.r] }

func (c *Conn) consume(n int) { c.off += n }

// fill reads until at least n bytes are buffered, compacting or growing the buffer as needed.
func (c *Conn) fill(n int) error {
	if c.r-c.off >= n {
		return nil
	}
	if c.off+n > len(c.rbuf) {
		if n > len(c.rbuf) {
			nb := make([]byte, n)
			c.r = copy(nb, c.rbuf[c.off:c.r])
			c.rbuf = nb
		} else {
			c.r = copy(c.rbuf, c.rbuf[c.off:c.r])
		}
		c.off = 0
	}
	for c.r-c.off < n {
		m, err := c.nc.Read(c.rbuf[c.r:])
		c.r += m
		if err != nil {
			if c.r-c.off >= n {
				return nil
			}
			return ioErr(err)
		}
	}
	return nil
}

// sendControl queues an encoded command frame ahead of the data stream's next write.
func (c *Conn) sendControl(frame []byte) {
	c.ctrlMu.Lock()
	c.ctrl = append(c.ctrl, frame)
	c.ctrlMu.Unlock()
	pipe.Signal(c.kick)
}

// queuePong makes a PONG with ctx the one due, in place of any not taken yet. The writer is
// kicked only when none was due: one due already has its kick on the way.
func (c *Conn) queuePong(ctx []byte) {
	c.ctrlMu.Lock()
	due := len(c.pong) > 0
	c.pong = zmtp.AppendPong(c.pong[:0], ctx)
	c.ctrlMu.Unlock()
	if !due {
		pipe.Signal(c.kick)
	}
}

// queuePing makes frame, our PING, due; one due already is enough.
func (c *Conn) queuePing(frame []byte) {
	c.ctrlMu.Lock()
	due := c.ping != nil
	c.ping = frame
	c.ctrlMu.Unlock()
	if !due {
		pipe.Signal(c.kick)
	}
}

// Busy reports whether the writer holds messages it has not finished writing.
func (c *Conn) Busy() bool { return c.busy.Load() }

// Close closes the connection; the loops of Run end.
func (c *Conn) Close() error { return c.nc.Close() }

// Sink receives decoded messages: a pipe's inbound side. DeliverOwn is for messages a caller
// read (ReadAsCaller) and will take itself: it wakes no other receiver for them.
type Sink interface {
	DeliverBatch(ms []pipe.Msg) int
	DeliverOwn(ms []pipe.Msg) int
}

// Run moves messages until the connection fails or quit is closed: inbound ones into sink
// (waiting on space when it has no credit), outbound ones from q. idle is called whenever the
// writer has written everything it was given. Run closes the connection before it returns; it
// returns nil when quit ended it.
func (c *Conn) Run(sink Sink, space <-chan struct{}, q *pipe.OutQueue, quit <-chan struct{}, idle func()) error {
	stop := make(chan struct{})
	c.dec.sink = sink
	c.dec.ic, _ = sink.(Interceptor)
	c.dec.bufs, _ = sink.(BufferSource)
	c.turn.space, c.turn.stop = space, stop
	c.idle = idle
	hb := c.startHeartbeat()
	go c.runBackground()
	werr := c.writeLoop(q, c.turn.done, quit, idle)
	close(stop)
	c.nc.Close()
	rerr := c.stopReading()
	hb.stop()
	select {
	case <-quit:
		return nil
	default:
	}
	if err := hb.failure(); err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	return rerr
}
