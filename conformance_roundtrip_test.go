package zmq_test

import (
	"bytes"
	"fmt"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// pairCase is one compatible pair of socket types and how an application payload crosses it:
// what envelope the sender adds and what the receiver sees.
type pairCase struct {
	name         string
	a, b         zmq.Type
	aOpts, bOpts []zmq.Option
	// ready runs once the sockets are linked (to consume ROUTER probes).
	ready func(t *testing.T, a, b *zmq.Socket)
	// exchange carries payload from a to b and, unless the pattern is one-way, back again,
	// checking that every frame arrives intact.
	exchange func(t *testing.T, a, b *zmq.Socket, payload [][]byte)
}

var (
	routerA = []byte("router-a")
	routerB = []byte("router-b")
)

var pairCases = []pairCase{
	{name: "PAIR-PAIR", a: zmq.PAIR, b: zmq.PAIR, exchange: exchangePlain},
	{name: "REQ-REP", a: zmq.REQ, b: zmq.REP, exchange: exchangePlain},
	{name: "REQ-ROUTER", a: zmq.REQ, b: zmq.ROUTER, exchange: exchangeReqRouter},
	{name: "DEALER-REP", a: zmq.DEALER, b: zmq.REP, exchange: exchangeDealerRep},
	{name: "DEALER-ROUTER", a: zmq.DEALER, b: zmq.ROUTER, exchange: exchangeDealerRouter},
	{name: "DEALER-DEALER", a: zmq.DEALER, b: zmq.DEALER, exchange: exchangePlain},
	{name: "PUSH-PULL", a: zmq.PUSH, b: zmq.PULL, exchange: exchangeOneWay},
	{
		// ROUTERs only talk to peers they know, so each probes the other on connect and the
		// probe (an empty message under the peer's routing id) tells the test both sides are up.
		name: "ROUTER-ROUTER", a: zmq.ROUTER, b: zmq.ROUTER,
		aOpts: []zmq.Option{zmq.WithRoutingID(routerA), zmq.WithProbeRouter(true)},
		bOpts: []zmq.Option{zmq.WithRoutingID(routerB), zmq.WithProbeRouter(true)},
		ready: func(t *testing.T, a, b *zmq.Socket) {
			expectRecv(t, a, routerB, nil)
			expectRecv(t, b, routerA, nil)
		},
		exchange: func(t *testing.T, a, b *zmq.Socket, payload [][]byte) {
			send(t, a, cat([][]byte{routerB}, payload...)...)
			expectRecv(t, b, cat([][]byte{routerA}, payload...)...)
			send(t, b, cat([][]byte{routerA}, payload...)...)
			expectRecv(t, a, cat([][]byte{routerB}, payload...)...)
		},
	},
}

// open creates the pair and links it over tr, a binding when aBinds and b otherwise.
func (pc pairCase) open(t *testing.T, tr transport, aBinds bool) (a, b *zmq.Socket) {
	t.Helper()
	a = newSocket(t, pc.a, pc.aOpts...)
	b = newSocket(t, pc.b, pc.bOpts...)
	if aBinds {
		link(t, tr, a, b)
	} else {
		link(t, tr, b, a)
	}
	if pc.ready != nil {
		pc.ready(t, a, b)
	}
	return a, b
}

func exchangeOneWay(t *testing.T, a, b *zmq.Socket, payload [][]byte) {
	t.Helper()
	send(t, a, payload...)
	expectRecv(t, b, payload...)
}

func exchangePlain(t *testing.T, a, b *zmq.Socket, payload [][]byte) {
	t.Helper()
	exchangeOneWay(t, a, b, payload)
	exchangeOneWay(t, b, a, payload)
}

// REQ adds an empty delimiter that the ROUTER sees after the routing id; echoing the whole
// message routes the reply back, and REQ strips the delimiter again.
func exchangeReqRouter(t *testing.T, a, b *zmq.Socket, payload [][]byte) {
	t.Helper()
	send(t, a, payload...)
	m := recvWithin(t, b, waitLong)
	if len(m.Frames) != len(payload)+2 || len(m.Frames[0]) == 0 || len(m.Frames[1]) != 0 ||
		!framesEqual(m.Frames[2:], payload) {
		t.Fatalf("ROUTER received %s, want [<id> \"\" payload %s]", fmtFrames(m.Frames), fmtFrames(payload))
	}
	send(t, b, m.Frames...)
	expectRecv(t, a, payload...)
}

// A DEALER talking to a REP supplies the empty delimiter itself and receives it back.
func exchangeDealerRep(t *testing.T, a, b *zmq.Socket, payload [][]byte) {
	t.Helper()
	send(t, a, cat([][]byte{{}}, payload...)...)
	expectRecv(t, b, payload...)
	send(t, b, payload...)
	expectRecv(t, a, cat([][]byte{{}}, payload...)...)
}

func exchangeDealerRouter(t *testing.T, a, b *zmq.Socket, payload [][]byte) {
	t.Helper()
	send(t, a, payload...)
	m := recvWithin(t, b, waitLong)
	if len(m.Frames) != len(payload)+1 || len(m.Frames[0]) == 0 || !framesEqual(m.Frames[1:], payload) {
		t.Fatalf("ROUTER received %s, want [<id> payload %s]", fmtFrames(m.Frames), fmtFrames(payload))
	}
	send(t, b, m.Frames...)
	expectRecv(t, a, payload...)
}

// TestConformanceRoundTrip: every compatible pair, over every transport, with each side binding,
// carries several messages there and back (several, so lock-step state must reset correctly).
func TestConformanceRoundTrip(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, pc := range pairCases {
			for _, aBinds := range []bool{true, false} {
				binder := "b-binds"
				if aBinds {
					binder = "a-binds"
				}
				t.Run(pc.name+"/"+binder, func(t *testing.T) {
					a, b := pc.open(t, tr, aBinds)
					for i := range 3 {
						pc.exchange(t, a, b, strFrames(fmt.Sprintf("hello-%d", i)))
					}
				})
			}
		}
	})
}

// multipartPayloads are the shapes a message must survive intact: frame counts, empty frames,
// the 255/256-byte boundary between short and long frame headers, and a large frame.
func multipartPayloads() map[string][][]byte {
	fill := func(n int, c byte) []byte { return bytes.Repeat([]byte{c}, n) }
	p := map[string][][]byte{
		"one-empty-frame":     {{}},
		"all-empty-frames":    {{}, {}, {}},
		"empty-in-the-middle": {[]byte("a"), {}, []byte("b")},
		"empty-last":          {[]byte("a"), {}},
		"255-bytes":           {fill(255, 'a')},
		"256-bytes":           {fill(256, 'b')},
		"short-long-mix":      {fill(254, 'c'), fill(255, 'd'), fill(256, 'e'), fill(257, 'f'), {}},
		"1MiB":                {fill(1<<20, 'g')},
		"1MiB-between-small":  {[]byte("head"), fill(1<<20, 'h'), {}, []byte("tail")},
	}
	for n := 1; n <= 10; n++ {
		frames := make([][]byte, n)
		for i := range frames {
			frames[i] = []byte(fmt.Sprintf("part-%d-of-%d", i+1, n))
		}
		p[fmt.Sprintf("%d-frames", n)] = frames
	}
	return p
}

// TestConformanceMultipart sends every payload shape across every pair and transport.
func TestConformanceMultipart(t *testing.T) {
	payloads := multipartPayloads()
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, pc := range pairCases {
			t.Run(pc.name, func(t *testing.T) {
				a, b := pc.open(t, tr, false)
				for name, payload := range payloads {
					t.Run(name, func(t *testing.T) { pc.exchange(t, a, b, payload) })
				}
			})
		}
	})
}

// TestConformanceLargeFrames: frames of several MiB, beyond what the reader allocates on a
// header's word alone, arrive intact, alone and between small frames, both ways.
func TestConformanceLargeFrames(t *testing.T) {
	big := make([]byte, 5<<20+7)
	for i := range big {
		big[i] = byte(i * 7)
	}
	payloads := [][][]byte{{big}, {[]byte("head"), big[:1<<20], {}, big, []byte("tail")}}
	forEachTransport(t, func(t *testing.T, tr transport) {
		a, b := newSocket(t, zmq.DEALER), newSocket(t, zmq.DEALER)
		link(t, tr, b, a)
		for _, p := range payloads {
			for _, dir := range [][2]*zmq.Socket{{a, b}, {b, a}} {
				send(t, dir[0], p...)
				// Generous: a loaded machine under -race moves megabytes slowly.
				if m := recvWithin(t, dir[1], 4*waitLong); !framesEqual(m.Frames, p) {
					t.Fatalf("received %s, want %s", fmtFrames(m.Frames), fmtFrames(p))
				}
			}
		}
	})
}
