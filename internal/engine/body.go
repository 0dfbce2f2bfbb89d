package engine

// A big body (directBody or more) is read straight into a buffer of its own. Its frame header
// says how big it will be, but a peer may declare a large body and send little of it; so its
// buffer is sized by what has arrived: room for the bytes in and as much again, bigStart at
// least, doubling whenever the bytes fill it. A peer then costs at most about twice what it has
// sent, and each byte is copied a bounded number of times (the copies add up to less than
// the body). The buffers outgrown go back to the socket's pool, where the next big body's
// growth finds them. A recycled buffer that takes the whole body is used whole from the start:
// that memory is spent already.

// bigStart is what a big body's header alone may make the reader allocate: about one read
// buffer.
const bigStart = 64 << 10

// bodyBuffer returns an empty buffer for a body of size bytes, have of which are in.
func (c *Conn) bodyBuffer(size, have int) []byte {
	if b := c.takeBuffer(size); b != nil {
		return b[:0]
	}
	n := min(size, max(bigStart, 2*have))
	if b := c.takeBuffer(n); b != nil {
		return b[:0]
	}
	return c.newBuffer(n)[:0]
}

// takeBuffer returns a pooled buffer of length n, or nil.
func (c *Conn) takeBuffer(n int) []byte {
	if c.dec.bufs == nil {
		return nil
	}
	return c.dec.bufs.TakeBuffer(n)
}

// armAfter is how many big bodies a connection sends whole before its next ones go into
// buffers that come back.
const armAfter = 8

// newBuffer returns a new buffer of length n: one the sink takes back once the application
// drops it, when it has one and this connection streams big bodies (armAfter of them whole
// so far), else an ordinary allocation. A buffer that comes back is held for later big bodies;
// a peer's odd big message, or a hostile peer's, is not worth holding memory for.
func (c *Conn) newBuffer(n int) []byte {
	if c.dec.bufs != nil && c.dec.bigs >= armAfter {
		if b := c.dec.bufs.NewBuffer(n); b != nil {
			return b
		}
	}
	return make([]byte, n)
}

// growBody gives the body under way twice the room (up to its size), keeping what is in.
func (c *Conn) growBody() {
	d := &c.dec
	old := d.big
	n := min(d.bigSize, 2*cap(old))
	nb := c.takeBuffer(n)
	if nb == nil {
		nb = c.newBuffer(n)
	}
	d.big = nb[:copy(nb, old)]
	if c.dec.bufs != nil {
		c.dec.bufs.KeepBuffer(old[:cap(old)])
	}
}

// fillBig reads the rest of the big body under way. An interrupted read leaves it where it
// was, to be finished by the next holder of the read turn.
func (c *Conn) fillBig() error {
	d := &c.dec
	for len(d.big) < d.bigSize {
		if len(d.big) == cap(d.big) {
			c.growBody()
		}
		n, err := c.nc.Read(d.big[len(d.big):min(cap(d.big), d.bigSize)])
		d.big = d.big[:len(d.big)+n]
		if n > 0 {
			c.heard()
		}
		if err != nil && len(d.big) < d.bigSize {
			return c.readErr(err)
		}
	}
	return nil
}
