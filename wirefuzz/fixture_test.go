package wirefuzz_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/internal/rawzmtp"
)

// patience is how long any one step may take: a socket that does not serve its good peer, or close
// a finished hostile connection, within it, hangs. Generous, for -race on a busy 2-core machine;
// only a broken build waits that long.
const patience = 10 * time.Second

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
	if st.side == bound {
		must(t, fx.sock.Bind("tcp://127.0.0.1:*"))
		fx.ep = fx.sock.LastEndpoint()
	} else {
		must(t, fx.good.Bind("tcp://127.0.0.1:*"))
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

// join connects the good peer and waits until the socket has it, subscriptions included.
func (fx *fixture) join() {
	if fx.st.side == bound {
		must(fx.t, fx.good.Connect(fx.ep))
	} else {
		must(fx.t, fx.sock.Connect(fx.goodEp))
	}
	fx.await("the good peer's handshake", func(e zmq.Event) bool {
		return e.Type == zmq.EventHandshakeSucceeded && (fx.st.side == bound || e.Endpoint == fx.goodEp)
	})
	fx.joined = true
	switch fx.st.typ {
	case zmq.SUB, zmq.XSUB:
		m := fx.goodRecv(nil)
		if !bytes.Equal(m.Frames[0], []byte{1}) {
			fx.t.Fatalf("the good peer got %q, want the socket's subscription", m.Frames)
		}
	case zmq.PUB:
		fx.probe()
	}
}

// probe publishes until the good subscriber receives: PUB shows no sign of a subscription
// having arrived, so this is the one wait that looks for its effect, with growing patience.
func (fx *fixture) probe() {
	deadline := time.Now().Add(patience)
	for wait := time.Millisecond; time.Now().Before(deadline); wait = min(2*wait, 100*time.Millisecond) {
		must(fx.t, fx.sock.Send(context.Background(), zmq.NewMsg(append(fx.tag, "probe"...))))
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		_, err := fx.good.Recv(ctx)
		cancel()
		if err == nil {
			return
		}
	}
	fx.t.Fatalf("hang: the good subscriber received nothing within %v", patience)
}

// await reads the monitor until an event matches, or fails after patience.
func (fx *fixture) await(what string, match func(zmq.Event) bool) zmq.Event {
	fx.t.Helper()
	timer := time.NewTimer(patience)
	defer timer.Stop()
	var seen []string
	for {
		select {
		case e, ok := <-fx.events:
			if !ok {
				fx.t.Fatalf("the monitor stopped while waiting for %s", what)
			}
			if match(e) {
				return e
			}
			seen = append(seen, e.String())
		case <-timer.C:
			fx.t.Fatalf("hang: no %s within %v (%s); events: %q", what, patience, fx.st, seen)
		}
	}
}

func (fx *fixture) goodRecv(want []byte) zmq.Msg {
	fx.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	for {
		m, err := fx.good.Recv(ctx)
		if err != nil {
			fx.t.Fatalf("hang: the good peer (%v) waiting for %q: %v (%s)", goodType[fx.st.typ], want, err, fx.st)
		}
		if want == nil || bytes.Equal(m.Frames[len(m.Frames)-1], want) {
			return m
		}
	}
}

func (fx *fixture) send(s *zmq.Socket, frames ...[]byte) {
	fx.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := s.Send(ctx, zmq.NewMsg(frames...)); err != nil {
		fx.t.Fatalf("hang: Send on %v: %v (%s)", s.Type(), err, fx.st)
	}
}

// exchange shows that the socket serves its good peer: a message each way where the socket type
// allows. live is while the hostile connection is still open; then only exchanges whose route
// cannot lead to the hostile peer are made (a PUSH, DEALER, REQ or PAIR could pick it).
func (fx *fixture) exchange(live bool) {
	fx.t.Helper()
	fx.n++
	mark := fmt.Appendf(append([]byte(nil), fx.tag...), "-%d", fx.n)
	reply := append(append([]byte(nil), mark...), 'r')
	switch fx.st.typ {
	case zmq.PULL, zmq.SUB, zmq.XSUB:
		fx.send(fx.good, mark)
		fx.col.await(fx, mark)
	case zmq.DEALER:
		fx.send(fx.good, mark)
		fx.col.await(fx, mark)
		if !live {
			fx.send(fx.sock, reply)
			fx.goodRecv(reply)
		}
	case zmq.ROUTER:
		fx.send(fx.good, mark)
		m := fx.col.await(fx, mark)
		fx.send(fx.sock, m.Frames[0], reply)
		fx.goodRecv(reply)
	case zmq.REP:
		fx.send(fx.good, mark)
		fx.goodRecv(reply) // the collector replies
	case zmq.XPUB:
		fx.send(fx.good, append([]byte{1}, mark...))
		fx.col.await(fx, append([]byte{1}, mark...))
		fx.send(fx.sock, mark)
		fx.goodRecv(mark)
		fx.send(fx.good, append([]byte{0}, mark...)) // so the topics do not pile up
		fx.col.await(fx, append([]byte{0}, mark...))
	case zmq.PUB:
		fx.send(fx.sock, mark)
		fx.goodRecv(mark)
	case zmq.PUSH, zmq.REQ, zmq.PAIR:
		if live {
			return
		}
		fx.send(fx.sock, mark)
		fx.goodRecv(mark)
		switch fx.st.typ {
		case zmq.REQ:
			fx.send(fx.good, reply)
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			if m, err := fx.sock.Recv(ctx); err != nil || !bytes.Equal(m.Frames[0], reply) {
				fx.t.Fatalf("hang: REQ waiting for its reply: %q, %v (%s)", m.Frames, err, fx.st)
			}
		case zmq.PAIR:
			fx.send(fx.good, reply)
			fx.col.await(fx, reply)
		}
	}
}

// isGood tells the good peer's messages from the hostile peer's, which cannot know the tag.
func (fx *fixture) isGood(m zmq.Msg) bool {
	for _, f := range m.Frames {
		if bytes.Contains(f, fx.tag) {
			return true
		}
	}
	return false
}

// collector receives on the socket for the whole run (the types that receive), sorting the
// good peer's messages from the hostile peer's; a REP answers each request.
type collector struct {
	mu      sync.Mutex
	hostile []zmq.Msg
	err     error
	more    chan struct{} // signalled on each hostile delivery
	good    chan zmq.Msg
	cancel  context.CancelFunc
	done    chan struct{}
}

func receives(t zmq.Type) bool { return t != zmq.PUB && t != zmq.PUSH && t != zmq.REQ }

func startCollector(fx *fixture) *collector {
	c := &collector{good: make(chan zmq.Msg, 64), more: make(chan struct{}, 1), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	if !receives(fx.st.typ) {
		close(c.done)
		return c
	}
	go func() {
		defer close(c.done)
		for {
			m, err := fx.sock.Recv(ctx)
			if err != nil {
				if ctx.Err() == nil {
					c.fail(fmt.Errorf("Recv: %w", err))
				}
				return
			}
			good := fx.isGood(m)
			if !good {
				c.mu.Lock()
				c.hostile = append(c.hostile, m)
				c.mu.Unlock()
				select {
				case c.more <- struct{}{}:
				default:
				}
			}
			if fx.st.typ == zmq.REP {
				reply := []byte("x")
				if good {
					reply = append(append([]byte(nil), m.Frames[0]...), 'r')
				}
				if err := fx.sock.Send(ctx, zmq.NewMsg(reply)); err != nil && ctx.Err() == nil {
					c.fail(fmt.Errorf("REP Send: %w", err))
					return
				}
			}
			if good && fx.st.typ != zmq.REP { // a REP's good peer sees the reply instead
				select {
				case c.good <- m:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return c
}

func (c *collector) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
}

// await waits for the good message holding mark.
func (c *collector) await(fx *fixture, mark []byte) zmq.Msg {
	fx.t.Helper()
	timer := time.NewTimer(patience)
	defer timer.Stop()
	for {
		select {
		case m := <-c.good:
			for _, f := range m.Frames {
				if bytes.Equal(f, mark) {
					return m
				}
			}
		case <-c.done:
			fx.t.Fatalf("the socket's Recv failed: %v", c.err)
		case <-timer.C:
			fx.t.Fatalf("hang: the socket did not deliver the good peer's %q within %v (%s)", mark, patience, fx.st)
		}
	}
}

// awaitHostile waits until the socket has delivered n messages from the hostile peer, and
// reports whether it did within patience.
func (c *collector) awaitHostile(n int) bool {
	timer := time.NewTimer(patience)
	defer timer.Stop()
	for {
		c.mu.Lock()
		got := len(c.hostile)
		c.mu.Unlock()
		if got >= n {
			return true
		}
		select {
		case <-c.more:
		case <-c.done:
			return false
		case <-timer.C:
			return false
		}
	}
}

// take hands over the hostile deliveries collected so far and forgets them.
func (c *collector) take() []zmq.Msg {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.hostile
	c.hostile = nil
	return got
}

// stop ends the collector and takes what is still queued, without waiting; it returns the
// hostile peer's deliveries, in order.
func (c *collector) stop(fx *fixture) []zmq.Msg {
	c.cancel()
	<-c.done
	if c.err != nil {
		fx.t.Fatalf("the socket's Recv failed: %v", c.err)
	}
	if receives(fx.st.typ) && fx.st.typ != zmq.REP {
		done, cancel := context.WithCancel(context.Background())
		cancel()
		for {
			m, err := fx.sock.Recv(done)
			if err != nil {
				break
			}
			if !fx.isGood(m) {
				c.hostile = append(c.hostile, m)
			}
		}
	}
	return c.hostile
}

// dialHostile opens the hostile connection: to the socket's endpoint, or from the socket to a
// listener of ours.
func (fx *fixture) dialHostile() *rawzmtp.Peer {
	if fx.st.side == bound {
		p, err := rawzmtp.Dial(fx.ep)
		must(fx.t, err)
		return p
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(fx.t, err)
	defer l.Close()
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
