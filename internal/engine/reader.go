package engine

import (
	"errors"
	"fmt"
	"slices"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// ErrTooLarge reports a peer message above MAXMSGSIZE; the connection is dropped.
var ErrTooLarge = errors.New("zmq: peer message above MAXMSGSIZE")

const (
	slabSize   = 64 << 10
	smallBody  = 4 << 10  // bodies up to this size are carved from a shared slab
	directBody = 32 << 10 // bodies this big are read straight into their own allocation
	peekSize   = 8 << 10  // after such a body, read this little, expecting another big frame
)

// readLoop decodes frames from big reads and hands whole messages to sink in batches.
func (c *Conn) readLoop(sink Sink, space, stop <-chan struct{}) error {
	var (
		frames  [][]byte // the message being assembled
		msgSize int64
		batch   []pipe.Msg
		slab    []byte
		slabLen = smallBody / 2
		peek    bool // the last frame was big: read a little, so the next big body is not copied twice
	)
	ic, _ := sink.(Interceptor)
	carve := func(body []byte) []byte {
		if len(body) > smallBody {
			return append(make([]byte, 0, len(body)), body...)
		}
		if len(slab) < len(body) {
			// Each new slab doubles, up to slabSize: a busy connection carves many frames
			// from one allocation, a quiet one holds little memory.
			slabLen = min(2*slabLen, slabSize)
			slab = make([]byte, max(slabLen, len(body)))
		}
		out := slab[:len(body):len(body)]
		slab = slab[len(body):]
		copy(out, body)
		return out
	}
	// deliver hands the decoded messages to sink, waiting for credit; false when stopped.
	deliver := func() bool {
		for i := 0; i < len(batch); {
			i += sink.DeliverBatch(batch[i:])
			if i < len(batch) {
				select {
				case <-space:
				case <-stop:
					return false
				}
			}
		}
		clear(batch)
		batch = batch[:0]
		return true
	}
	for {
		for {
			b := c.buffered()
			flags, size, n, err := zmtp.ParseFrameHeader(b, c.cfg.MaxMsgSize)
			if errors.Is(err, zmtp.ErrNeedMore) {
				break
			}
			if errors.Is(err, zmtp.ErrMsgTooLarge) {
				return fmt.Errorf("%w: %w", ErrTooLarge, err)
			}
			if err != nil {
				return fmt.Errorf("%w: %w", ErrProtocolFormat, err)
			}
			if flags&zmtp.FlagCommand == 0 {
				msgSize += int64(size)
				if c.cfg.MaxMsgSize >= 0 && msgSize > c.cfg.MaxMsgSize {
					return fmt.Errorf("%w: %d bytes", ErrTooLarge, msgSize)
				}
			}
			var body []byte
			owned := false // body is a fresh allocation rather than a view of the read buffer
			switch {
			case len(b) >= n+size:
				body = b[n : n+size : n+size]
				c.consume(n + size)
			case size >= directBody:
				// What is decoded already goes first: the body may take a while.
				if !deliver() {
					return nil
				}
				// Read the rest straight into the body's own allocation, whose size
				// ParseFrameHeader has already checked against the limit: up to trustedBody,
				// the bytes cross memory once.
				body, err = c.readBody(b[n:], size)
				if err != nil {
					return err
				}
				owned = true
				c.consume(len(b))
				peek = true
			}
			if body == nil {
				if flags&zmtp.FlagCommand == 0 {
					msgSize -= int64(size) // counted again when the frame is complete
				}
				break // wait for the rest of this frame
			}
			if c.codec != nil {
				if flags, body, err = c.codec.Open(body); err != nil {
					return fmt.Errorf("%w: %w", ErrProtocolFormat, err)
				}
				owned = true
			}
			if flags&zmtp.FlagCommand != 0 {
				if err := c.command(body, sink); err != nil {
					return err
				}
				continue
			}
			if !owned {
				body = carve(body)
			}
			frames = append(frames, body)
			if flags&zmtp.FlagMore == 0 {
				if ic != nil && ic.Intercept(frames) {
					frames, msgSize = nil, 0 // taken as it arrived (a subscription)
					continue
				}
				batch = append(batch, frames)
				frames, msgSize = nil, 0
			}
		}
		if !deliver() {
			return nil
		}
		limit := len(c.rbuf)
		if peek {
			limit, peek = min(limit, peekSize), false
		}
		if err := c.readMore(limit); err != nil {
			return err
		}
	}
}

// trustedBody is the most a frame header alone makes the reader allocate. A bigger body grows
// as its bytes arrive, so a peer declaring a huge frame (there is no MAXMSGSIZE by default)
// costs only what it really sends, instead of an allocation that kills the process.
const trustedBody = 4 << 20

// readBody reads a size-byte body, of which have is already buffered, into its own allocation.
func (c *Conn) readBody(have []byte, size int) ([]byte, error) {
	body := make([]byte, len(have), min(size, max(trustedBody, len(have))))
	copy(body, have)
	for len(body) < size {
		if len(body) == cap(body) {
			body = slices.Grow(body, min(len(body), size-len(body)))
		}
		n, err := c.nc.Read(body[len(body):min(cap(body), size)])
		body = body[:len(body)+n]
		c.heard()
		if err != nil && len(body) < size {
			return nil, ioErr(err)
		}
	}
	return body[:size:size], nil
}

// readMore reads at least one more byte, and at most limit bytes in all buffered, moving
// unconsumed bytes to the front first. The buffer grows when it is full (a frame bigger than it,
// but below directBody) or when a read fills it (the peer sends faster than we read).
func (c *Conn) readMore(limit int) error {
	if c.off > 0 {
		c.r = copy(c.rbuf, c.rbuf[c.off:c.r])
		c.off = 0
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
	}
	if n > 0 && c.r == len(c.rbuf) && len(c.rbuf) < readBufMax {
		c.grow()
	}
	if n > 0 {
		return nil
	}
	return err
}

func (c *Conn) grow() {
	nb := make([]byte, 2*len(c.rbuf))
	copy(nb, c.rbuf[c.off:c.r])
	c.r -= c.off
	c.off = 0
	c.rbuf = nb
}

// command handles a command frame received after the handshake; SUBSCRIBE and CANCEL go to
// sink in message form.
func (c *Conn) command(body []byte, sink Sink) error {
	cmd, err := zmtp.ParseCommand(body)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrProtocolFormat, err)
	}
	switch cmd.Name {
	case zmtp.CmdPing:
		ttl, ctx, err := zmtp.ParsePing(cmd)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrProtocolFormat, err)
		}
		c.hb.peerPing(ttl)
		c.sendControl(zmtp.AppendPong(nil, ctx))
	case zmtp.CmdError:
		reason, _ := zmtp.ParseError(cmd)
		return fmt.Errorf("%w: %q", ErrPeerError, reason)
	case zmtp.CmdSubscribe:
		topic, _ := zmtp.ParseSubscribe(cmd)
		subscription(sink, topic, true)
	case zmtp.CmdCancel:
		topic, _ := zmtp.ParseCancel(cmd)
		subscription(sink, topic, false)
	}
	// PONG and unknown commands need nothing.
	return nil
}
