package engine

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/purezmq/zmq/internal/memnet"
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// connPair returns the two ends of a loopback TCP connection.
func connPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	t.Cleanup(func() { c.Close(); s.Close() })
	return c, s
}

type result struct {
	c    *Conn
	peer Peer
	err  error
}

func handshakeBoth(t *testing.T, a, b Config) (result, result) {
	t.Helper()
	ca, cb := connPair(t)
	return handshakeOver(ca, cb, a, b)
}

// handshakeOver handshakes a on ca and b on cb, the two ends of one connection.
func handshakeOver(ca, cb net.Conn, a, b Config) (result, result) {
	done := make(chan result, 1)
	go func() {
		c, p, err := Handshake(cb, b)
		done <- result{c, p, err}
	}()
	c, p, err := Handshake(ca, a)
	ra := result{c, p, err}
	if err != nil {
		ca.Close() // unblock the other side
	}
	return ra, <-done
}

func cfg(socketType string) Config {
	return Config{SocketType: socketType, MaxMsgSize: -1, HandshakeIvl: 5 * time.Second}
}

func TestHandshakeExchangesTypeAndIdentity(t *testing.T) {
	req := cfg("REQ")
	req.Identity, req.AnnounceIdentity = []byte("client-7"), true
	a, b := handshakeBoth(t, req, cfg("ROUTER"))
	if a.err != nil || b.err != nil {
		t.Fatalf("handshake: %v / %v", a.err, b.err)
	}
	if a.peer.SocketType != "ROUTER" || b.peer.SocketType != "REQ" {
		t.Fatalf("peer types %q / %q", a.peer.SocketType, b.peer.SocketType)
	}
	if string(b.peer.Identity) != "client-7" || b.peer.Minor != 1 {
		t.Fatalf("router saw identity %q, minor %d", b.peer.Identity, b.peer.Minor)
	}
}

func TestHandshakeRefusesIncompatibleTypes(t *testing.T) {
	a, b := handshakeBoth(t, cfg("REQ"), cfg("PULL"))
	if !errors.Is(a.err, ErrSocketType) && !errors.Is(a.err, ErrPeerError) {
		t.Fatalf("REQ side: %v, want a socket-type refusal", a.err)
	}
	if !errors.Is(b.err, ErrSocketType) && !errors.Is(b.err, ErrPeerError) {
		t.Fatalf("PULL side: %v, want a socket-type refusal", b.err)
	}
}

// rawPeer handshakes with cfg on one end while the test drives the other end by hand.
func rawPeer(t *testing.T, c Config) (net.Conn, chan result) {
	ca, cb := connPair(t)
	return ca, handshakeRaw(cb, c)
}

// handshakeRaw handshakes with c on nc, in the background.
func handshakeRaw(nc net.Conn, c Config) chan result {
	done := make(chan result, 1)
	go func() {
		conn, p, err := Handshake(nc, c)
		done <- result{conn, p, err}
	}()
	return done
}

func wait(t *testing.T, ch chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("handshake did not end")
		return result{}
	}
}

func TestHandshakeRefusesOldAndForeignPeers(t *testing.T) {
	sig := []byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f}
	v2 := func(tail ...byte) []byte { return append(bytes.Clone(sig), tail...) }
	tests := []struct {
		name  string
		bytes []byte
		want  error
	}{
		{"zmtp1.0", []byte{0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, ErrProtocolFormat},
		{"zmtp1.0versioned", v2(0, 5, 0, 0), ErrProtocolFormat},
		{"zmtp2.0PUSH", v2(1, 8, 0, 0), ErrSocketType},
		{"zmtp2.0STREAM", v2(1, 11, 0, 0), ErrProtocolFormat},
		{"zmtp2.0identityMore", v2(1, 5, 1, 0), ErrProtocolFormat},
		{"zmtp2.0identityCommand", v2(1, 5, 4, 0), ErrProtocolFormat},
		{"zmtp2.0identity256", append(v2(1, 5, 2, 0, 0, 0, 0, 0, 0, 1, 0), make([]byte, 256)...), ErrProtocolFormat},
		{"major2", v2(2, 5, 0, 0), ErrProtocolFormat},
		{"http", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), ErrProtocolFormat},
		{"plain", zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "PLAIN"}.Append(nil), ErrMechanism},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, done := rawPeer(t, cfg("REP"))
			raw.Write(tt.bytes)
			if r := wait(t, done); !errors.Is(r.err, tt.want) {
				t.Fatalf("got %v, want %v", r.err, tt.want)
			}
		})
	}
}

// TestHandshakeDeadline: a peer that stalls its handshake, silent or halfway, fails it when
// HANDSHAKE_IVL has passed since the start, to the instant (a synctest bubble over memnet).
func TestHandshakeDeadline(t *testing.T) {
	for name, sent := range map[string][]byte{
		"silent":        nil,
		"half greeting": zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(nil)[:20],
		"greeting only": zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(nil),
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const ivl = 100 * time.Millisecond
				c := cfg("REP")
				c.HandshakeIvl = ivl
				raw, nc := memnet.Pipe()
				defer raw.Close()
				defer nc.Close()
				start := time.Now()
				done := handshakeRaw(nc, c)
				raw.Write(sent)
				r := <-done
				if !errors.Is(r.err, os.ErrDeadlineExceeded) {
					t.Fatalf("a stalled handshake ended with %v, want the deadline", r.err)
				}
				if d := time.Since(start); d != ivl {
					t.Fatalf("the handshake failed after %v, want HANDSHAKE_IVL (%v)", d, ivl)
				}
			})
		})
	}
}

func TestHandshakeFallsBackToZMTP30(t *testing.T) {
	raw, done := rawPeer(t, cfg("PULL"))
	raw.Write(zmtp.Greeting{Major: 3, Minor: 0, Mechanism: "NULL"}.Append(nil))
	raw.Write(zmtp.AppendReady(nil, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("PUSH")}}))
	r := wait(t, done)
	if r.err != nil || r.peer.Minor != 0 || r.peer.SocketType != "PUSH" {
		t.Fatalf("3.0 peer: %+v, %v", r.peer, r.err)
	}
}

// running is a connection under Run with its pipe and queue.
type running struct {
	p     *pipe.Pipe
	ib    *pipe.Inbox
	q     *pipe.OutQueue
	quit  chan struct{}
	done  chan error
	space chan struct{}
}

func run(c *Conn, hwm int) *running {
	r := &running{ib: pipe.NewInbox(), q: pipe.NewOutQueue(0, nil), quit: make(chan struct{}), done: make(chan error, 1), space: pipe.NewWake()}
	r.p = pipe.New(r.ib, hwm, func() { pipe.Signal(r.space) })
	go func() { r.done <- c.Run(r.p, r.space, r.q, r.quit, nil) }()
	return r
}

func (r *running) recv(t *testing.T) pipe.Msg {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if _, m, _, ok := r.ib.Pop(); ok {
			return m
		}
		if r.ib.BeginWait() {
			select {
			case <-r.ib.Wake():
			case <-deadline:
				t.Fatal("no message")
			}
			r.ib.EndWait()
		}
	}
}

func TestRunMovesMessagesBothWays(t *testing.T) {
	a, b := handshakeBoth(t, cfg("DEALER"), cfg("ROUTER"))
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	ra, rb := run(a.c, 2), run(b.c, 2) // tiny credit: the reader must wait and resume
	passShapes(t, ra, rb, []pipe.Msg{
		{[]byte("one")},
		{{}, []byte("after empty"), {}},
		{bytes.Repeat([]byte("x"), 255), bytes.Repeat([]byte("y"), 256)},
		{bytes.Repeat([]byte("z"), 1<<20)},
		{bytes.Repeat([]byte("w"), 70000), []byte("tail")},
	})
	close(ra.quit)
	if err := <-ra.done; err != nil {
		t.Fatalf("Run after quit: %v", err)
	}
	if err := <-rb.done; err == nil {
		t.Fatal("the peer's Run did not report the closed connection")
	}
}

// passShapes sends shapes from ra to rb, checks every frame, and one message back.
func passShapes(t *testing.T, ra, rb *running, shapes []pipe.Msg) {
	t.Helper()
	for _, m := range shapes {
		ra.q.TryPush(m)
	}
	for i, want := range shapes {
		got := rb.recv(t)
		if len(got) != len(want) {
			t.Fatalf("message %d: %d frames, want %d", i, len(got), len(want))
		}
		for j := range want {
			if !bytes.Equal(got[j], want[j]) {
				t.Fatalf("message %d frame %d differs (len %d, want %d)", i, j, len(got[j]), len(want[j]))
			}
		}
	}
	rb.q.TryPush(pipe.Msg{[]byte("back")})
	if got := ra.recv(t); string(got[0]) != "back" {
		t.Fatalf("got %q", got)
	}
}

func TestRunAnswersPingAndDropsOversize(t *testing.T) {
	c := cfg("PULL")
	c.MaxMsgSize = 1000
	raw, done := rawPeer(t, c)
	raw.Write(zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(nil))
	raw.Write(zmtp.AppendReady(nil, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("PUSH")}}))
	r := wait(t, done)
	if r.err != nil {
		t.Fatal(r.err)
	}
	rr := run(r.c, 10)
	// Skip our greeting and READY, then expect PONG with the ping's context.
	buf := make([]byte, 64)
	io.ReadFull(raw, buf)
	raw.Write(zmtp.AppendPing(nil, 10, []byte("ctx")))
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got []byte
	for !bytes.Contains(got, []byte("ctx")) {
		b := make([]byte, 256)
		n, err := raw.Read(b)
		if err != nil {
			t.Fatalf("no PONG: %v (read %q)", err, got)
		}
		got = append(got, b[:n]...)
	}
	if !bytes.Contains(got, []byte("\x04PONG")) {
		t.Fatalf("reply %q is not a PONG", got)
	}
	raw.Write(zmtp.AppendFrame(nil, 0, make([]byte, 1001)))
	select {
	case err := <-rr.done:
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Run ended with %v, want ErrTooLarge", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an oversize frame did not end the connection")
	}
}
