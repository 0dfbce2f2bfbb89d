//go:build unix

package transport

import "syscall"

// beforeConnect: control sets the buffers before connect and listen.
const beforeConnect = true

// control sets the buffers on a socket not yet connected or listening (net.Dialer.Control,
// net.ListenConfig.Control).
func (b Buffers) control(_, _ string, rc syscall.RawConn) error {
	if !b.set() {
		return nil
	}
	return rc.Control(func(fd uintptr) {
		if b.Send >= 0 {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, b.Send)
		}
		if b.Recv >= 0 {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, b.Recv)
		}
	})
}
