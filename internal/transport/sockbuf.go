package transport

import "net"

// Buffers are a connection's kernel buffers, SO_SNDBUF and SO_RCVBUF, in bytes (ZMQ_SNDBUF,
// ZMQ_RCVBUF); -1 leaves the operating system's default. The kernel rounds them as it likes
// (Linux doubles them and clamps them to its limits), as with libzmq, so a refusal is no error:
// the connection works with whatever buffer it has.
//
// As libzmq does, they are set before a tcp socket connects or listens (accepted connections
// inherit the listener's): a receive buffer shrunk after the handshake is smaller than the
// window already offered to the peer, and the kernel then drops data it has no room for and
// stalls on retransmissions for seconds.
type Buffers struct{ Send, Recv int }

// OSBuffers leaves both buffers at the operating system's default.
var OSBuffers = Buffers{-1, -1}

func (b Buffers) set() bool { return b.Send >= 0 || b.Recv >= 0 }

// apply sets the buffers of an open connection.
func (b Buffers) apply(c net.Conn) {
	bc, ok := c.(interface {
		SetWriteBuffer(int) error
		SetReadBuffer(int) error
	})
	if !ok || !b.set() {
		return
	}
	if b.Send >= 0 {
		_ = bc.SetWriteBuffer(b.Send)
	}
	if b.Recv >= 0 {
		_ = bc.SetReadBuffer(b.Recv)
	}
}
