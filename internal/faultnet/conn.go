package faultnet

import (
	"net"
	"sync"
)

// conn is one relayed connection: the socket accepted from the client, the one dialled to the
// target, and a pump for each direction.
type conn struct {
	r      *Relay
	id     uint64
	client net.Conn
	done   chan struct{} // closed by shut: every pump stops

	mu     sync.Mutex
	server net.Conn // nil until dialled
	ended  bool
	eofs   int // directions whose source ended cleanly and were half-closed downstream
}

func newConn(r *Relay, id uint64, client net.Conn) *conn {
	return &conn{r: r, id: id, client: client, done: make(chan struct{})}
}

// How a connection ends.
type ending int

const (
	endClose ending = iota // both peers closed: close quietly
	endCut                 // a Cut: a FIN to each peer after what was written
	endReset               // a Reset: an RST to each peer
	endAbort               // the relay closes, or a peer failed: an RST to each peer
)

func (c *conn) run() {
	defer c.r.wg.Done()
	defer c.r.forget(c)
	var d net.Dialer
	sc, err := d.DialContext(c.r.ctx, "tcp", c.r.target)
	if err != nil {
		c.r.st.dialFailed.Add(1)
		c.shut(endAbort)
		return
	}
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		sc.Close()
		return
	}
	c.server = sc
	c.mu.Unlock()
	if c.r.buf > 0 {
		for _, nc := range []net.Conn{c.client, sc} {
			tc := nc.(*net.TCPConn)
			_ = tc.SetReadBuffer(c.r.buf)
			_ = tc.SetWriteBuffer(c.r.buf)
		}
	}
	c.r.st.open.Add(1)
	defer c.r.st.open.Add(-1)
	var wg sync.WaitGroup
	for _, p := range []*pump{newPump(c, 0, c.client, sc), newPump(c, 1, sc, c.client)} {
		wg.Add(2)
		go func() { defer wg.Done(); p.read() }()
		go func() { defer wg.Done(); p.write() }()
	}
	wg.Wait()
	c.shut(endClose)
}

// halfClosed records that direction's source ended and its destination got the FIN; the
// connection closes once both have.
func (c *conn) halfClosed(dst net.Conn) {
	_ = dst.(*net.TCPConn).CloseWrite()
	c.mu.Lock()
	c.eofs++
	both := c.eofs == 2
	c.mu.Unlock()
	if both {
		c.shut(endClose)
	}
}

// shut ends the connection the way how says, once; it reports whether this call did.
func (c *conn) shut(how ending) bool {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return false
	}
	c.ended = true
	socks := []net.Conn{c.client}
	if c.server != nil {
		socks = append(socks, c.server)
	}
	c.mu.Unlock()
	// Counted before the peers can see it, so a test that saw it finds it counted.
	switch how {
	case endCut:
		c.r.st.cuts.Add(1)
	case endReset:
		c.r.st.resets.Add(1)
	}
	close(c.done)
	for _, nc := range socks {
		tc := nc.(*net.TCPConn)
		switch how {
		case endCut:
			// The FIN goes after everything written. Linux still turns the close into a
			// reset when this socket holds bytes the peer sent that nobody read.
			_ = tc.CloseWrite()
		case endReset, endAbort:
			_ = tc.SetLinger(0)
		}
		_ = tc.Close()
	}
	return true
}
