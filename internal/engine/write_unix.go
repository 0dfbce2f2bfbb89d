//go:build unix

package engine

import "syscall"

// rawWriter writes to the connection's descriptor without waiting (WriteNow).
type rawWriter struct {
	rc syscall.RawConn
	fn func(fd uintptr) bool // bound once: a method value per call would allocate
	b  []byte
	n  int
}

func (c *Conn) initRawWriter() {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	c.rw.rc = rc
	c.rw.fn = c.rw.write
}

func (r *rawWriter) write(fd uintptr) bool {
	n, err := syscall.Write(int(fd), r.b)
	if err != nil {
		n = 0 // EAGAIN (full socket buffer) or a failure the writer goroutine will meet
	}
	r.n = n
	return true // never wait for room
}

func (c *Conn) canWriteNow() bool { return c.rw.rc != nil }

// writeNonBlocking writes what the socket buffer takes of b now, and reports how much.
func (c *Conn) writeNonBlocking(b []byte) int {
	c.rw.b, c.rw.n = b, 0
	if err := c.rw.rc.Write(c.rw.fn); err != nil {
		c.rw.n = 0
	}
	c.rw.b = nil
	return c.rw.n
}
