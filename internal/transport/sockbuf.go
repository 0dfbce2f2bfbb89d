package transport

import "net"

// SetBuffers sets a tcp or ipc connection's kernel buffers, SO_SNDBUF and SO_RCVBUF, to send and
// recv bytes (ZMQ_SNDBUF, ZMQ_RCVBUF); -1 leaves the operating system's default. The kernel
// rounds the value as it likes (Linux doubles it and clamps it to its limits), as with libzmq, so
// a refusal is not an error either: the connection works with whatever buffer it has.
func SetBuffers(c net.Conn, send, recv int) {
	bc, ok := c.(interface {
		SetWriteBuffer(int) error
		SetReadBuffer(int) error
	})
	if !ok {
		return
	}
	if send >= 0 {
		_ = bc.SetWriteBuffer(send)
	}
	if recv >= 0 {
		_ = bc.SetReadBuffer(recv)
	}
}
