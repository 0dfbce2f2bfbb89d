package zmtp

import "encoding/binary"

// ZMTP 2.0 (RFC 15) is what a 3.x peer downgrades to when the other side's greeting carries
// revision 1: no mechanism, no commands; the greeting ends with a socket-type byte and an
// identity frame, and frames are as in 3.x without the COMMAND bit.

// Revision2 is the revision byte (offset 10) of a ZMTP 2.0 greeting.
const Revision2 = 0x01

// Greeting2Size is the fixed part of a ZMTP 2.0 greeting: the signature, the revision and
// the socket-type byte. The identity frame follows.
const Greeting2Size = 12

// maxIdentity2 is the longest identity a ZMTP 2.0 peer may announce: libzmq's routing ids
// are at most 255 bytes.
const maxIdentity2 = 255

// AppendSignature appends the 10-byte signature as libzmq sends it: its padding is the size
// of an identity frame of idLen bytes, flags included, so that a ZMTP 1.0 peer reads it as
// the header of one (RFC 15, "Backwards Interoperability"); 3.x peers ignore the padding.
func AppendSignature(b []byte, idLen int) []byte {
	b = append(b, sigStart)
	b = binary.BigEndian.AppendUint64(b, uint64(max(idLen, 0))+1)
	return append(b, sigEnd)
}

// AppendTail appends what follows the major version in the greeting Append writes (bytes 11
// to 63): a peer sends it once the other side's version says it speaks 3.x.
func (g Greeting) AppendTail(b []byte) []byte {
	var head [GreetingSize]byte
	return append(b, g.Append(head[:0])[minorOffset:]...)
}

// socketTypes2 is libzmq's socket-type numbering, which the ZMTP 2.0 greeting carries; RFC
// 15 lists 0 to 8, and libzmq sends XPUB and XSUB as 9 and 10.
var socketTypes2 = [...]string{"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB"}

// SocketType2 returns the socket type a ZMTP 2.0 greeting's socket-type byte names.
func SocketType2(n byte) (string, bool) {
	if int(n) >= len(socketTypes2) {
		return "", false
	}
	return socketTypes2[n], true
}

// SocketTypeNumber2 returns the byte a ZMTP 2.0 greeting carries for socket type name; false
// for the types ZMTP 2.0 predates.
func SocketTypeNumber2(name string) (byte, bool) {
	for i, s := range socketTypes2 {
		if s == name {
			return byte(i), true
		}
	}
	return 0, false
}

// AppendGreeting2Tail appends what a peer that downgrades to ZMTP 2.0 sends after the
// signature and version byte: the socket-type byte and the identity frame.
func AppendGreeting2Tail(b []byte, socketType byte, identity []byte) []byte {
	b = append(b, socketType)
	return AppendFrame(b, 0, identity)
}

// ParseIdentity2 parses the identity frame that ends a ZMTP 2.0 greeting from the front of b
// and returns the identity (a view of b) and the bytes it took. It returns ErrNeedMore for a
// valid prefix, ErrMalformed for a frame with MORE or a reserved bit set, ErrMsgTooLarge for an
// identity over 255 bytes. A LONG header is accepted, as libzmq's decoder accepts it.
func ParseIdentity2(b []byte) (id []byte, n int, err error) {
	if len(b) > 0 && b[0]&^FlagLong != 0 {
		return nil, 0, malformed("ZMTP 2.0 identity frame has flags %#02x", b[0])
	}
	_, size, h, err := ParseFrameHeader(b, maxIdentity2)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < h+size {
		return nil, 0, ErrNeedMore
	}
	return b[h : h+size], h + size, nil
}
