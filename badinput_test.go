package zmq_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/parked"
	"github.com/purezmq/zmq/zmtp"
)

// Bad input must fail with a clear error, or cost the offending peer its connection; it never
// panics, hangs, or disturbs the socket's other peers.

// TestBadEndpoints: malformed endpoints fail Bind and Connect with ErrEndpoint (an unknown
// transport is ErrTransportNotSupported: TestEndpointErrors).
func TestBadEndpoints(t *testing.T) {
	t.Parallel()
	bad := []string{
		"tcp://:99999",
		"tcp://127.0.0.1",
		"tcp://127.0.0.1:99999",
		"tcp://127.0.0.1:-1",
		"tcp://127.0.0.1:port",
		"tcp://:5555",
		"ipc://",
		"inproc://",
		"tcp//127.0.0.1:5555",
		"127.0.0.1:5555",
		"",
	}
	for _, ep := range bad {
		s := newSocket(t, zmq.PUSH)
		if err := s.Bind(ep); !errors.Is(err, zmq.ErrEndpoint) {
			t.Errorf("Bind(%q): %v, want ErrEndpoint", ep, err)
		}
		if err := s.Connect(ep); !errors.Is(err, zmq.ErrEndpoint) {
			t.Errorf("Connect(%q): %v, want ErrEndpoint", ep, err)
		}
		if err := s.Unbind(ep); err == nil {
			t.Errorf("Unbind(%q) succeeded", ep)
		}
		if err := s.Disconnect(ep); err == nil {
			t.Errorf("Disconnect(%q) succeeded", ep)
		}
	}
	// Port 0 means "any" to Bind but names nothing to connect to.
	s := newSocket(t, zmq.PUSH)
	if err := s.Connect("tcp://127.0.0.1:0"); !errors.Is(err, zmq.ErrEndpoint) {
		t.Errorf("Connect(tcp://127.0.0.1:0): %v, want ErrEndpoint", err)
	}
}

// TestBadHostName: a host that does not resolve fails Bind, while Connect returns at once without
// error (it resolves in the background, as libzmq does) and the socket never gets a peer.
func TestBadHostName(t *testing.T) {
	t.Parallel()
	const ep = "tcp://nohost.invalid:1"
	s := newSocket(t, zmq.PUSH)
	if err := s.Bind(ep); err == nil {
		t.Fatalf("Bind(%q) succeeded", ep)
	}

	immediate := newSocket(t, zmq.PUSH, zmq.WithImmediate(true))
	start := time.Now()
	if err := immediate.Connect(ep); err != nil {
		t.Fatalf("Connect(%q): %v", ep, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Connect(%q) took %v; it must not wait for the resolver", ep, d)
	}
	expectErr(t, "Send with IMMEDIATE and no peer", trySend(immediate, "x"), context.DeadlineExceeded)

	// Without IMMEDIATE the connect-side queue takes SNDHWM messages, then Send blocks.
	queued := newSocket(t, zmq.PUSH, zmq.WithSendHWM(2))
	if err := queued.Connect(ep); err != nil {
		t.Fatalf("Connect(%q): %v", ep, err)
	}
	sendString(t, queued, "1")
	sendString(t, queued, "2")
	expectErr(t, "Send past SNDHWM with no peer", trySend(queued, "3"), context.DeadlineExceeded)
}

// TestBindAddrInUse: binding an endpoint that is already bound, by another socket or the same
// one, fails with ErrAddrInUse on every transport.
func TestBindAddrInUse(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		first := newSocket(t, zmq.PULL)
		ep := bind(t, first, tr.wildcard())
		second := newSocket(t, zmq.PULL)
		expectErr(t, "Bind by another socket", second.Bind(ep), zmq.ErrAddrInUse)
		expectErr(t, "Bind again by the same socket", first.Bind(ep), zmq.ErrAddrInUse)
		// The first binding still works.
		push := newSocket(t, zmq.PUSH)
		connect(t, push, ep)
		sendString(t, push, "still bound")
		expectRecvString(t, first, "still bound")
	})
}

// TestBadOptions: out-of-range option values make NewSocket fail with ErrOption.
func TestBadOptions(t *testing.T) {
	t.Parallel()
	bad := map[string]zmq.Option{
		"SNDHWM -1":              zmq.WithSendHWM(-1),
		"RCVHWM -1":              zmq.WithRecvHWM(-1),
		"ROUTING_ID nil":         zmq.WithRoutingID(nil),
		"ROUTING_ID empty":       zmq.WithRoutingID([]byte{}),
		"ROUTING_ID 256 bytes":   zmq.WithRoutingID(bytes.Repeat([]byte{'a'}, 256)),
		"ROUTING_ID leading 0":   zmq.WithRoutingID([]byte{0, 'a'}),
		"TCP_KEEPALIVE 2":        zmq.WithTCPKeepalive(2),
		"TCP_KEEPALIVE -2":       zmq.WithTCPKeepalive(-2),
		"TCP_KEEPALIVE_CNT -2":   zmq.WithTCPKeepaliveCnt(-2),
		"TCP_KEEPALIVE_IDLE -1s": zmq.WithTCPKeepaliveIdle(-time.Second),
		"TCP_KEEPALIVE_INTVL -1": zmq.WithTCPKeepaliveIntvl(-time.Second),
		"MAXMSGSIZE -2":          zmq.WithMaxMsgSize(-2),
		"RECONNECT_IVL_MAX -1ms": zmq.WithReconnectIvlMax(-time.Millisecond),
		"HANDSHAKE_IVL -1ms":     zmq.WithHandshakeIvl(-time.Millisecond),
		"SNDBUF -2":              zmq.WithSendBuffer(-2),
		"RCVBUF -2":              zmq.WithRecvBuffer(-2),
	}
	// 2^31 is past an int of 32 bits: those platforms cannot even ask for it.
	if big := int64(math.MaxInt32) + 1; big <= math.MaxInt {
		bad["SNDBUF 2^31"] = zmq.WithSendBuffer(int(big))
		bad["RCVBUF 2^31"] = zmq.WithRecvBuffer(int(big))
	}
	for name, opt := range bad {
		s, err := zmq.NewSocket(zmq.DEALER, opt)
		if !errors.Is(err, zmq.ErrOption) {
			t.Errorf("%s: NewSocket error %v, want ErrOption", name, err)
		}
		if s != nil {
			t.Errorf("%s: NewSocket returned a socket with its error", name)
			s.Close()
		}
	}
	// The limits themselves are fine.
	good := map[string]zmq.Option{
		"SNDHWM 0 (unlimited)":  zmq.WithSendHWM(0),
		"ROUTING_ID 255 bytes":  zmq.WithRoutingID(bytes.Repeat([]byte{'a'}, 255)),
		"ROUTING_ID 1 byte":     zmq.WithRoutingID([]byte{1}),
		"TCP_KEEPALIVE -1":      zmq.WithTCPKeepalive(-1),
		"TCP_KEEPALIVE 1":       zmq.WithTCPKeepalive(1),
		"TCP_KEEPALIVE_CNT -1":  zmq.WithTCPKeepaliveCnt(-1),
		"MAXMSGSIZE -1":         zmq.WithMaxMsgSize(-1),
		"MAXMSGSIZE 0":          zmq.WithMaxMsgSize(0),
		"HANDSHAKE_IVL 0 (off)": zmq.WithHandshakeIvl(0),
		"SNDBUF -1 (OS)":        zmq.WithSendBuffer(-1),
		"RCVBUF 0 (smallest)":   zmq.WithRecvBuffer(0),
		"SNDBUF 2^31-1":         zmq.WithSendBuffer(math.MaxInt32),
	}
	for name, opt := range good {
		s, err := zmq.NewSocket(zmq.DEALER, opt)
		if err != nil {
			t.Errorf("%s: NewSocket: %v", name, err)
			continue
		}
		s.Close()
	}

	s := newSocket(t, zmq.ROUTER)
	for _, id := range [][]byte{nil, {}, {0, 'x'}, bytes.Repeat([]byte{'b'}, 256)} {
		if err := s.SetConnectRoutingID(id); !errors.Is(err, zmq.ErrOption) {
			t.Errorf("SetConnectRoutingID(%q): %v, want ErrOption", id, err)
		}
	}
}

// TestBadSocketUse: unsupported socket types and empty messages are refused with an error.
func TestBadSocketUse(t *testing.T) {
	t.Parallel()
	for _, typ := range []zmq.Type{zmq.Type(-1), zmq.Type(99)} {
		if s, err := zmq.NewSocket(typ); err == nil {
			s.Close()
			t.Errorf("NewSocket(%v) succeeded", typ)
		}
	}
	s := newSocket(t, zmq.DEALER)
	connect(t, s, inprocName())
	ctx, cancel := within(waitShort)
	defer cancel()
	if err := s.Send(ctx, zmq.Msg{}); err == nil {
		t.Errorf("Send of a message with no frames succeeded")
	}
	if err := s.Send(ctx, zmq.NewMsg()); err == nil {
		t.Errorf("Send of NewMsg() succeeded")
	}
}

// --- Raw peers -------------------------------------------------------------------------------

// servedPull is a bound PULL with a well-behaved PUSH peer, the target of a raw bad peer.
type servedPull struct {
	pull, good *zmq.Socket
	addr       string // host:port for net.Dial
	n          int
}

func newServedPull(t *testing.T, opts ...zmq.Option) *servedPull {
	t.Helper()
	sp := &servedPull{pull: newSocket(t, zmq.PULL, opts...), good: newSocket(t, zmq.PUSH)}
	ep := bind(t, sp.pull, "tcp://127.0.0.1:*")
	sp.addr = strings.TrimPrefix(ep, "tcp://")
	connect(t, sp.good, ep)
	sp.checkServing(t)
	return sp
}

// checkServing makes a round through the good peer.
func (sp *servedPull) checkServing(t *testing.T) {
	t.Helper()
	sp.n++
	msg := []byte{'o', 'k', byte(sp.n)}
	send(t, sp.good, msg)
	expectRecv(t, sp.pull, msg)
}

func (sp *servedPull) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", sp.addr, waitLong)
	if err != nil {
		t.Fatalf("raw dial %s: %v", sp.addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func rawWrite(t *testing.T, c net.Conn, b []byte) {
	t.Helper()
	_ = c.SetWriteDeadline(time.Now().Add(waitLong))
	if _, err := c.Write(b); err != nil {
		// A socket that stops reading its peer is the bug these tests look for: show where
		// every goroutine stands.
		t.Fatalf("raw write: %v\nevery goroutine:\n%s", err, parked.Stacks())
	}
}

// rawReadFrame reads one frame from the socket under test.
func rawReadFrame(t *testing.T, c net.Conn) (flags byte, body []byte) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitLong))
	var hdr []byte
	for {
		flags, size, n, err := zmtp.ParseFrameHeader(hdr, 1<<20)
		if errors.Is(err, zmtp.ErrNeedMore) {
			var b [1]byte
			if _, err := io.ReadFull(c, b[:]); err != nil {
				t.Fatalf("raw read of a frame header: %v", err)
			}
			hdr = append(hdr, b[0])
			continue
		}
		if err != nil {
			t.Fatalf("the socket sent a bad frame header %x: %v", hdr, err)
		}
		body = make([]byte, size)
		if _, err := io.ReadFull(c, body); err != nil {
			t.Fatalf("raw read of a %d-byte frame (header %d bytes): %v", size, n, err)
		}
		return flags, body
	}
}

// rawGreeting reads the socket's 64-byte greeting.
func rawGreeting(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitLong))
	g := make([]byte, zmtp.GreetingSize)
	if _, err := io.ReadFull(c, g); err != nil {
		t.Fatalf("reading the greeting: %v", err)
	}
	if _, err := zmtp.ParseGreeting(g); err != nil {
		t.Fatalf("the socket's greeting %x: %v", g, err)
	}
}

func greeting(mechanism string) []byte {
	return zmtp.Greeting{Major: 3, Minor: 1, Mechanism: mechanism}.Append(nil)
}

func ready(socketType string) []byte {
	return zmtp.AppendReady(nil, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte(socketType)}})
}

// rawHandshake completes a NULL handshake as a PUSH and checks the socket's READY.
func rawHandshake(t *testing.T, c net.Conn) {
	t.Helper()
	rawWrite(t, c, append(greeting("NULL"), ready("PUSH")...))
	rawGreeting(t, c)
	flags, body := rawReadFrame(t, c)
	cmd, err := zmtp.ParseCommand(body)
	if flags&zmtp.FlagCommand == 0 || err != nil || cmd.Name != zmtp.CmdReady {
		t.Fatalf("expected READY, got flags %#x body %q (%v)", flags, body, err)
	}
}

// halfClose ends what the raw client sends but keeps reading, so expectDropped can see the
// socket close its side.
func halfClose(t *testing.T, c net.Conn) {
	t.Helper()
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatalf("CloseWrite: %v", err)
	}
}

// expectDropped checks that the socket closes the raw connection within d: the client reads
// what is left and then EOF (or a reset, when the socket closed with our bytes unread).
func expectDropped(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	switch {
	case err == nil, errors.Is(err, syscall.ECONNRESET):
	case errors.As(err, &ne) && ne.Timeout():
		t.Fatalf("the socket kept the bad connection open for %v", d)
	default:
		t.Fatalf("reading from the bad connection: %v", err)
	}
}

// TestBadPeers: a raw TCP client misbehaving in each way loses its connection, and the socket
// keeps serving its good peer.
func TestBadPeers(t *testing.T) {
	longFrame := func(flags byte, size uint64) []byte {
		return append([]byte{flags | zmtp.FlagLong}, byte(size>>56), byte(size>>48), byte(size>>40),
			byte(size>>32), byte(size>>24), byte(size>>16), byte(size>>8), byte(size))
	}
	zmtp2 := []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F, 0x01, 0x07, 0x00, 0x00} // a ZMTP 2.0 PULL
	cases := []struct {
		name   string
		opts   []zmq.Option
		attack func(t *testing.T, c net.Conn)
	}{
		{name: "http-request", attack: func(t *testing.T, c net.Conn) {
			rawWrite(t, c, []byte("GET / HTTP/1.1\r\nHost: example\r\n\r\n"))
		}},
		{name: "binary-garbage", attack: func(t *testing.T, c net.Conn) {
			g := make([]byte, 4096)
			for i := range g {
				g[i] = byte(i*131 + 7)
			}
			rawWrite(t, c, g)
		}},
		{name: "zmtp-1.0-greeting", attack: func(t *testing.T, c net.Conn) {
			// An anonymous ZMTP 1.0 identity frame: two bytes, then the peer waits for ours.
			rawWrite(t, c, []byte{0x01, 0x00})
		}},
		{name: "zmtp-2.0-incompatible", attack: func(t *testing.T, c net.Conn) {
			rawWrite(t, c, zmtp2)
		}},
		{name: "signature-then-garbage", attack: func(t *testing.T, c net.Conn) {
			g := greeting("NULL")
			copy(g[12:], "null\x01\x02") // mechanism must be upper case, NUL-padded
			rawWrite(t, c, g)
		}},
		{name: "bad-as-server-byte", attack: func(t *testing.T, c net.Conn) {
			g := greeting("NULL")
			g[32] = 7
			rawWrite(t, c, g)
		}},
		{name: "other-mechanism", attack: func(t *testing.T, c net.Conn) {
			rawWrite(t, c, append(greeting("PLAIN"), ready("PUSH")...))
		}},
		{name: "incompatible-socket-type", attack: func(t *testing.T, c net.Conn) {
			rawWrite(t, c, append(greeting("NULL"), ready("PUB")...))
			rawGreeting(t, c)
			flags, body := rawReadFrame(t, c)
			cmd, err := zmtp.ParseCommand(body)
			if err != nil || flags&zmtp.FlagCommand == 0 {
				t.Fatalf("expected a command, got flags %#x body %q", flags, body)
			}
			if cmd.Name == zmtp.CmdReady {
				// libzmq sends READY before judging ours; an ERROR may follow.
				flags, body = rawReadFrame(t, c)
				cmd, err = zmtp.ParseCommand(body)
			}
			if err != nil || cmd.Name != zmtp.CmdError {
				t.Fatalf("expected ERROR for socket type PUB, got %q (%v)", body, err)
			}
		}},
		{name: "message-instead-of-ready", attack: func(t *testing.T, c net.Conn) {
			rawWrite(t, c, append(greeting("NULL"), zmtp.AppendFrame(nil, 0, []byte("hello"))...))
		}},
		{name: "ready-with-bad-metadata", attack: func(t *testing.T, c net.Conn) {
			// A property whose value size runs past the end of the command.
			body := append([]byte{5}, "READY"...)
			body = append(body, 11)
			body = append(body, "Socket-Type"...)
			body = append(body, 0, 0, 0, 200, 'P', 'U', 'S', 'H')
			rawWrite(t, c, append(greeting("NULL"), zmtp.AppendFrame(nil, zmtp.FlagCommand, body)...))
		}},
		{name: "frame-above-maxmsgsize", opts: []zmq.Option{zmq.WithMaxMsgSize(1024)},
			attack: func(t *testing.T, c net.Conn) {
				rawHandshake(t, c)
				rawWrite(t, c, append(longFrame(0, 1<<20), make([]byte, 4096)...))
			}},
		{name: "multipart-above-maxmsgsize", opts: []zmq.Option{zmq.WithMaxMsgSize(1024)},
			attack: func(t *testing.T, c net.Conn) {
				rawHandshake(t, c)
				var b []byte
				b = zmtp.AppendFrame(b, zmtp.FlagMore, make([]byte, 600))
				b = zmtp.AppendFrame(b, 0, make([]byte, 600))
				rawWrite(t, c, b)
			}},
		{name: "reserved-flag-bits", attack: func(t *testing.T, c net.Conn) {
			rawHandshake(t, c)
			rawWrite(t, c, []byte{0x80, 0x01, 'x'})
		}},
		{name: "command-with-more", attack: func(t *testing.T, c net.Conn) {
			rawHandshake(t, c)
			rawWrite(t, c, []byte{zmtp.FlagCommand | zmtp.FlagMore, 0x01, 'x'})
		}},
		{name: "command-with-empty-name", attack: func(t *testing.T, c net.Conn) {
			rawHandshake(t, c)
			rawWrite(t, c, zmtp.AppendFrame(nil, zmtp.FlagCommand, []byte{0}))
		}},
		{name: "ping-with-oversized-context", attack: func(t *testing.T, c net.Conn) {
			rawHandshake(t, c)
			rawWrite(t, c, zmtp.AppendCommand(nil, zmtp.CmdPing, make([]byte, 2+17)))
		}},
		{name: "eof-inside-multipart", attack: func(t *testing.T, c net.Conn) {
			// A message is delivered whole or not at all: the first frame must never surface.
			rawHandshake(t, c)
			rawWrite(t, c, zmtp.AppendFrame(nil, zmtp.FlagMore, []byte("partial")))
			halfClose(t, c)
		}},
		{name: "eof-inside-frame", attack: func(t *testing.T, c net.Conn) {
			rawHandshake(t, c)
			rawWrite(t, c, append(zmtp.AppendFrameHeader(nil, 0, 100), "only ten b"...))
			halfClose(t, c)
		}},
		{name: "eof-inside-large-frame", attack: func(t *testing.T, c net.Conn) {
			rawHandshake(t, c)
			rawWrite(t, c, append(longFrame(0, 1<<20), make([]byte, 200<<10)...))
			halfClose(t, c)
		}},
		{name: "error-after-handshake", attack: func(t *testing.T, c net.Conn) {
			rawHandshake(t, c)
			rawWrite(t, c, zmtp.AppendError(nil, "go away"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The default HANDSHAKE_IVL (30 s) stays: each bad peer must be dropped for what
			// it sent, not for running out of time.
			sp := newServedPull(t, tc.opts...)
			c := sp.dial(t)
			tc.attack(t, c)
			expectDropped(t, c, waitLong)
			sp.checkServing(t)
		})
	}
}

// TestBadPeerHugeFrame: a peer declaring an enormous frame, with no MAXMSGSIZE, must not make
// the socket allocate what it declared: the socket keeps serving while the frame trickles in,
// and after the peer gives up.
func TestBadPeerHugeFrame(t *testing.T) {
	for _, size := range []uint64{1 << 40, 1 << 62} {
		sp := newServedPull(t)
		c := sp.dial(t)
		rawHandshake(t, c)
		hdr := []byte{zmtp.FlagLong, byte(size >> 56), byte(size >> 48), byte(size >> 40),
			byte(size >> 32), byte(size >> 24), byte(size >> 16), byte(size >> 8), byte(size)}
		rawWrite(t, c, append(hdr, make([]byte, 64<<10)...))
		sp.checkServing(t)
		c.Close()
		sp.checkServing(t)
	}
}

// TestBadPeerSilent: a peer that connects and never completes the handshake is dropped after
// HANDSHAKE_IVL, whether it sends nothing or stops after its greeting.
func TestBadPeerSilent(t *testing.T) {
	const ivl = 200 * time.Millisecond
	stalls := map[string][]byte{
		"sends-nothing":        nil,
		"greeting-only":        greeting("NULL"),
		"half-greeting":        greeting("NULL")[:20],
		"greeting-half-ready":  append(greeting("NULL"), ready("PUSH")[:6]...),
		"zmtp-2.0-signature-9": {0xFF, 0, 0, 0, 0, 0, 0, 0, 0},
	}
	for name, sent := range stalls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sp := newServedPull(t, zmq.WithHandshakeIvl(ivl))
			c := sp.dial(t)
			start := time.Now()
			if sent != nil {
				rawWrite(t, c, sent)
			}
			expectDropped(t, c, waitLong)
			if d := time.Since(start); d < ivl/2 {
				t.Fatalf("dropped after %v, before HANDSHAKE_IVL %v", d, ivl)
			}
			sp.checkServing(t)
		})
	}
}
