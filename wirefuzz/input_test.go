package wirefuzz_test

import (
	zmq "github.com/purezmq/zmq"
)

// src hands out the fuzz input a byte at a time. Past its end it gives zeros, and zero always
// means "honest" or "stop", so every input, however short, is a complete plan.
type src struct{ b []byte }

func (s *src) u8() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}

func (s *src) u16() int { return int(s.u8())<<8 | int(s.u8()) }

// take returns up to n bytes of input (fewer when it runs out).
func (s *src) take(n int) []byte {
	n = min(n, len(s.b))
	out := append([]byte(nil), s.b[:n]...)
	s.b = s.b[n:]
	return out
}

func (s *src) empty() bool { return len(s.b) == 0 }

type mech int

const (
	mechNull mech = iota
	mechPlain
	mechCurve
)

func (m mech) String() string { return [...]string{"NULL", "PLAIN", "CURVE"}[m] }

type side int

const (
	bound      side = iota // the hostile peer dials the socket
	connecting             // the socket connects to the hostile peer's listener
)

func (s side) String() string { return [...]string{"bound", "connecting"}[s] }

// types are the socket types under test, indexed by the plan's first byte.
var types = []zmq.Type{zmq.PAIR, zmq.REQ, zmq.REP, zmq.DEALER, zmq.ROUTER, zmq.PUB, zmq.SUB, zmq.XPUB, zmq.XSUB, zmq.PUSH, zmq.PULL}

// setup is the socket under test: what the first two bytes of an input choose.
type setup struct {
	side   side
	mech   mech
	typ    zmq.Type
	server bool  // the socket is the mechanism's server (PLAIN, CURVE); the hostile peer plays the other role
	maxMsg int64 // MAXMSGSIZE, -1 for none
	wrong  bool  // the hostile peer's honest handshake uses credentials the socket refuses
	late   bool  // the good peer joins only after the hostile one has gone (always for PAIR)

	coalesce bool // the hostile peer writes its traffic in as few writes as it can
}

// maxMsgLimit is the MAXMSGSIZE a plan may set: above most frames, below the big ones.
const maxMsgLimit = 48 << 10

func decodeSetup(sd side, m mech, s *src) setup {
	st := setup{side: sd, mech: m, typ: types[int(s.u8())%len(types)], maxMsg: -1}
	b := s.u8()
	st.server = b&1 == 0 // the common case first: a hostile client against a server
	if b&2 != 0 {
		st.maxMsg = maxMsgLimit
	}
	st.wrong = b&4 != 0
	st.late = b&8 != 0 || st.typ == zmq.PAIR
	st.coalesce = b&16 != 0
	return st
}

func (st setup) String() string {
	s := st.side.String() + " " + st.typ.String() + " " + st.mech.String()
	if st.mech != mechNull {
		s += map[bool]string{true: " server", false: " client"}[st.server]
	}
	if st.maxMsg >= 0 {
		s += " maxmsg"
	}
	if st.wrong {
		s += " wrong-credentials"
	}
	if st.late {
		s += " late-peer"
	}
	if st.coalesce {
		s += " coalesced"
	}
	return s
}

// sizes are the frame sizes a size byte of 0x80 or more picks: the edges of the short and long
// encodings, the slab and direct-read thresholds of the reader, and the writer's writev edge.
var sizes = []int{128, 255, 256, 257, 1000, 4095, 4096, 4097, 8191, 8192, 8193, 16384,
	32767, 32768, 32769, 65535, 65536, 65537, 100000, 262144, 1 << 20}

// size turns one byte into a frame size: 0-127 as is, else an edge from sizes.
func size(b byte) int {
	if b < 0x80 {
		return int(b)
	}
	return sizes[int(b-0x80)%len(sizes)]
}

// huge are sizes a header may declare but the peer never sends: past any buffer, past 4 GiB,
// at and past the codec's own cap.
var huge = []uint64{1 << 22, 1 << 31, 1 << 40, 1 << 62, 1<<62 + 1, 1<<63 - 1, 1<<64 - 1}
