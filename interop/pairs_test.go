package interop

import (
	"strings"
	"testing"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// end is one socket of a pair under test.
type end struct {
	peer
	id    []byte // the routing id it announces (REQ, DEALER, ROUTER), else nil
	binds bool
}

// pairSpec is a compatible socket pair and how a message crosses it. a is the side that speaks
// first (the client role); exchange carries one body from a to b and, where the pattern allows,
// back again.
type pairSpec struct {
	a, b     zmq.Type
	exchange func(t *testing.T, a, b end, body [][]byte)
	// prepare runs once per connection before the first exchange.
	prepare func(t *testing.T, a, b end)
	// probe sets PROBE_ROUTER on the connecting socket.
	probe bool
}

var pairs = []pairSpec{
	{a: zmq.PAIR, b: zmq.PAIR, exchange: bothWays},
	{a: zmq.REQ, b: zmq.REP, exchange: reqRep},
	{a: zmq.REQ, b: zmq.ROUTER, exchange: reqRouter},
	{a: zmq.DEALER, b: zmq.REP, exchange: dealerRep},
	{a: zmq.DEALER, b: zmq.ROUTER, exchange: dealerRouter},
	{a: zmq.DEALER, b: zmq.DEALER, exchange: bothWays},
	{a: zmq.ROUTER, b: zmq.ROUTER, exchange: routerRouter, prepare: routerProbe, probe: true},
	{a: zmq.PUSH, b: zmq.PULL, exchange: oneWay},
}

func oneWay(t *testing.T, a, b end, body [][]byte) {
	mustSend(t, a, body)
	expect(t, b, body)
}

func bothWays(t *testing.T, a, b end, body [][]byte) {
	oneWay(t, a, b, body)
	oneWay(t, b, a, body)
}

func reqRep(t *testing.T, req, rep end, body [][]byte) { bothWays(t, req, rep, body) }

func reqRouter(t *testing.T, req, router end, body [][]byte) {
	mustSend(t, req, body)
	envelope := [][]byte{req.id, {}}
	expect(t, router, prepend(body, envelope...))
	mustSend(t, router, prepend(body, envelope...))
	expect(t, req, body)
}

func dealerRep(t *testing.T, dealer, rep end, body [][]byte) {
	mustSend(t, dealer, prepend(body, []byte{}))
	expect(t, rep, body)
	mustSend(t, rep, body)
	expect(t, dealer, prepend(body, []byte{}))
}

func dealerRouter(t *testing.T, dealer, router end, body [][]byte) {
	mustSend(t, dealer, body)
	expect(t, router, prepend(body, dealer.id))
	mustSend(t, router, prepend(body, dealer.id))
	expect(t, dealer, body)
}

// boundFirst orders two ROUTERs: the bound one, then the connecting one.
func boundFirst(a, b end) (end, end) {
	if b.binds {
		return b, a
	}
	return a, b
}

// routerProbe waits for the connecting ROUTER's PROBE_ROUTER message, which proves the handshake
// finished on both sides: before that, the connecting ROUTER does not know its peer's routing id
// and would drop what it is asked to send.
func routerProbe(t *testing.T, a, b end) {
	bound, conn := boundFirst(a, b)
	expect(t, bound, [][]byte{conn.id, {}})
}

func routerRouter(t *testing.T, a, b end, body [][]byte) {
	bound, conn := boundFirst(a, b)
	mustSend(t, bound, prepend(body, conn.id))
	expect(t, conn, prepend(body, bound.id))
	mustSend(t, conn, prepend(body, bound.id))
	expect(t, bound, prepend(body, conn.id))
}

// combo is one cell of the matrix: a pair, which side purezmq plays, the transport, who binds.
type combo struct {
	spec      pairSpec
	pureIsA   bool
	transport string
	pureBinds bool
}

// name is "<pure role>-<libzmq role>/<transport>/<who binds>".
func (c combo) name() string {
	pure, lib := c.roles()
	who := "libzmq-binds"
	if c.pureBinds {
		who = "pure-binds"
	}
	return pure.String() + "-" + lib.String() + "/" + c.transport + "/" + who
}

func (c combo) roles() (pure, lib zmq.Type) {
	if c.pureIsA {
		return c.spec.a, c.spec.b
	}
	return c.spec.b, c.spec.a
}

// combos lists every cell: purezmq on each side of each pair (once for a symmetric pair), over
// each transport, with each side binding.
func combos() []combo {
	var out []combo
	for _, spec := range pairs {
		sides := []bool{true}
		if spec.a != spec.b {
			sides = append(sides, false)
		}
		for _, pureIsA := range sides {
			for _, tr := range transports {
				for _, pureBinds := range []bool{true, false} {
					out = append(out, combo{spec, pureIsA, tr, pureBinds})
				}
			}
		}
	}
	return out
}

// announcesID reports whether a socket type sends a routing id its ROUTER peer can see.
func announcesID(typ zmq.Type) bool {
	return typ == zmq.REQ || typ == zmq.DEALER || typ == zmq.ROUTER
}

func TestPairs(t *testing.T) {
	for _, c := range combos() {
		t.Run(c.name(), func(t *testing.T) { runCombo(t, c) })
	}
}

func runCombo(t *testing.T, c combo) {
	pureType, libType := c.roles()
	pure := end{binds: c.pureBinds}
	lib := end{binds: !c.pureBinds}

	var opts []zmq.Option
	if announcesID(pureType) {
		pure.id = []byte("pure-" + pureType.String())
		opts = append(opts, zmq.WithRoutingID(pure.id))
	}
	if c.spec.probe && !pure.binds {
		opts = append(opts, zmq.WithProbeRouter(true))
	}
	ps := newPure(t, pureType, opts...)
	pure.peer = purePeer{ps}

	ls := newLib(t, newLibCtx(t), libType)
	if announcesID(libType) {
		lib.id = []byte("libzmq-" + libType.String())
		if err := ls.SetIdentity(string(lib.id)); err != nil {
			t.Fatalf("libzmq IDENTITY: %v", err)
		}
	}
	if c.spec.probe && !lib.binds {
		if err := ls.SetProbeRouter(1); err != nil {
			t.Fatalf("libzmq PROBE_ROUTER: %v", err)
		}
	}
	lib.peer = libPeer{ls}

	addr := bindAddr(t, c.transport)
	if c.pureBinds {
		if err := ls.Connect(pureBind(t, ps, addr)); err != nil {
			t.Fatalf("libzmq Connect: %v", err)
		}
	} else {
		if err := ps.Connect(libBind(t, ls, addr)); err != nil {
			t.Fatalf("purezmq Connect: %v", err)
		}
	}

	a, b := pure, lib
	if !c.pureIsA {
		a, b = lib, pure
	}
	if c.spec.prepare != nil {
		c.spec.prepare(t, a, b)
	}
	for _, s := range shapes() {
		t.Logf("shape %s", s.name)
		c.spec.exchange(t, a, b, s.m)
	}
}

// The numeric socket types are libzmq's, so a type can cross the cgo boundary as is.
func TestTypeNumbersMatchLibzmq(t *testing.T) {
	for _, c := range []struct {
		pure zmq.Type
		lib  zmq4.Type
	}{
		{zmq.PAIR, zmq4.PAIR}, {zmq.PUB, zmq4.PUB}, {zmq.SUB, zmq4.SUB}, {zmq.REQ, zmq4.REQ},
		{zmq.REP, zmq4.REP}, {zmq.DEALER, zmq4.DEALER}, {zmq.ROUTER, zmq4.ROUTER},
		{zmq.PULL, zmq4.PULL}, {zmq.PUSH, zmq4.PUSH}, {zmq.XPUB, zmq4.XPUB},
		{zmq.XSUB, zmq4.XSUB}, {zmq.STREAM, zmq4.STREAM},
	} {
		if int(c.pure) != int(c.lib) || c.pure.String() != c.lib.String() {
			t.Errorf("purezmq %v = %d, libzmq %v = %d", c.pure, int(c.pure), c.lib, int(c.lib))
		}
	}
}

func TestOptionNumbersMatchLibzmq(t *testing.T) {
	for name, want := range libzmqOptions {
		id, ok := zmq.LookupOption(name)
		if !ok {
			t.Errorf("purezmq has no option %s", name)
			continue
		}
		if int(id) != want {
			t.Errorf("%s: purezmq %d, zmq.h %d", name, int(id), want)
		}
	}
	// And the other way: every option purezmq names is zmq.h's, under that name.
	for n := range 1000 {
		id := zmq.OptionID(n)
		name := id.String()
		if strings.HasPrefix(name, "OptionID(") {
			continue
		}
		if want, ok := libzmqOptions[name]; !ok || want != n {
			t.Errorf("purezmq option %s = %d; zmq.h has %d (known: %v)", name, n, want, ok)
		}
	}
	if zmq.NotifyConnect != libzmqNotify[0] || zmq.NotifyDisconnect != libzmqNotify[1] {
		t.Errorf("ROUTER_NOTIFY flags %d, %d; zmq.h %v", zmq.NotifyConnect, zmq.NotifyDisconnect, libzmqNotify)
	}
	if major, minor, patch := zmq.Version(); [3]int{major, minor, patch} != libzmqVersion {
		t.Errorf("Version() = %d.%d.%d, the libzmq tested against is %v", major, minor, patch, libzmqVersion)
	}
}
