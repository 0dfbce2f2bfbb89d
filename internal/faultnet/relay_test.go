package faultnet

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Waits: long for what must happen, short for what must not (the test pays it each time).
const (
	waitLong  = 10 * time.Second
	waitShort = 150 * time.Millisecond
)

// pair is one connection through a relay: the client's socket and the target's.
type pair struct {
	client, server net.Conn
}

// target is a listener the relay forwards to; it hands over each connection it accepts.
type target struct {
	ln       net.Listener
	accepted chan net.Conn
	wg       sync.WaitGroup
}

func newTarget(t *testing.T) *target {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{ln: ln, accepted: make(chan net.Conn, 16)}
	tg.wg.Add(1)
	go func() {
		defer tg.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			tg.accepted <- nc
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		tg.wg.Wait()
		close(tg.accepted)
		for nc := range tg.accepted {
			nc.Close()
		}
	})
	return tg
}

// newRelay starts a relay to a fresh target, both closed at the end of the test.
func newRelay(t *testing.T, opts ...Option) (*Relay, *target) {
	t.Helper()
	tg := newTarget(t)
	r, err := New(tg.ln.Addr().String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, tg
}

// dial connects through r and returns both ends once the target has accepted.
func dial(t *testing.T, r *Relay, tg *target) pair {
	t.Helper()
	c, err := net.Dial("tcp4", r.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	select {
	case s := <-tg.accepted:
		t.Cleanup(func() { s.Close() })
		return pair{client: c, server: s}
	case <-time.After(waitLong):
		t.Fatal("the target accepted nothing")
		return pair{}
	}
}

// ends returns the sending and the receiving socket of p for dir.
func (p pair) ends(dir Direction) (from, to net.Conn) {
	if dir == Up {
		return p.client, p.server
	}
	return p.server, p.client
}

// readN reads exactly n bytes from c, failing the test on an error or after waitLong.
func readN(t *testing.T, c net.Conn, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	c.SetReadDeadline(time.Now().Add(waitLong))
	defer c.SetReadDeadline(time.Time{})
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("reading %d bytes: %v", n, err)
	}
	return b
}

// readAll reads c until it ends and returns what came and how it ended.
func readAll(t *testing.T, c net.Conn) ([]byte, error) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitLong))
	var got []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("the stream did not end within %v (%d bytes so far)", waitLong, len(got))
			}
			return got, err
		}
	}
}

// write writes b to c from a goroutine of its own, so that a test can read while a big write
// is under way; wait returns its result.
func write(c net.Conn, b []byte) (wait func() (int, error)) {
	type res struct {
		n   int
		err error
	}
	ch := make(chan res, 1)
	go func() {
		n, err := c.Write(b)
		ch <- res{n, err}
	}()
	return func() (int, error) { r := <-ch; return r.n, r.err }
}

func randomBytes(seed byte, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

func TestForwardsBothWaysAndCounts(t *testing.T) {
	r, tg := newRelay(t)
	p := dial(t, r, tg)
	up, down := randomBytes(1, 1<<20), randomBytes(2, 1<<20+7)
	wu, wd := write(p.client, up), write(p.server, down)
	gotUp, gotDown := readN(t, p.server, len(up)), readN(t, p.client, len(down))
	for _, w := range []func() (int, error){wu, wd} {
		if _, err := w(); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(gotUp, up) || !bytes.Equal(gotDown, down) {
		t.Fatal("bytes altered on a relay without faults")
	}
	st := r.Stats()
	if st.Up != int64(len(up)) || st.Down != int64(len(down)) || st.Accepted != 1 || st.Open != 1 {
		t.Fatalf("stats %+v; want Up %d, Down %d, one connection open", st, len(up), len(down))
	}
	// A peer that closes ends the connection on the other side too, with a clean end.
	p.client.Close()
	if rest, err := readAll(t, p.server); len(rest) != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("after the client closed, the target read %d bytes and %v; want EOF", len(rest), err)
	}
	p.server.Close()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if st := r.Stats(); st.Open != 0 || st.Cuts+st.Resets != 0 {
		t.Fatalf("after Close: %+v", st)
	}
}

func TestTargetDownResetsTheClient(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	r, err := New(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The reset may come before connect returns, or after.
	c, err := net.Dial("tcp4", r.Addr())
	if err == nil {
		defer c.Close()
		var got []byte
		got, err = readAll(t, c)
		if len(got) != 0 {
			t.Fatalf("read %d bytes from a relay to nowhere", len(got))
		}
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("got %v; want a reset", err)
	}
	if st := r.Stats(); st.DialFailed != 1 {
		t.Fatalf("DialFailed %d, want 1", st.DialFailed)
	}
}

// A relay closed with connections in every kind of wait ends them all and leaks nothing
// (TestMain's goleak checks).
func TestCloseEndsEveryConnection(t *testing.T) {
	r, tg := newRelay(t)
	idle := dial(t, r, tg)
	r.Delay(Up, time.Hour)
	delayed := dial(t, r, tg)
	if _, err := delayed.client.Write([]byte("held")); err != nil {
		t.Fatal(err)
	}
	r.Blackhole(Down)
	holed := dial(t, r, tg)
	stalled := write(holed.server, make([]byte, 16<<20)) // fills every buffer on the way
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := stalled(); err == nil {
		t.Fatal("a write into a closed relay succeeded")
	}
	for _, c := range []net.Conn{idle.client, delayed.client, holed.client} {
		readAll(t, c) // fails the test unless the stream ends
	}
	if r.Stats().Open != 0 {
		t.Fatalf("Open %d after Close", r.Stats().Open)
	}
}
