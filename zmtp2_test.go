package zmq_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// num2 is the ZMTP 2.0 socket-type byte for name.
func num2(t *testing.T, name string) byte {
	t.Helper()
	n, ok := zmtp.SocketTypeNumber2(name)
	if !ok {
		t.Fatalf("no ZMTP 2.0 number for %s", name)
	}
	return n
}

// rawPeerOf binds a new socket of type typ with opts on tcp and connects a raw peer to it,
// which has not greeted yet; ch has the socket's monitor events after LISTENING.
func rawPeerOf(t *testing.T, typ zmq.Type, opts ...zmq.Option) (*zmq.Socket, <-chan zmq.Event, *rawzmtp.Peer) {
	t.Helper()
	s := newSocket(t, typ, opts...)
	ep := bind(t, s, "tcp://127.0.0.1:*")
	ch, stop := s.Monitor(zmq.EventAll &^ zmq.EventListening)
	t.Cleanup(stop)
	p, err := rawzmtp.Dial(ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return s, ch, p
}

// dial2 connects a raw ZMTP 2.0 peer of type typ and identity id to ep and greets; the peer
// must announce socket type want.
func dial2(t *testing.T, ep, typ string, id []byte, want string) *rawzmtp.Peer {
	t.Helper()
	p, err := rawzmtp.Dial(ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	greet2(t, p, typ, id, want)
	return p
}

// listen2 returns a tcp endpoint and a function that accepts one connection on it as a raw
// ZMTP 2.0 peer of type typ, expecting a peer of type want.
func listen2(t *testing.T, typ, want string) (string, func() *rawzmtp.Peer) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return "tcp://" + ln.Addr().String(), func() *rawzmtp.Peer {
		_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(waitLong))
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		p := rawzmtp.New(c)
		t.Cleanup(func() { p.Close() })
		greet2(t, p, typ, nil, want)
		return p
	}
}

func greet2(t *testing.T, p *rawzmtp.Peer, typ string, id []byte, want string) {
	t.Helper()
	got, _, err := p.Greet2(num2(t, typ), id)
	if err != nil {
		t.Fatalf("ZMTP 2.0 greeting: %v", err)
	}
	if got != num2(t, want) {
		t.Fatalf("the socket announced type %d, want %d (%s)", got, num2(t, want), want)
	}
}

func readMessage(t *testing.T, p *rawzmtp.Peer, want ...string) {
	t.Helper()
	m, err := p.ReadMessage()
	if err != nil {
		t.Fatalf("raw peer read: %v (got %q)", err, m)
	}
	if !framesEqual(m, strFrames(want...)) {
		t.Fatalf("raw peer got %s, want %q", fmtFrames(m), want)
	}
}

func writeMessage(t *testing.T, p *rawzmtp.Peer, frames ...[]byte) {
	t.Helper()
	if err := p.WriteMessage(frames...); err != nil {
		t.Fatal(err)
	}
}

// TestZMTP2PubToSub: a ZMTP 2.0 subscriber subscribes to a PUB with a \x01topic message and
// gets only what matches.
func TestZMTP2PubToSub(t *testing.T) {
	pub := newSocket(t, zmq.PUB)
	ep := bind(t, pub, "tcp://127.0.0.1:*")
	p := dial2(t, ep, "SUB", nil, "PUB")
	writeMessage(t, p, []byte("\x01top"))
	got := make(chan [][]byte, 1)
	go func() { // ends when the test closes p
		if m, err := p.ReadMessage(); err == nil {
			got <- m
		}
	}()
	// A PUB says nothing when the subscription lands: publish until it has.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(waitLong)
	for {
		sendString(t, pub, "other")
		sendString(t, pub, "top.1", "more")
		select {
		case m := <-got:
			if !framesEqual(m, strFrames("top.1", "more")) {
				t.Fatalf("the subscriber got %s, want [top.1 more]", fmtFrames(m))
			}
			return
		case <-deadline:
			t.Fatal("the subscription never took effect")
		case <-tick.C:
		}
	}
}

// TestZMTP2XPubToSub: the same with an XPUB, which shows the subscription and its cancel.
func TestZMTP2XPubToSub(t *testing.T) {
	pub := newSocket(t, zmq.XPUB)
	ep := bind(t, pub, "tcp://127.0.0.1:*")
	p := dial2(t, ep, "SUB", nil, "XPUB")
	writeMessage(t, p, []byte("\x01top"))
	// The XPUB passes the subscription up once it holds it: publishing after that cannot race.
	expectRecvString(t, pub, "\x01top")
	sendString(t, pub, "other")
	sendString(t, pub, "top.1", "more")
	readMessage(t, p, "top.1", "more")
	writeMessage(t, p, []byte("\x00top"))
	expectRecvString(t, pub, "\x00top")
}

// TestZMTP2SubToPub: a SUB sends its subscriptions to a ZMTP 2.0 publisher as messages and
// filters what it publishes.
func TestZMTP2SubToPub(t *testing.T) {
	ep, accept := listen2(t, "PUB", "SUB")
	sub := newSocket(t, zmq.SUB)
	subscribe(t, sub, "top")
	connect(t, sub, ep)
	p := accept()
	readMessage(t, p, "\x01top")
	writeMessage(t, p, []byte("other"))
	writeMessage(t, p, []byte("top.1"), []byte("x"))
	expectRecvString(t, sub, "top.1", "x")
}

// TestZMTP2PushPull: a ZMTP 2.0 pusher's multipart messages arrive whole, frames above 255
// bytes (LONG) and above the reader's big-body size included.
func TestZMTP2PushPull(t *testing.T) {
	pull := newSocket(t, zmq.PULL)
	ep := bind(t, pull, "tcp://127.0.0.1:*")
	p := dial2(t, ep, "PUSH", nil, "PULL")
	mid := bytes.Repeat([]byte{'m'}, 300)
	big := make([]byte, 200<<10)
	_, _ = rand.Read(big)
	msgs := [][][]byte{
		{[]byte("one")},
		{[]byte("a"), mid, {}, big, []byte("z")},
		{{}},
	}
	for _, m := range msgs {
		writeMessage(t, p, m...)
	}
	for _, m := range msgs {
		expectRecv(t, pull, m...)
	}
}

// TestZMTP2PushFromUs: a PUSH connecting to a ZMTP 2.0 puller writes 2.0 frames, LONG ones
// included.
func TestZMTP2PushFromUs(t *testing.T) {
	ep, accept := listen2(t, "PULL", "PUSH")
	push := newSocket(t, zmq.PUSH)
	connect(t, push, ep)
	big := strings.Repeat("b", 70<<10)
	sendString(t, push, "a", big, "")
	p := accept()
	readMessage(t, p, "a", big, "")
}

// TestZMTP2RouterIdentity: a ROUTER addresses a ZMTP 2.0 dealer by the identity its greeting
// carried.
func TestZMTP2RouterIdentity(t *testing.T) {
	router := newSocket(t, zmq.ROUTER)
	ep := bind(t, router, "tcp://127.0.0.1:*")
	p := dial2(t, ep, "DEALER", []byte("dealer-1"), "ROUTER")
	writeMessage(t, p, []byte("hello"))
	expectRecvString(t, router, "dealer-1", "hello")
	sendString(t, router, "dealer-1", "world")
	readMessage(t, p, "world")
}

// TestZMTP2ReqRep: request and reply with a ZMTP 2.0 peer on either side, the empty
// delimiter on the wire.
func TestZMTP2ReqRep(t *testing.T) {
	t.Run("REQ-to-raw-REP", func(t *testing.T) {
		ep, accept := listen2(t, "REP", "REQ")
		req := newSocket(t, zmq.REQ)
		connect(t, req, ep)
		sendString(t, req, "ping")
		p := accept()
		readMessage(t, p, "", "ping")
		writeMessage(t, p, nil, []byte("pong"))
		expectRecvString(t, req, "pong")
	})
	t.Run("raw-REQ-to-REP", func(t *testing.T) {
		rep := newSocket(t, zmq.REP)
		ep := bind(t, rep, "tcp://127.0.0.1:*")
		p := dial2(t, ep, "REQ", []byte("r1"), "REP")
		writeMessage(t, p, nil, []byte("q"))
		expectRecvString(t, rep, "q")
		sendString(t, rep, "a")
		readMessage(t, p, "", "a")
	})
}

// TestZMTP2Refused: a socket that authenticates refuses a ZMTP 2.0 peer, as libzmq does
// whenever ZAP is in use: the connection closes during the greeting, with no handshake event
// (libzmq reports only DISCONNECTED); a socket type 2.0 cannot name is refused too.
func TestZMTP2Refused(t *testing.T) {
	spub, ssec, err := curve.GenerateKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		opts []zmq.Option
		want error
	}{
		{"plain", []zmq.Option{zmq.WithPlainServer(true)}, engine.ErrDowngrade},
		{"curve", []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)}, engine.ErrDowngrade},
		{"zapDomain", []zmq.Option{zmq.WithZAPDomain("global")}, engine.ErrDowngrade},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, ch, p := rawPeerOf(t, zmq.PULL, c.opts...)
			if _, _, err := p.Greet2(num2(t, "PUSH"), nil); err == nil {
				t.Fatal("the greeting completed")
			}
			e := expectEvents(t, ch, zmq.EventAccepted, zmq.EventDisconnected)[1]
			if !errors.Is(e.Err, c.want) || !errors.Is(e.Err, zmq.ErrProtocol) {
				t.Fatalf("%v: want %v", e, c.want)
			}
		})
	}
}

// TestZMTP2BadPeers: a ZMTP 2.0 peer of an incompatible type is dropped silently (RFC 15);
// one that sends a frame with the COMMAND bit, reserved in 2.0, or a frame above MAXMSGSIZE
// is dropped once it does; nothing reaches the application.
func TestZMTP2BadPeers(t *testing.T) {
	for _, c := range []struct {
		name string
		sock zmq.Type
		opts []zmq.Option
		typ  string
		then []byte
		want error
	}{
		{"incompatible", zmq.PULL, nil, "PULL", nil, engine.ErrSocketType},
		{"command", zmq.PULL, nil, "PUSH", zmtp.AppendPing(nil, 1, nil), zmq.ErrProtocol},
		{"tooLarge", zmq.PULL, []zmq.Option{zmq.WithMaxMsgSize(1000)}, "PUSH", zmtp.AppendFrameHeader(nil, 0, 1<<30), engine.ErrTooLarge},
		{"tooLargeMultipart", zmq.PULL, []zmq.Option{zmq.WithMaxMsgSize(1000)}, "PUSH",
			zmtp.AppendFrame(zmtp.AppendFrame(nil, zmtp.FlagMore, make([]byte, 600)), 0, make([]byte, 600)), engine.ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, ch, p := rawPeerOf(t, c.sock, c.opts...)
			typ, _, err := p.Greet2(num2(t, c.typ), nil)
			if err == nil && typ != num2(t, c.sock.String()) {
				t.Fatalf("the socket announced type %d", typ)
			}
			want := []zmq.EventType{zmq.EventAccepted, zmq.EventDisconnected}
			if c.then != nil {
				if err != nil {
					t.Fatalf("greeting: %v", err)
				}
				want = []zmq.EventType{zmq.EventAccepted, zmq.EventHandshakeSucceeded, zmq.EventDisconnected}
				if err := p.Write(c.then); err != nil {
					t.Fatal(err)
				}
			}
			e := expectEvents(t, ch, want...)[len(want)-1]
			if !errors.Is(e.Err, c.want) {
				t.Fatalf("%v: want %v", e, c.want)
			}
			if err := p.Closed(); err != nil {
				t.Fatal(err)
			}
			if c.sock == zmq.PULL {
				expectNoMsg(t, s, 10*time.Millisecond)
			}
		})
	}
}

// TestZMTP1Refused: a ZMTP 1.0 peer (RFC 13), which starts with its identity frame, is
// refused with a protocol event; libzmq 4.3 would still talk to it.
func TestZMTP1Refused(t *testing.T) {
	for name, first := range map[string][]byte{
		"short": {0x01, 0x00},
		"long":  {0xff, 0, 0, 0, 0, 0, 0, 0, 4, 0x00, 'i', 'd', '!'},
	} {
		t.Run(name, func(t *testing.T) {
			_, ch, p := rawPeerOf(t, zmq.PULL)
			if err := p.Write(first); err != nil {
				t.Fatal(err)
			}
			e := expectEvents(t, ch, zmq.EventAccepted, zmq.EventHandshakeFailedProtocol, zmq.EventDisconnected)[1]
			if e.Value != zmq.ProtocolErrorZMTPUnspecified || !errors.Is(e.Err, zmtp.ErrVersion) {
				t.Fatalf("%v: want ZMTP_UNSPECIFIED and zmtp.ErrVersion", e)
			}
		})
	}
}
