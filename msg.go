package zmq

import (
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/purezmq/zmq/zmtp"
)

// Msg is a multipart message: one or more frames, delivered whole or not at all.
//
// Ownership: after Send the frames belong to the library (do not modify them; as with libzmq,
// a sent message is gone). After Recv they belong to the caller. Small received frames may share
// one backing allocation, so a frame kept for long keeps its neighbours' memory alive too.
type Msg struct {
	Frames [][]byte // the parts in order, as libzmq sends them with ZMQ_SNDMORE; a frame may be empty
	meta   zmtp.Metadata
}

// NewMsg returns a message of the given frames (not copied).
func NewMsg(frames ...[]byte) Msg { return Msg{Frames: frames} }

// NewMsgString returns a message whose frames are the given strings.
func NewMsgString(frames ...string) Msg {
	m := Msg{Frames: make([][]byte, len(frames))}
	for i, f := range frames {
		m.Frames[i] = []byte(f)
	}
	return m
}

// Len returns the number of frames.
func (m Msg) Len() int { return len(m.Frames) }

// Size returns the total number of bytes in all frames.
func (m Msg) Size() int {
	n := 0
	for _, f := range m.Frames {
		n += len(f)
	}
	return n
}

// String shows the frames for logs and tests, never ambiguously: each is a Go-quoted string
// when it is valid UTF-8 (non-printable characters escaped), else 0x and its hex digits, so
// ["a" "" 0x006b8b4567] is three frames whatever bytes they hold.
func (m Msg) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range m.Frames {
		if i > 0 {
			b.WriteByte(' ')
		}
		if utf8.Valid(f) {
			b.WriteString(strconv.Quote(string(f)))
		} else {
			b.WriteString("0x" + hex.EncodeToString(f))
		}
	}
	b.WriteByte(']')
	return b.String()
}

// Property returns a property of the connection a received message came from, as libzmq's
// zmq_msg_gets: "Socket-Type" and "Routing-Id" (or its old name "Identity") as the peer
// announced them; "User-Id", the user a ZAP handler authenticated; "Peer-Address", the peer's
// IP address over tcp and "localhost:uid:gid:pid" of the peer process over ipc (Linux); any
// other property the peer sent in its handshake, such as the X- ones of ZMQ_METADATA, and the
// metadata a ZAP handler added. Names are case-insensitive (libzmq's are not). Inproc peers
// carry no properties, as in libzmq.
func (m Msg) Property(name string) (string, bool) {
	v, ok := m.meta.Get(name)
	if !ok {
		// Peers announce the routing id under the old name, libzmq's own included: either
		// name finds it, whichever was sent.
		switch {
		case strings.EqualFold(name, zmtp.PropRoutingID):
			v, ok = m.meta.Get(zmtp.PropIdentity)
		case strings.EqualFold(name, zmtp.PropIdentity):
			v, ok = m.meta.Get(zmtp.PropRoutingID)
		}
	}
	return string(v), ok
}
