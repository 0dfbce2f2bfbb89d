package faultnet

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

const (
	chunkSize = 32 << 10
	// readAhead is how many chunks a pump reads before the last is forwarded: what the relay
	// holds, beyond the kernel's buffers, while it delays, throttles or blackholes.
	readAhead = 4
)

var chunks = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// chunk is what one read returned, or the error that ended the source.
type chunk struct {
	buf *[]byte
	b   []byte
	at  time.Time
	err error
}

// pump forwards one direction of a connection: read reads the source into chunks, write
// applies the faults and forwards them. Only write touches the fields below in.
type pump struct {
	c        *conn
	i        int // 0 Up, 1 Down
	src, dst net.Conn
	in       chan chunk

	fwd     int64 // bytes forwarded so far
	cutSeen *cut
	cutAt   int64 // fwd at which to cut, -1 for none
	corSeen *corruption
	corBase int64 // fwd when the corruption was taken up
	rng     *rand.Rand
	next    time.Time // a throttled slice may go no earlier
	timer   *time.Timer
}

func newPump(c *conn, i int, src, dst net.Conn) *pump {
	return &pump{c: c, i: i, src: src, dst: dst, in: make(chan chunk, readAhead), cutAt: -1}
}

func (p *pump) read() {
	for {
		bp := chunks.Get().(*[]byte)
		n, err := p.src.Read(*bp)
		ch := chunk{buf: bp, b: (*bp)[:n], at: time.Now()}
		if n == 0 {
			chunks.Put(bp)
			ch.buf, ch.b = nil, nil
		}
		if err != nil && n > 0 {
			// Forward what came with the error first; the error follows on its own.
			if !p.put(ch) {
				return
			}
			ch = chunk{}
		}
		if err != nil {
			ch.err = err
			p.put(ch)
			return
		}
		if n > 0 && !p.put(ch) {
			return
		}
	}
}

func (p *pump) put(ch chunk) bool {
	select {
	case p.in <- ch:
		return true
	case <-p.c.done:
		if ch.buf != nil {
			chunks.Put(ch.buf)
		}
		return false
	}
}

func (p *pump) write() {
	defer func() {
		if p.timer != nil {
			p.timer.Stop()
		}
	}()
	var cur chunk
	for {
		f, changed := p.c.r.faults(p.i)
		p.takeUp(f)
		if p.cutAt >= 0 && p.fwd >= p.cutAt {
			p.cut(f.cut.reset)
			return
		}
		if cur.b == nil {
			select {
			case cur = <-p.in:
				if cur.err != nil {
					p.ended(cur.err)
					return
				}
			case <-changed:
			case <-p.c.done:
				return
			}
			continue
		}
		var wait time.Duration
		switch {
		case f.hole:
			wait = -1
		case f.delay > 0 && time.Until(cur.at.Add(f.delay)) > 0:
			wait = time.Until(cur.at.Add(f.delay))
		case f.rate > 0 && time.Until(p.next) > 0:
			wait = time.Until(p.next)
		}
		if wait != 0 {
			if !p.sleep(wait, changed) {
				return
			}
			continue
		}
		n := len(cur.b)
		if p.cutAt >= 0 {
			n = min(n, int(p.cutAt-p.fwd))
		}
		if f.rate > 0 {
			n = min(n, int(max(f.rate/100, 1)))
			if now := time.Now(); p.next.Before(now) {
				p.next = now
			}
			p.next = p.next.Add(time.Duration(n) * time.Second / time.Duration(f.rate))
		}
		p.corrupt(cur.b[:n])
		if _, err := p.dst.Write(cur.b[:n]); err != nil {
			p.c.shut(endAbort)
			return
		}
		p.fwd += int64(n)
		p.c.r.st.bytes[p.i].Add(int64(n))
		if cur.b = cur.b[n:]; len(cur.b) == 0 {
			chunks.Put(cur.buf)
			cur = chunk{}
		}
	}
}

// ended handles the end of the source once everything read before it has been forwarded: a
// clean end is passed on as a FIN, anything else (a reset, our own close) ends the connection.
func (p *pump) ended(err error) {
	if errors.Is(err, io.EOF) {
		p.c.halfClosed(p.dst)
		return
	}
	p.c.shut(endAbort)
}

func (p *pump) cut(reset bool) {
	if reset {
		p.c.shut(endReset)
	} else {
		p.c.shut(endCut)
	}
}

// sleep waits d (forever when negative), or until the faults change or the connection ends;
// it reports false for the last.
func (p *pump) sleep(d time.Duration, changed <-chan struct{}) bool {
	var tc <-chan time.Time
	if d > 0 {
		if p.timer == nil {
			p.timer = time.NewTimer(d)
		} else {
			p.timer.Reset(d)
		}
		tc = p.timer.C
	}
	select {
	case <-tc:
		return true
	case <-changed:
	case <-p.c.done:
		return false
	}
	if p.timer != nil {
		p.timer.Stop()
	}
	return true
}

// takeUp notes a cut or a corruption this connection has not seen yet, counting from now.
func (p *pump) takeUp(f fault) {
	if f.cut != p.cutSeen {
		p.cutSeen, p.cutAt = f.cut, -1
		if f.cut != nil {
			p.cutAt = p.fwd + f.cut.after
		}
	}
	if f.corrupt != p.corSeen {
		p.corSeen, p.corBase = f.corrupt, p.fwd
		if f.corrupt != nil {
			p.rng = rand.New(rand.NewPCG(f.corrupt.Seed, p.c.id))
		}
	}
}

// corrupt alters the bytes of b, the next ones to be forwarded, that the corruption covers.
func (p *pump) corrupt(b []byte) {
	c := p.corSeen
	if c == nil {
		return
	}
	start := p.fwd - p.corBase // b[0]'s offset in the corruption's count
	altered := int64(0)
	for j := max(c.Offset-start, 0); j < int64(len(b)); j++ {
		if c.Length > 0 && start+j >= c.Offset+c.Length {
			break
		}
		if c.Prob > 0 && c.Prob < 1 && p.rng.Float64() >= c.Prob {
			continue
		}
		if !c.take() {
			break
		}
		m := c.Mask
		if m == 0 {
			m = 1 << p.rng.IntN(8)
		}
		b[j] ^= m
		altered++
	}
	p.c.r.st.corrupted.Add(altered)
}
