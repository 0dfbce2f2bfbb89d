package engine

import (
	"errors"
	"fmt"
	"os"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
	"github.com/purezmq/zmq/zmtp"
)

// ErrTooLarge reports a peer message above MAXMSGSIZE; the connection is dropped.
var ErrTooLarge = fmt.Errorf("%w: peer message above MAXMSGSIZE", zerr.ErrMsgTooLarge)

const (
	slabSize   = 64 << 10
	smallBody  = 4 << 10  // bodies up to this size are carved from a shared slab
	directBody = 32 << 10 // bodies this big are read straight into their own allocation
	peekSize   = 8 << 10  // after such a body, read this little, expecting another big frame
)

// decoder is the inbound side's state: the message being assembled, decoded messages not yet
// handed to the sink, and the slab small frames are carved from. Whoever holds the read turn
// (turn.go) owns it.
type decoder struct {
	sink Sink
	ic   Interceptor  // sink as an Interceptor, or nil
	bufs BufferSource // sink as a BufferSource, or nil

	frames   [][]byte // the message being assembled
	lists    [][]byte // the shared frame list messages' own lists are carved from, at listsOff
	listsOff int
	msgSize  int64
	batch    []pipe.Msg // decoded, not yet taken by the sink
	slab     []byte     // small frames are carved from it at slabOff
	slabOff  int
	peek     bool   // the last frame was big: read a little, so the next big body is not copied twice
	done     uint64 // messages decoded so far (subscriptions included), delivered or not

	big      []byte // a big body being read straight into its own allocation
	bigSize  int
	bigFlags byte
	bigs     int // big bodies received whole so far (body.go's newBuffer)
}

// BufferSource is a Sink that may have a recycled buffer to read a big frame into; it keeps
// buffers given back for later.
type BufferSource interface {
	TakeBuffer(n int) []byte // a buffer of length n, or nil
	NewBuffer(n int) []byte  // a new buffer of length n the source takes back when dropped, or nil
	KeepBuffer(b []byte)     // b is free: keep it for a later TakeBuffer, or drop it
}

// alloc returns a buffer of length n for one frame: a recycled one when the sink has it.
func (c *Conn) alloc(n int) []byte {
	if b := c.takeBuffer(n); b != nil {
		return b
	}
	return make([]byte, n)
}

func (c *Conn) carve(body []byte) []byte {
	out := c.frameBuffer(len(body))
	copy(out, body)
	return out
}

// frameBuffer returns n bytes for one frame's body: small ones carved from the shared slab,
// bigger ones their own (recycled when the sink has one).
func (c *Conn) frameBuffer(n int) []byte {
	d := &c.dec
	if n > smallBody {
		return c.alloc(n)
	}
	if len(d.slab)-d.slabOff < n {
		// Each new slab doubles, up to slabSize: a busy connection carves many frames from
		// one allocation, a quiet one holds little memory.
		d.slab, d.slabOff = newSlab(min(2*max(len(d.slab), smallBody/2), slabSize)), 0
	}
	// Carved at an offset, not resliced: a slice field rewritten per frame is a pointer write,
	// with a write barrier whenever the garbage collector is marking.
	out := d.slab[d.slabOff : d.slabOff+n : d.slabOff+n]
	d.slabOff += n
	return out
}

// newSlab returns n bytes to carve small frames from. A full-size slab, a busy connection's,
// is one that comes back to the process's pool once no frame carved from it is reachable
// (pipe.Slabs), while the pool has one or room for one more.
func newSlab(n int) []byte {
	if n == slabSize {
		if b := pipe.Slabs.Get(n); b != nil {
			return b
		}
		if b := pipe.Slabs.NewBuffer(n); b != nil {
			return b
		}
	}
	return make([]byte, n)
}

// offer hands the sink as many decoded messages as its credit allows and reports how many.
func (c *Conn) offer() int { return c.offerTo(false) }

// offerTo is offer; own says a caller read the messages and takes them itself (Sink.DeliverOwn).
func (c *Conn) offerTo(own bool) int {
	d := &c.dec
	if len(d.batch) == 0 {
		return 0
	}
	var n int
	if own {
		n = d.sink.DeliverOwn(d.batch)
	} else {
		n = d.sink.DeliverBatch(d.batch)
	}
	rest := copy(d.batch, d.batch[n:])
	clear(d.batch[rest:])
	d.batch = d.batch[:rest]
	return n
}

// decode turns every complete frame buffered into messages in the batch, commands into their
// effects. A big body is read on the spot, straight into its allocation, once what is decoded
// before it has been offered to the sink; but a caller (ReadAsCaller) that decoded a message
// returns first, so its Recv does not hold a whole message while a big body trickles in.
func (c *Conn) decode(caller bool) error {
	d := &c.dec
	entry := d.done
	for {
		var (
			body  []byte
			flags byte
			owned bool // body is a fresh allocation rather than a view of the read buffer
		)
		if d.big != nil {
			if err := c.fillBig(); err != nil {
				return err
			}
			body, flags, owned = d.big, d.bigFlags, true
			d.big = nil
			d.bigs++
		} else {
			b := c.buffered()
			f, size, n, err := zmtp.ParseFrameHeader(b, c.frameMax())
			if err != nil {
				switch {
				case errors.Is(err, zmtp.ErrNeedMore):
					return nil
				case errors.Is(err, zmtp.ErrMsgTooLarge):
					return fmt.Errorf("%w: %w", ErrTooLarge, err)
				}
				return fmt.Errorf("%w: %w", ErrProtocol, err)
			}
			if f&zmtp.FlagCommand == 0 && c.codec == nil {
				if err := c.admit(size); err != nil {
					return err
				}
			}
			switch {
			case len(b) >= n+size:
				body, flags = b[n:n+size:n+size], f
				c.consume(n + size)
			case size >= directBody:
				// What is decoded already goes first: the body may take a while. Its buffer
				// grows with what arrives (body.go).
				c.offerTo(caller)
				have := b[n:]
				d.big = append(c.bodyBuffer(size, len(have)), have...)
				d.bigSize, d.bigFlags = size, f
				c.consume(len(b))
				d.peek = true
				if caller && d.done != entry {
					// A caller's Recv returns what it decoded rather than wait for a
					// body that may take long; the next reader goes on with it.
					return nil
				}
				continue
			default:
				return nil // wait for the rest of this frame
			}
		}
		if c.codec != nil {
			// Opened straight into the buffer the payload is delivered in: no copy after.
			n, err := c.codec.PayloadLen(body)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrProtocol, err)
			}
			dst := c.frameBuffer(n)
			if flags, err = c.codec.OpenInto(dst, body); err != nil {
				return fmt.Errorf("%w: %w", ErrProtocol, err)
			}
			body, owned = dst, true
			if flags&zmtp.FlagCommand == 0 {
				if err := c.admit(n); err != nil {
					return err
				}
			}
		}
		if flags&zmtp.FlagCommand != 0 {
			if err := c.command(body); err != nil {
				return err
			}
			continue
		}
		d.msgSize += d.cost(len(body))
		if !owned {
			body = c.carve(body)
		}
		d.frames = append(d.frames, body)
		if flags&zmtp.FlagMore == 0 {
			d.done++
			m := d.message()
			if d.ic != nil {
				var took bool
				var err error
				if d.batch, took, err = d.ic.Intercept(m, d.batch); err != nil {
					return err
				} else if took {
					continue // taken as it arrived (a subscription)
				}
			}
			d.batch = append(d.batch, m)
		}
	}
}

// message hands out the frames assembled as a message of its own. The frame list of a small
// message is carved from a shared one, capacity capped, so it costs no allocation of its own; a
// big message gets a list of its own, as a shared one would keep its neighbours' big frames
// alive as long as any of them is.
func (d *decoder) message() pipe.Msg {
	n := len(d.frames)
	var m pipe.Msg
	if d.msgSize > pipe.OwnList {
		m = make(pipe.Msg, n)
	} else {
		if len(d.lists)-d.listsOff < n {
			// Each new list doubles, up to listsSize slots, as the slabs do.
			d.lists, d.listsOff = make([][]byte, max(min(2*max(len(d.lists), 2), listsSize), n)), 0
		}
		m = d.lists[d.listsOff : d.listsOff+n : d.listsOff+n]
		d.listsOff += n
	}
	if n == 1 {
		// Most messages have one frame: two assignments, not a copy and a clear, which are
		// calls into the runtime that pass over the slices again for the collector (a fifth
		// of decoding a small message).
		m[0], d.frames[0] = d.frames[0], nil
	} else {
		copy(m, d.frames)
		clear(d.frames)
	}
	d.frames, d.msgSize = d.frames[:0], 0
	if cap(d.frames) > pipe.FreeFrames {
		d.frames = nil // a message of many frames leaves no list that size behind
	}
	return m
}

// cost is what the message's next frame, of size bytes, counts against MAXMSGSIZE
// (pipe.FrameCost). A sealed frame (CURVE) counts the payload it opens to; on the wire it may
// be as big as the limit and the seal's overhead (frameMax).
func (d *decoder) cost(size int) int64 { return pipe.FrameCost(len(d.frames), size) }

// admit fails when the message's next frame, of size bytes, takes it past MAXMSGSIZE.
func (c *Conn) admit(size int) error {
	d := &c.dec
	if max := c.cfg.MaxMsgSize; max >= 0 && d.msgSize+d.cost(size) > max {
		return fmt.Errorf("%w: %d bytes in %d frames", ErrTooLarge, d.msgSize+d.cost(size), len(d.frames)+1)
	}
	return nil
}

// frameMax is the largest frame the connection reads: MAXMSGSIZE and, on a connection that
// seals its frames, the seal's overhead; -1 for no limit.
func (c *Conn) frameMax() int64 {
	max := c.cfg.MaxMsgSize
	if max >= 0 && c.codec != nil {
		max += int64(c.codec.Overhead())
	}
	return max
}

// listsSize is how many frame slots one shared frame list holds.
const listsSize = 64

// readMore reads at least one more byte, moving unconsumed bytes to the front first. The buffer
// grows when it is full (a frame bigger than it, but below directBody) or when a read fills it
// (the peer sends faster than we read), and shrinks after a burst (conn.go).
func (c *Conn) readMore() error {
	limit, peek := len(c.rbuf), c.dec.peek
	if peek {
		limit, c.dec.peek = min(limit, peekSize), false
	}
	if c.off > 0 {
		c.r = copy(c.rbuf, c.rbuf[c.off:c.r])
		c.off = 0
	}
	if c.r == 0 && c.lean >= shrinkAfter && len(c.rbuf) > readBufMin {
		c.rbuf, c.lean = make([]byte, readBufMin), 0 // the burst is over
	}
	if c.r == len(c.rbuf) {
		c.grow()
		limit = len(c.rbuf)
	}
	end := min(len(c.rbuf), max(limit, c.r+1))
	n, err := c.nc.Read(c.rbuf[c.r:end])
	c.r += n
	if n > 0 {
		c.heard()
		if c.r < end && 4*c.r <= len(c.rbuf) {
			c.lean++
		} else {
			c.lean = 0
		}
	}
	if n > 0 && !peek && c.r == len(c.rbuf) && len(c.rbuf) < readBufMax {
		c.grow() // not for a peek, which reads little on purpose
	}
	if n > 0 {
		return nil
	}
	return c.readErr(err)
}

// readErr classifies a failed read: ErrInterrupted when Interrupt's deadline cut it short
// (the connection is fine), else the connection's end.
func (c *Conn) readErr(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.turn.dirty = true
		return ErrInterrupted
	}
	return ioErr(err)
}

func (c *Conn) grow() {
	nb := make([]byte, 2*len(c.rbuf))
	copy(nb, c.rbuf[c.off:c.r])
	c.r -= c.off
	c.off = 0
	c.rbuf = nb
}

// command handles a command frame received after the handshake; SUBSCRIBE and CANCEL go to
// the sink in message form.
func (c *Conn) command(body []byte) error {
	if c.v2 {
		return errCommand2 // checked here, off the data frames' path
	}
	cmd, err := zmtp.ParseCommand(body)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	switch cmd.Name {
	case zmtp.CmdPing:
		ttl, ctx, err := zmtp.ParsePing(cmd)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		c.hb.peerPing(ttl)
		c.queuePong(ctx)
	case zmtp.CmdError:
		reason, _ := zmtp.ParseError(cmd)
		return fmt.Errorf("%w: %q", ErrPeerError, reason)
	case zmtp.CmdSubscribe:
		c.dec.done++
		topic, _ := zmtp.ParseSubscribe(cmd)
		return c.dec.subscription(topic, true)
	case zmtp.CmdCancel:
		c.dec.done++
		topic, _ := zmtp.ParseCancel(cmd)
		return c.dec.subscription(topic, false)
	}
	// PONG and unknown commands need nothing.
	return nil
}
