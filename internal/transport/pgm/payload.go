package pgm

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/purezmq/zmq/internal/pipe"
)

// libzmq's APDU: a 2-byte big-endian offset to the first message that starts in the packet
// (noOffset when none does), then ZMTP/1.0 frames — a length counting the flags byte (one
// byte, or 0xff and eight bytes from 255 on), the flags (bit 0: MORE), the body — which run
// on from packet to packet.
const (
	noOffset   = 0xffff
	flagMore   = 0x01
	offsetLen  = 2
	bigLenMark = 0xff
)

// ErrPayload is a TSDU that is not libzmq's layout: an offset past its end, a frame length of
// zero, a message above the receiver's limit.
var ErrPayload = errors.New("pgm: bad payload")

// packer cuts a stream of messages into APDUs of at most max bytes, as libzmq's pgm_sender
// does. emit is handed each full APDU; it may keep it.
type packer struct {
	max    int
	cur    []byte
	offset int
	emit   func(apdu []byte)
}

func newPacker(max int, emit func([]byte)) *packer {
	p := &packer{max: max, emit: emit}
	p.reset()
	return p
}

func (p *packer) reset() {
	p.cur = make([]byte, offsetLen, p.max)
	p.offset = noOffset
}

// add appends one message (its frames), emitting every APDU it fills.
func (p *packer) add(msg [][]byte) {
	if len(p.cur) == p.max {
		p.flush()
	}
	if p.offset == noOffset {
		p.offset = len(p.cur) - offsetLen
	}
	var hdr [10]byte
	for i, f := range msg {
		var flags byte
		if i < len(msg)-1 {
			flags = flagMore
		}
		n := uint64(len(f)) + 1
		h := hdr[:0]
		if n < bigLenMark {
			h = append(h, byte(n), flags)
		} else {
			h = append(h, bigLenMark)
			h = binary.BigEndian.AppendUint64(h, n)
			h = append(h, flags)
		}
		p.write(h)
		p.write(f)
	}
}

func (p *packer) write(b []byte) {
	for len(b) > 0 {
		if len(p.cur) == p.max {
			p.flush()
		}
		n := copy(p.cur[len(p.cur):p.max], b)
		p.cur = p.cur[:len(p.cur)+n]
		b = b[n:]
	}
}

// flush emits the APDU being filled, if it holds anything.
func (p *packer) flush() {
	if len(p.cur) == offsetLen {
		return
	}
	binary.BigEndian.PutUint16(p.cur, uint16(p.offset))
	p.emit(p.cur)
	p.reset()
}

// unpacker rebuilds messages from one source's APDUs, in sequence order. It joins the stream
// at the first offset it sees; reset (after data loss or a bad payload) drops the message in
// progress and waits for the next offset again.
type unpacker struct {
	maxMsgSize int64       // -1: no limit
	alloc      *frameAlloc // nil: every frame and list allocated
	joined     bool
	msg        [][]byte // the frames of the message under way; its list is handed out by alloc
	msgSize    int      // what they count against MAXMSGSIZE
	hdr        [10]byte
	hdrLen     int
	frame      []byte
	need       uint64 // body bytes still to come for frame
	inBody     bool
	more       bool
}

func (u *unpacker) reset() {
	u.joined = false
	clear(u.msg)
	u.msg, u.frame, u.msgSize = u.msg[:0], nil, 0
	u.hdrLen, u.need, u.inBody, u.more = 0, 0, false, false
}

// feed decodes one APDU and hands every message it completes to deliver, which owns it. An
// error means the stream cannot be read on; the unpacker has reset itself.
func (u *unpacker) feed(apdu []byte, deliver func([][]byte)) error {
	if len(apdu) < offsetLen {
		u.reset()
		return fmt.Errorf("%w: %d-byte TSDU", ErrPayload, len(apdu))
	}
	off := int(binary.BigEndian.Uint16(apdu))
	data := apdu[offsetLen:]
	if !u.joined {
		if off == noOffset {
			return nil
		}
		if off > len(data) {
			return fmt.Errorf("%w: offset %d past %d bytes", ErrPayload, off, len(data))
		}
		data = data[off:]
		u.joined = true
	}
	if err := u.decode(data, deliver); err != nil {
		u.reset()
		return err
	}
	return nil
}

func (u *unpacker) decode(data []byte, deliver func([][]byte)) error {
	for len(data) > 0 {
		if n := u.whole(data); n > 0 {
			// Most small messages are one frame, whole in the packet: taken without the
			// state below, so without its pointer writes.
			deliver(u.alloc.single(data[2:n]))
			data = data[n:]
			continue
		}
		if u.inBody {
			n := uint64(len(data))
			if n > u.need {
				n = u.need
			}
			u.frame = append(u.frame, data[:n]...)
			data = data[n:]
			u.need -= n
			if u.need == 0 {
				u.endFrame(deliver)
			}
			continue
		}
		u.hdr[u.hdrLen] = data[0]
		u.hdrLen++
		data = data[1:]
		want := 2
		if u.hdr[0] == bigLenMark {
			want = 10
		}
		if u.hdrLen < want {
			continue
		}
		var size uint64
		if want == 2 {
			size = uint64(u.hdr[0])
		} else {
			size = binary.BigEndian.Uint64(u.hdr[1:])
		}
		if size == 0 {
			return fmt.Errorf("%w: frame length 0", ErrPayload)
		}
		size-- // the flags byte
		// MAXMSGSIZE bounds the whole message (pipe.FrameCost), where libzmq's v1 decoder
		// bounds each frame: as the stream transports do.
		if size > 1<<62 || (u.maxMsgSize >= 0 && int64(u.msgSize)+pipe.FrameCost(len(u.msg), int(size)) > u.maxMsgSize) {
			return fmt.Errorf("%w: message above the size limit", ErrPayload)
		}
		u.more = u.hdr[want-1]&flagMore != 0
		u.hdrLen = 0
		u.frame = u.alloc.frame(size)
		u.need = size
		u.inBody = true
		if size == 0 {
			u.endFrame(deliver)
		}
	}
	return nil
}

// whole returns the length on the wire of the message data starts with, when it is a small
// one-frame message whole in data and no message is under way; else 0.
func (u *unpacker) whole(data []byte) int {
	if u.inBody || u.hdrLen > 0 || len(u.msg) > 0 || len(data) < 2 {
		return 0
	}
	n, flags := int(data[0]), data[1]
	// n counts the flags byte: 0 is malformed, bigLenMark a long header, both the slow path's.
	if n == 0 || n == bigLenMark || flags&flagMore != 0 || 1+n > len(data) ||
		(u.maxMsgSize >= 0 && int64(n-1) > u.maxMsgSize) {
		return 0
	}
	return 1 + n
}

func (u *unpacker) endFrame(deliver func([][]byte)) {
	u.msgSize += int(pipe.FrameCost(len(u.msg), len(u.frame)))
	u.msg = append(u.msg, u.frame)
	u.frame, u.inBody = nil, false
	if !u.more {
		msg := u.alloc.list(u.msg, u.msgSize)
		clear(u.msg)
		u.msg, u.msgSize = u.msg[:0], 0
		deliver(msg)
	}
}
