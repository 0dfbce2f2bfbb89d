package memcast

import (
	"encoding/binary"
	"strconv"
	"sync/atomic"

	"github.com/purezmq/zmq/internal/pipe"
)

type pipeMsg = pipe.Msg

// A datagram is a header, then a piece of the sender's stream of frames: each frame a flags
// byte (1: more frames follow), a 4-byte big-endian length and the bytes. The header is the
// sender's id (a source, as PGM's TSI), a sequence number per source, and the offset in the
// piece of the first message that starts there (noStart when none), as libzmq's PGM layout.
const (
	headerLen  = 10
	frameHdr   = 5
	minPayload = frameHdr + 1
	noStart    = 0xffff
)

var sources atomic.Uint32

func itoa(n int) string { return strconv.Itoa(n) }

type encoder struct {
	id    uint32
	seq   uint32
	buf   []byte // the datagram being filled; handed off whole when sent
	first int    // offset of the first message start in buf's payload, or noStart
}

// message appends m to the stream, sending each datagram it fills.
func (e *encoder) message(m pipe.Msg, tpdu int, emit func([]byte)) {
	for i, f := range m {
		var h [frameHdr]byte
		if i < len(m)-1 {
			h[0] = 1
		}
		binary.BigEndian.PutUint32(h[1:], uint32(len(f)))
		e.write(h[:], i == 0, tpdu, emit)
		e.write(f, false, tpdu, emit)
	}
}

func (e *encoder) write(b []byte, start bool, tpdu int, emit func([]byte)) {
	if len(b) == 0 {
		return
	}
	for first := true; first || len(b) > 0; first = false {
		if len(e.buf) == tpdu {
			e.flush(emit)
		}
		if e.buf == nil {
			if e.id == 0 {
				e.id = sources.Add(1)
			}
			e.buf = make([]byte, headerLen, tpdu)
			e.first = noStart
		}
		if start && first && e.first == noStart {
			e.first = len(e.buf) - headerLen
		}
		n := copy(e.buf[len(e.buf):tpdu], b)
		e.buf = e.buf[:len(e.buf)+n]
		b = b[n:]
	}
}

// flush sends the datagram being filled, if any.
func (e *encoder) flush(emit func([]byte)) {
	if e.buf == nil {
		return
	}
	binary.BigEndian.PutUint32(e.buf[0:], e.id)
	binary.BigEndian.PutUint32(e.buf[4:], e.seq)
	binary.BigEndian.PutUint16(e.buf[8:], uint16(e.first))
	e.seq++
	d := e.buf
	e.buf = nil
	emit(d)
}

// decoder rebuilds the messages of every source it hears.
type decoder struct {
	max  int64 // MAXMSGSIZE, -1 for none: longer messages are dropped
	srcs map[uint32]*source
	// Lost counts the messages dropped for a missed datagram or a bad one.
	Lost int
}

type source struct {
	next   uint32
	synced bool
	hdr    [frameHdr]byte
	hn     int
	need   int
	frame  []byte
	msg    pipe.Msg
	size   int64
	skip   bool // a message over max: its bytes are read and dropped
}

// datagram takes one datagram and returns the messages it completes.
func (d *decoder) datagram(b []byte) []pipe.Msg {
	if len(b) < headerLen {
		return nil
	}
	id, seq := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	first := int(binary.BigEndian.Uint16(b[8:]))
	b = b[headerLen:]
	if d.srcs == nil {
		d.srcs = map[uint32]*source{}
	}
	s := d.srcs[id]
	if s == nil {
		s = &source{}
		d.srcs[id] = s
	} else if seq != s.next && s.synced {
		d.lose(s)
	}
	s.next = seq + 1
	if !s.synced {
		if first == noStart || first >= len(b) {
			return nil // a joiner waits for a message start
		}
		b, s.synced = b[first:], true
	}
	var out []pipe.Msg
	// An empty frame completes with its header, with nothing after it in b.
	for len(b) > 0 || s.hn == frameHdr && s.need == 0 {
		if s.hn < frameHdr {
			n := copy(s.hdr[s.hn:], b)
			s.hn += n
			b = b[n:]
			if s.hn < frameHdr {
				break
			}
			if s.hdr[0] > 1 {
				d.lose(s) // not our stream: wait for the next message start
				return out
			}
			s.need = int(binary.BigEndian.Uint32(s.hdr[1:]))
			s.size += pipe.FrameCost(len(s.msg), s.need)
			s.skip = s.skip || d.max >= 0 && s.size > d.max
			s.frame = nil
		}
		n := min(s.need, len(b))
		if !s.skip {
			s.frame = append(s.frame, b[:n]...) // grows with what came, never what was declared
		}
		s.need -= n
		b = b[n:]
		if s.need > 0 {
			break
		}
		s.hn = 0
		if !s.skip {
			s.msg = append(s.msg, s.frame)
		}
		if s.hdr[0]&1 == 0 {
			if !s.skip {
				out = append(out, s.msg)
			}
			s.msg, s.size, s.skip = nil, 0, false
		}
	}
	return out
}

// lose drops s's message under way and waits for the next start.
func (d *decoder) lose(s *source) {
	if len(s.msg) > 0 || s.hn > 0 {
		d.Lost++
	}
	*s = source{next: s.next}
}
