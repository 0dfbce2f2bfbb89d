package norm

import (
	"encoding/binary"
	"fmt"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

// libzmq's norm engine writes each frame of a message to the NORM stream as a sync byte (0x00
// before a message's first frame, 0xff before the others) and the frame in ZMTP/2.0 form
// (flags: 1 more, 2 long; the size in 1 byte, or 8 when long; the body), then flushes the
// stream with end-of-message, so that every frame starts a segment NORM marks as a message
// start. A receiver that joins late, or loses data for good, seeks the next mark with a sync
// byte of 0x00 and starts there.
const (
	syncFirst = 0x00
	syncMore  = 0xff
	flagMore  = 0x01
	flagLong  = 0x02
	flagCmd   = 0x04

	// growStep bounds what a declared frame size makes us allocate before its bytes come.
	growStep = 64 << 10
)

// ErrFraming is a NORM stream that does not hold libzmq's framing where it should.
var ErrFraming = fmt.Errorf("%w: bad libzmq framing in a NORM stream", zerr.ErrProtocol)

// appendFrame appends one frame as libzmq's norm engine writes it to the stream.
func appendFrame(b []byte, first, more bool, body []byte) []byte {
	sync := byte(syncMore)
	if first {
		sync = syncFirst
	}
	var flags byte
	if more {
		flags |= flagMore
	}
	if len(body) > 255 {
		b = append(b, sync, flags|flagLong)
		b = binary.BigEndian.AppendUint64(b, uint64(len(body)))
	} else {
		b = append(b, sync, flags, byte(len(body)))
	}
	return append(b, body...)
}

// deframer turns the bytes of one sender's stream, in order, into whole messages.
type deframer struct {
	max    int64 // MAXMSGSIZE, <0 for none
	inSync bool

	state    int // what the next byte is: stSync, stFlags, stSize, stBody
	flags    byte
	sizeBuf  [8]byte
	sizeN    int // size bytes still wanted
	size     int // body bytes wanted in all
	body     []byte
	msg      pipe.Msg
	msgBytes int64
	dropping bool // this message is over max: read to its end, deliver nothing

	Lost    int // messages dropped for framing errors, data loss or length
	deliver func(pipe.Msg) bool
}

const (
	stSync = iota
	stFlags
	stSize
	stBody
)

// reset forgets the message in progress (its data is lost) and seeks the next mark.
func (d *deframer) reset() {
	if d.inSync && (len(d.msg) > 0 || d.state != stSync) {
		d.Lost++
	}
	d.inSync = false
	d.state = stSync
	d.msg, d.body, d.msgBytes, d.dropping = nil, nil, 0, false
}

// write consumes p, whose byte at mark (-1 for none) the sender marked as a message start.
// It returns false when deliver did (the receiver is closing); p's bytes are copied.
func (d *deframer) write(p []byte, mark int) bool {
	for len(p) > 0 {
		if !d.inSync {
			if mark < 0 || mark >= len(p) {
				return true
			}
			p, mark = p[mark:], -1
			if p[0] != syncFirst {
				continue // a later frame of a message: seek the next mark
			}
			d.inSync = true
		}
		n, ok, err := d.step(p)
		if err != nil {
			d.reset()
			if mark >= n {
				mark -= n
			} else {
				mark = -1
			}
			p = p[n:]
			continue
		}
		if !ok {
			return false
		}
		p = p[n:]
		if mark >= 0 {
			mark -= n
		}
	}
	return true
}

// step consumes what it can of p in sync and reports how much.
func (d *deframer) step(p []byte) (int, bool, error) {
	switch d.state {
	case stSync:
		want := byte(syncFirst)
		if len(d.msg) > 0 || d.dropping {
			want = syncMore
		}
		if p[0] != want {
			return 1, true, fmt.Errorf("%w: sync byte %#x, want %#x", ErrFraming, p[0], want)
		}
		d.state = stFlags
		return 1, true, nil
	case stFlags:
		d.flags = p[0]
		if d.flags&^(flagMore|flagLong) != 0 {
			return 1, true, fmt.Errorf("%w: frame flags %#x", ErrFraming, d.flags)
		}
		d.state, d.sizeN = stSize, 1
		if d.flags&flagLong != 0 {
			d.sizeN = 8
		}
		return 1, true, nil
	case stSize:
		n := min(d.sizeN, len(p))
		copy(d.sizeBuf[8-d.sizeN:], p[:n])
		d.sizeN -= n
		if d.sizeN > 0 {
			return n, true, nil
		}
		var sz uint64
		if d.flags&flagLong != 0 {
			sz = binary.BigEndian.Uint64(d.sizeBuf[:])
		} else {
			sz = uint64(d.sizeBuf[7])
		}
		if sz > 1<<62 {
			return n, true, fmt.Errorf("%w: frame of %d bytes", ErrFraming, sz)
		}
		d.size = int(sz)
		d.msgBytes += pipe.FrameCost(len(d.msg), d.size)
		if d.max >= 0 && d.msgBytes > d.max {
			d.dropping = true
		}
		if !d.dropping {
			d.body = make([]byte, 0, min(d.size, growStep))
		}
		d.state = stBody
		if d.size == 0 {
			return n, d.frameDone(), nil
		}
		return n, true, nil
	}
	n := min(d.size-len(d.body), len(p))
	if d.dropping {
		d.size -= n
		if d.size > 0 {
			return n, true, nil
		}
		return n, d.frameDone(), nil
	}
	d.body = append(d.body, p[:n]...)
	if len(d.body) < d.size {
		return n, true, nil
	}
	return n, d.frameDone(), nil
}

// frameDone ends a frame, and delivers the message it ends.
func (d *deframer) frameDone() bool {
	d.state = stSync
	if !d.dropping {
		d.msg = append(d.msg, d.body)
	}
	d.body = nil
	if d.flags&flagMore != 0 {
		return true
	}
	m, dropped := d.msg, d.dropping
	d.msg, d.msgBytes, d.dropping = nil, 0, false
	if dropped {
		d.Lost++
		return true
	}
	return d.deliver(m)
}
