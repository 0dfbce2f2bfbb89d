package wirefuzz_test

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"net"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/internal/rawzmtp"
)

// patience is how long any one step may take: a socket that does not serve its good peer, or close
// a finished hostile connection, within it, hangs. Generous, for -race on a busy 2-core machine;
// only a broken build waits that long. Shorter when fuzzing (TestMain).
var patience = 10 * time.Second

// Credentials the ZAP handler knows.
const (
	hostileUser = "alice" // password "secret"
	goodUser    = "good"
	goodPass    = "good-password"
	sockUser    = "sock" // the socket's own, when it is a PLAIN client
	sockPass    = "sock-password"
)

// keyring holds the CURVE keys of a fixture.
type keyring struct {
	serverPub, serverSec   rawzmtp.Key // the server's: the socket's, or the good and hostile peers'
	clientPub, clientSec   rawzmtp.Key // the socket's when it is the client, else the good peer's
	hostilePub, hostileSec rawzmtp.Key // a client key the ZAP handler lets in
}

func newKeyring() *keyring {
	k := &keyring{}
	k.serverPub, k.serverSec = rawzmtp.KeyPair()
	k.clientPub, k.clientSec = rawzmtp.KeyPair()
	k.hostilePub, k.hostileSec = rawzmtp.KeyPair()
	return k
}

// goodType is the well-behaved peer's type for each socket type: one that shows, by itself,
// that the socket served it.
var goodType = map[zmq.Type]zmq.Type{
	zmq.PAIR: zmq.PAIR, zmq.REQ: zmq.REP, zmq.REP: zmq.REQ, zmq.DEALER: zmq.DEALER,
	zmq.ROUTER: zmq.DEALER, zmq.PUB: zmq.SUB, zmq.SUB: zmq.XPUB, zmq.XPUB: zmq.XSUB,
	zmq.XSUB: zmq.XPUB, zmq.PUSH: zmq.PULL, zmq.PULL: zmq.PUSH,
}

// fixture is a socket under test with its context, ZAP handler, monitor and good peer.
type fixture struct {
	t       testing.TB
	st      setup
	k       *keyring
	zc      *zmq.Context
	auth    *auth.Authenticator
	sock    *zmq.Socket
	events  <-chan zmq.Event
	stopMon func()
	ep      string // the socket's endpoint (bound side)
	good    *zmq.Socket
	goodEp  string // the good peer's endpoint (connecting side)
	joined  bool
	tag     []byte // in every message of the good peer, and no other
	n       int
	col     *collector
	ports   []int // the listening ports it took, to give back once closed (ports_test.go)
}

func newFixture(t testing.TB, st setup) *fixture {
	fx := &fixture{t: t, st: st, k: newKeyring(), zc: zmq.NewContext(), tag: make([]byte, 8)}
	_, _ = rand.Read(fx.tag)
	t.Cleanup(fx.close)
	if st.mech != mechNull {
		fx.auth = auth.New()
		fx.auth.SetPassword(hostileUser, "secret")
		fx.auth.SetPassword(goodUser, goodPass)
		fx.auth.SetPassword(sockUser, sockPass)
		fx.auth.AllowCurveKeys(fx.k.clientPub, fx.k.hostilePub)
		must(t, fx.auth.Start(fx.zc))
	}
	var err error
	fx.sock, err = fx.zc.NewSocket(st.typ, fx.sockOptions()...)
	must(t, err)
	fx.events, fx.stopMon = fx.sock.Monitor(zmq.EventAll)
	switch st.typ {
	case zmq.SUB:
		must(t, fx.sock.Subscribe(nil))
	case zmq.XSUB:
		must(t, fx.sock.Send(context.Background(), zmq.NewMsg([]byte{1})))
	}
	opts := []zmq.Option{zmq.WithLinger(0)}
	if st.typ == zmq.ROUTER {
		opts = append(opts, zmq.WithRoutingID(append([]byte("g"), fx.tag...)))
	}
	fx.good, err = fx.zc.NewSocket(goodType[st.typ], append(opts, fx.goodOptions()...)...)
	must(t, err)
	if st.typ == zmq.PUB {
		must(t, fx.good.Subscribe(nil))
	}
	listener := fx.good
	if st.side == bound {
		listener = fx.sock
	}
	port, err := bindSocket(listener)
	must(t, err)
	fx.ports = append(fx.ports, port)
	if st.side == bound {
		fx.ep = fx.sock.LastEndpoint()
	} else {
		fx.goodEp = fx.good.LastEndpoint()
	}
	if !st.late {
		fx.join()
	}
	fx.col = startCollector(fx)
	return fx
}

func (fx *fixture) sockOptions() []zmq.Option {
	k, st := fx.k, fx.st
	o := []zmq.Option{zmq.WithLinger(0), zmq.WithReconnectIvl(-1), zmq.WithMaxMsgSize(st.maxMsg)}
	if st.typ == zmq.PUB || st.typ == zmq.XPUB {
		// A few subscriptions take a hostile peer past it: the limit's disconnect is fuzzed too.
		o = append(o, zmq.WithMaxSubscriptionBytes(4<<10))
	}
	switch {
	case st.mech == mechPlain && st.server:
		o = append(o, zmq.WithPlainServer(true))
	case st.mech == mechPlain:
		o = append(o, zmq.WithPlainUsername(sockUser), zmq.WithPlainPassword(sockPass))
	case st.mech == mechCurve && st.server:
		o = append(o, zmq.WithCurveServer(true), zmq.WithCurvePublicKey(k.serverPub), zmq.WithCurveSecretKey(k.serverSec))
	case st.mech == mechCurve:
		o = append(o, zmq.WithCurveServerKey(k.serverPub), zmq.WithCurvePublicKey(k.clientPub), zmq.WithCurveSecretKey(k.clientSec))
	}
	return o
}

// goodOptions make the good peer the other half of the socket's mechanism.
func (fx *fixture) goodOptions() []zmq.Option {
	k, st := fx.k, fx.st
	switch {
	case st.mech == mechPlain && st.server:
		return []zmq.Option{zmq.WithPlainUsername(goodUser), zmq.WithPlainPassword(goodPass)}
	case st.mech == mechPlain:
		return []zmq.Option{zmq.WithPlainServer(true)}
	case st.mech == mechCurve && st.server:
		return []zmq.Option{zmq.WithCurveServerKey(k.serverPub), zmq.WithCurvePublicKey(k.clientPub), zmq.WithCurveSecretKey(k.clientSec)}
	case st.mech == mechCurve:
		return []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(k.serverPub), zmq.WithCurveSecretKey(k.serverSec)}
	}
	return nil
}

// dialHostile opens the hostile connection: to the socket's endpoint, or from the socket to a
// listener of ours.
func (fx *fixture) dialHostile() *rawzmtp.Peer {
	if fx.st.side == bound {
		p, err := rawzmtp.Dial(fx.ep)
		must(fx.t, err)
		return p
	}
	l, port, err := listenTCP()
	must(fx.t, err)
	defer func() {
		l.Close()
		givePort(port)
	}()
	must(fx.t, fx.sock.Connect("tcp://"+l.Addr().String()))
	_ = l.(*net.TCPListener).SetDeadline(time.Now().Add(patience))
	c, err := l.Accept()
	if err != nil {
		fx.t.Fatalf("hang: the socket did not connect within %v: %v", patience, err)
	}
	return rawzmtp.New(c)
}

// runHostile plays one hostile connection from s, shows the good peer served while it is open
// and after it ends, and returns it for the checks.
func (fx *fixture) runHostile(s *src) *hostile {
	fx.t.Helper()
	p := fx.dialHostile()
	defer p.Close()
	addr := "tcp://" + p.C.LocalAddr().String()
	h := newHostile(fx.t, p, fx.st, fx.k, s)
	h.sync = fx.checkLive
	h.handshake()
	h.play()
	fx.checkLive(h)
	if fx.joined {
		fx.exchange(true)
	}
	// The hostile peer is done: it says so and reads until the socket hangs up, which a socket
	// must do once it has read to the end.
	_ = p.C.(*net.TCPConn).CloseWrite()
	_ = p.C.SetReadDeadline(time.Now().Add(patience))
	if err := p.Drain(); isTimeout(err) {
		fx.t.Fatalf("hang: the socket kept the hostile connection open %v after its end (%s)", patience, fx.st)
	}
	if fx.st.side == connecting {
		// Its queue must not take the good peer's messages, nor a PAIR keep it as its peer.
		must(fx.t, fx.sock.Disconnect("tcp://"+p.C.LocalAddr().String()))
	}
	fx.await("the hostile connection's end", func(e zmq.Event) bool {
		return e.Type == zmq.EventDisconnected && e.PeerAddr == addr
	})
	if !fx.joined {
		fx.join()
	}
	fx.exchange(false)
	return h
}

var noLive = flag.Bool("wirefuzz.nolive", false, "skip the check that whole messages are delivered while the connection stays open (defect 8), to fuzz past it")

// checkLive checks, while the hostile connection is still open, that every message it sent
// whole has reached the application, where the type delivers all it reads: a socket may not
// wait for bytes that are not its business, such as the rest of a frame that comes after.
func (fx *fixture) checkLive(h *hostile) {
	fx.t.Helper()
	if *noLive {
		return
	}
	switch fx.st.typ {
	case zmq.PULL, zmq.DEALER, zmq.ROUTER, zmq.SUB, zmq.XSUB, zmq.PAIR:
	default:
		return
	}
	if !h.accepted() {
		return
	}
	w := reference(h, fx.st.maxMsg)
	if w.broken {
		return // the socket drops the connection; what it decoded with the error may go too
	}
	if n := len(deliverable(fx.st.typ, w)); !fx.col.awaitHostile(n) {
		fx.col.mu.Lock()
		got := len(fx.col.hostile)
		fx.col.mu.Unlock()
		fx.t.Fatalf("hang: %d of the %d messages the hostile peer sent whole are not delivered %v later, while its connection stays open (%s; the stream ends inside a frame: %v)",
			n-got, n, patience, fx.st, w.open)
	}
}

func (fx *fixture) close() {
	if fx.col != nil {
		fx.col.cancel()
		<-fx.col.done
	}
	for _, s := range []*zmq.Socket{fx.good, fx.sock} {
		if s != nil {
			s.Close()
		}
	}
	if fx.stopMon != nil {
		fx.stopMon()
	}
	if fx.auth != nil {
		fx.auth.Close()
	}
	fx.zc.Close()
	for _, p := range fx.ports {
		givePort(p) // its sockets are closed, and their listeners with them
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
