// Package memnet is an in-memory connection pair for tests. Unlike net.Pipe each direction is
// buffered, so a write never waits for the reader (two engines may both write their greeting
// first, as over tcp), and read deadlines work (the engine interrupts reads with one). Readers
// wait only on a sync.Cond, which testing/synctest counts as durably blocked: in a synctest
// bubble, connections, heartbeats and handshake deadlines run on the bubble's clock, and
// synctest.Wait means everything that can happen has happened. Tests only; nothing in the
// library imports it.
package memnet

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Pipe returns the two ends of a connection.
func Pipe() (net.Conn, net.Conn) {
	ab, ba := newHalf(), newHalf()
	return &conn{r: ba, w: ab}, &conn{r: ab, w: ba}
}

// half is one direction: bytes written by one end, not yet read by the other.
type half struct {
	mu       sync.Mutex
	cond     sync.Cond
	buf      []byte
	wclosed  bool // the writing end closed: EOF once buf is read
	rclosed  bool // the reading end closed
	deadline time.Time
	timer    *time.Timer
}

func newHalf() *half {
	h := &half{}
	h.cond.L = &h.mu
	return h
}

type conn struct {
	r, w *half
	once sync.Once
}

type addr struct{}

func (addr) Network() string { return "memnet" }
func (addr) String() string  { return "memnet" }

func (c *conn) LocalAddr() net.Addr  { return addr{} }
func (c *conn) RemoteAddr() net.Addr { return addr{} }

func (c *conn) Read(b []byte) (int, error) {
	h := c.r
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		switch {
		case h.rclosed:
			return 0, net.ErrClosed
		case len(b) == 0:
			return 0, nil
		case len(h.buf) > 0:
			n := copy(b, h.buf)
			h.buf = h.buf[n:]
			return n, nil
		case h.wclosed:
			return 0, io.EOF
		case !h.deadline.IsZero() && !time.Now().Before(h.deadline):
			return 0, os.ErrDeadlineExceeded
		}
		h.cond.Wait()
	}
}

func (c *conn) Write(b []byte) (int, error) {
	h := c.w
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.wclosed:
		return 0, net.ErrClosed
	case h.rclosed:
		return 0, io.ErrClosedPipe
	}
	h.buf = append(h.buf, b...)
	h.cond.Broadcast()
	return len(b), nil
}

// Close ends both directions: the peer reads what was written, then EOF; its writes fail.
func (c *conn) Close() error {
	err := net.ErrClosed
	c.once.Do(func() {
		err = nil
		for _, h := range []*half{c.r, c.w} {
			h.mu.Lock()
			if h == c.r {
				h.rclosed = true
			} else {
				h.wclosed = true
			}
			if h.timer != nil {
				h.timer.Stop()
			}
			h.cond.Broadcast()
			h.mu.Unlock()
		}
	})
	return err
}

// SetReadDeadline makes a blocked Read, and later ones, fail with os.ErrDeadlineExceeded once
// t has passed; the zero time clears it.
func (c *conn) SetReadDeadline(t time.Time) error {
	h := c.r
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deadline = t
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
	if t.IsZero() {
		return nil
	}
	if d := time.Until(t); d > 0 {
		h.timer = time.AfterFunc(d, func() {
			h.mu.Lock()
			h.cond.Broadcast()
			h.mu.Unlock()
		})
		return nil
	}
	h.cond.Broadcast()
	return nil
}

// SetWriteDeadline does nothing: a write never waits.
func (c *conn) SetWriteDeadline(time.Time) error { return nil }

func (c *conn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }
