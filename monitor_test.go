package zmq_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// expectEvents reads the next len(want) events and checks their types, in order.
func expectEvents(t *testing.T, ch <-chan zmq.Event, want ...zmq.EventType) []zmq.Event {
	t.Helper()
	got := make([]zmq.Event, 0, len(want))
	for i, w := range want {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("event %d: channel closed, want %v (got %v)", i, w, got)
			}
			got = append(got, e)
			if e.Type != w {
				t.Fatalf("event %d: got %v, want %v (so far %v)", i, e, w, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d: none within 5s, want %v (got %v)", i, w, got)
		}
	}
	return got
}

// expectStopped checks that MONITOR_STOPPED comes next and the channel then closes.
func expectStopped(t *testing.T, ch <-chan zmq.Event) zmq.Event {
	t.Helper()
	e := expectEvents(t, ch, zmq.EventMonitorStopped)[0]
	select {
	case extra, ok := <-ch:
		if ok {
			t.Fatalf("event after MONITOR_STOPPED: %v", extra)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("channel not closed after MONITOR_STOPPED")
	}
	return e
}

// connectDelayed is the CONNECT_DELAYED a tcp connect starts with, as in libzmq; an ipc
// connect succeeds or fails at once.
func connectDelayed(tr transport) []zmq.EventType {
	if tr.name == "tcp" {
		return []zmq.EventType{zmq.EventConnectDelayed}
	}
	return nil
}

func TestMonitorConnectHandshakeDisconnect(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pull := newSocket(t, zmq.PULL)
		push := newSocket(t, zmq.PUSH)
		srv, stopSrv := pull.Monitor(zmq.EventAll)
		defer stopSrv()
		cli, _ := push.Monitor(zmq.EventAll)

		ep := link(t, tr, pull, push)
		got := expectEvents(t, srv, zmq.EventListening, zmq.EventAccepted, zmq.EventHandshakeSucceeded)
		for _, e := range got {
			if e.Endpoint != ep {
				t.Errorf("%v: endpoint %q, want %q", e, e.Endpoint, ep)
			}
		}
		if tr.name == "tcp" && !strings.HasPrefix(got[1].PeerAddr, "tcp://127.0.0.1:") {
			t.Errorf("ACCEPTED peer %q, want tcp://127.0.0.1:port", got[1].PeerAddr)
		}
		got = expectEvents(t, cli, append(connectDelayed(tr), zmq.EventConnected, zmq.EventHandshakeSucceeded)...)
		for _, e := range got {
			if e.Endpoint != ep {
				t.Errorf("%v: endpoint %q, want %q", e, e.Endpoint, ep)
			}
		}
		if tr.name == "tcp" && got[1].PeerAddr != ep {
			t.Errorf("CONNECTED peer %q, want %q", got[1].PeerAddr, ep)
		}
		sendString(t, push, "hi")
		expectRecvString(t, pull, "hi")

		// Our own Close reports no DISCONNECTED, only the end of the monitor; the peer sees
		// the connection go.
		if err := push.Close(); err != nil {
			t.Fatal(err)
		}
		expectStopped(t, cli)
		e := expectEvents(t, srv, zmq.EventDisconnected)[0]
		if e.Endpoint != ep {
			t.Errorf("DISCONNECTED endpoint %q, want %q", e.Endpoint, ep)
		}
		if err := pull.Close(); err != nil {
			t.Fatal(err)
		}
		expectEvents(t, srv, zmq.EventClosed)
		expectStopped(t, srv)
	})
}

// TestMonitorDisconnectSaysWhy: DISCONNECTED carries why the connection failed, here a peer
// that broke the framing after its handshake.
func TestMonitorDisconnectSaysWhy(t *testing.T) {
	t.Parallel()
	pull := newSocket(t, zmq.PULL)
	ep := bind(t, pull, "tcp://127.0.0.1:*")
	ch, stop := pull.Monitor(zmq.EventDisconnected)
	defer stop()
	c, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rawHandshake(t, c)
	rawWrite(t, c, []byte{0x80, 0x01, 'x'}) // reserved flag bits set
	if e := expectEvents(t, ch, zmq.EventDisconnected)[0]; e.Err == nil {
		t.Errorf("%v: no cause", e)
	}
}

func TestMonitorPeerGoneAndRetried(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pull := newSocket(t, zmq.PULL)
		push := newSocket(t, zmq.PUSH, zmq.WithReconnectIvl(30*time.Millisecond))
		ep := bind(t, pull, tr.wildcard())
		cli, stop := push.Monitor(zmq.EventConnected | zmq.EventHandshakeSucceeded | zmq.EventDisconnected | zmq.EventConnectRetried)
		defer stop()
		connect(t, push, ep)
		expectEvents(t, cli, zmq.EventConnected, zmq.EventHandshakeSucceeded)
		if err := pull.Close(); err != nil {
			t.Fatal(err)
		}
		got := expectEvents(t, cli, zmq.EventDisconnected, zmq.EventConnectRetried, zmq.EventConnectRetried)
		for _, e := range got[1:] {
			if e.Value != 30 || e.Endpoint != ep {
				t.Errorf("%v: want value 30 at %s", e, ep)
			}
		}
		stop()
		expectStopped(t, cli)
		stop() // a second stop is harmless
	})
}

func TestMonitorConnectRetriedWhilePeerAbsent(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		push := newSocket(t, zmq.PUSH, zmq.WithReconnectIvl(20*time.Millisecond))
		ch, stop := push.Monitor(zmq.EventAll)
		defer stop()
		ep := tr.fixed(t)
		connect(t, push, ep)
		// As libzmq: each failed attempt closes its socket, then a retry is scheduled.
		attempt := append(connectDelayed(tr), zmq.EventClosed, zmq.EventConnectRetried)
		got := expectEvents(t, ch, append(attempt, attempt...)...)
		last := got[len(got)-1]
		if last.Value != 20 || last.Endpoint != ep || last.Err == nil {
			t.Errorf("%v: want value 20 at %s with the dial error", last, ep)
		}

		// The peer turns up: the next attempt connects.
		pull := newSocket(t, zmq.PULL)
		bind(t, pull, ep)
		waitEvent(t, ch, zmq.EventHandshakeSucceeded)
	})
}

// waitEvent reads events until one of type want, which it returns.
func waitEvent(t *testing.T, ch <-chan zmq.Event, want zmq.EventType) zmq.Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("channel closed before %v", want)
			}
			if e.Type == want {
				return e
			}
		case <-timeout:
			t.Fatalf("no %v within 5s", want)
		}
	}
}

func TestMonitorListeningBindFailedClosed(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		a := newSocket(t, zmq.PULL)
		b := newSocket(t, zmq.PULL)
		// Only endpoint events: over ipc the second Bind probes whether the path is alive,
		// and a sees that probe as a connection.
		ma, stopA := a.Monitor(zmq.EventListening | zmq.EventClosed)
		defer stopA()
		mb, stopB := b.Monitor(zmq.EventAll)
		defer stopB()
		ep := bind(t, a, tr.wildcard())
		if e := expectEvents(t, ma, zmq.EventListening)[0]; e.Endpoint != ep {
			t.Errorf("LISTENING at %q, want %q", e.Endpoint, ep)
		}
		err := b.Bind(ep)
		if !errors.Is(err, zmq.ErrAddrInUse) {
			t.Fatalf("second Bind(%s): %v, want ErrAddrInUse", ep, err)
		}
		e := expectEvents(t, mb, zmq.EventBindFailed)[0]
		if e.Endpoint != ep || !errors.Is(e.Err, zmq.ErrAddrInUse) {
			t.Errorf("%v: want %s with ErrAddrInUse", e, ep)
		}
		if err := a.Unbind(ep); err != nil {
			t.Fatal(err)
		}
		if e := expectEvents(t, ma, zmq.EventClosed)[0]; e.Endpoint != ep {
			t.Errorf("CLOSED at %q, want %q", e.Endpoint, ep)
		}
	})
}

func TestMonitorMechanismMismatch(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		// The PLAIN server never gets as far as asking a ZAP handler: the greetings disagree.
		pull := newSocket(t, zmq.PULL, zmq.WithPlainServer(true))
		push := newSocket(t, zmq.PUSH, zmq.WithReconnectIvl(time.Hour))
		mask := zmq.EventAll &^ (zmq.EventListening | zmq.EventAccepted | zmq.EventConnectDelayed | zmq.EventConnected | zmq.EventConnectRetried)
		srv, stopSrv := pull.Monitor(mask)
		defer stopSrv()
		cli, stopCli := push.Monitor(mask)
		defer stopCli()
		link(t, tr, pull, push)
		for _, ch := range []<-chan zmq.Event{srv, cli} {
			e := expectEvents(t, ch, zmq.EventHandshakeFailedProtocol, zmq.EventDisconnected)[0]
			if e.Value != 0x11000002 || !errors.Is(e.Err, zmq.ErrMechanism) {
				t.Errorf("%v: want ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH and ErrMechanism", e)
			}
		}
	})
}

func TestMonitorZAPRefusal(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pull, push := plainPair(t, "wrong")
		mask := zmq.EventHandshakeSucceeded | zmq.EventHandshakeFailedAuth | zmq.EventHandshakeFailedProtocol |
			zmq.EventHandshakeFailedNoDetail | zmq.EventDisconnected
		srv, _ := pull.Monitor(mask)
		cli, _ := push.Monitor(mask)
		link(t, tr, pull, push)
		e := expectEvents(t, srv, zmq.EventHandshakeFailedAuth, zmq.EventDisconnected)[0]
		if e.Value != 400 || !errors.Is(e.Err, zmq.ErrAuth) {
			t.Errorf("server %v: want ZAP status 400 and ErrAuth", e)
		}
		// The client learns the status from the server's ERROR, as a libzmq client does.
		e = expectEvents(t, cli, zmq.EventHandshakeFailedAuth, zmq.EventDisconnected)[0]
		if e.Value != 400 {
			t.Errorf("client %v: want ZAP status 400", e)
		}
		push.Close()
		pull.Close()
		expectStopped(t, cli)
		expectStopped(t, srv)
	})
}

func TestMonitorSlowReaderDropsAndCounts(t *testing.T) {
	a := newSocket(t, zmq.PULL)
	b := newSocket(t, zmq.PULL)
	ep := bind(t, a, "tcp://127.0.0.1:*")
	ch, stop := b.Monitor(zmq.EventBindFailed)
	const n = zmq.MonitorBuffer + 100
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range n {
			if err := b.Bind(ep); !errors.Is(err, zmq.ErrAddrInUse) {
				t.Errorf("Bind: %v, want ErrAddrInUse", err)
				return
			}
		}
	}()
	select {
	case <-done: // nobody read a single event, and the socket never waited for a reader
	case <-time.After(10 * time.Second):
		t.Fatal("binding stalled behind an unread monitor")
	}
	stop()
	for i := range zmq.MonitorBuffer {
		e := <-ch
		if e.Type != zmq.EventBindFailed || e.Dropped != 0 {
			t.Fatalf("event %d: %v dropped %d, want BIND_FAILED dropped 0", i, e, e.Dropped)
		}
	}
	if e := expectStopped(t, ch); e.Dropped != n-zmq.MonitorBuffer {
		t.Errorf("MONITOR_STOPPED says %d dropped, want %d", e.Dropped, n-zmq.MonitorBuffer)
	}
}

func TestMonitorDroppedCountOnNextEvent(t *testing.T) {
	a := newSocket(t, zmq.PULL)
	b := newSocket(t, zmq.PULL)
	ep := bind(t, a, "tcp://127.0.0.1:*")
	ch, stop := b.Monitor(zmq.EventBindFailed)
	defer stop()
	for range zmq.MonitorBuffer + 3 {
		_ = b.Bind(ep)
	}
	<-ch // room for one more
	_ = b.Bind(ep)
	var last zmq.Event
	for range zmq.MonitorBuffer {
		last = <-ch
	}
	if last.Dropped != 3 {
		t.Errorf("event after the drops says %d dropped, want 3", last.Dropped)
	}
}

func TestMonitorInprocHasNoConnectionEvents(t *testing.T) {
	pull := newSocket(t, zmq.PULL)
	push := newSocket(t, zmq.PUSH)
	srv, _ := pull.Monitor(zmq.EventAll)
	cli, _ := push.Monitor(zmq.EventAll)
	link(t, transports[2], pull, push) // inproc
	sendString(t, push, "hi")
	expectRecvString(t, pull, "hi")
	push.Close()
	pull.Close()
	expectStopped(t, cli)
	expectStopped(t, srv)
}

func TestMonitorOnClosedSocket(t *testing.T) {
	s := newSocket(t, zmq.PAIR)
	s.Close()
	ch, stop := s.Monitor(zmq.EventAll)
	expectStopped(t, ch)
	stop()
}

func TestMonitorSeveralMonitors(t *testing.T) {
	s := newSocket(t, zmq.PULL)
	m1, stop1 := s.Monitor(zmq.EventListening)
	m2, _ := s.Monitor(zmq.EventClosed)
	ep := bind(t, s, "tcp://127.0.0.1:*")
	expectEvents(t, m1, zmq.EventListening)
	stop1()
	expectStopped(t, m1)
	if err := s.Unbind(ep); err != nil {
		t.Fatal(err)
	}
	expectEvents(t, m2, zmq.EventClosed)
	s.Close()
	expectStopped(t, m2)
}

func TestEventTypeString(t *testing.T) {
	for _, c := range []struct {
		t    zmq.EventType
		want string
	}{
		{zmq.EventConnected, "CONNECTED"},
		{zmq.EventHandshakeFailedAuth, "HANDSHAKE_FAILED_AUTH"},
		{zmq.EventListening | zmq.EventClosed, "LISTENING|CLOSED"},
		{1 << 20, "0x100000"},
	} {
		if got := c.t.String(); got != c.want {
			t.Errorf("%d: %q, want %q", uint32(c.t), got, c.want)
		}
	}
}

func TestMonitorHandshakeFailedNoDetailAndProtocol(t *testing.T) {
	for _, c := range []struct {
		name  string
		send  []byte
		want  zmq.EventType
		value int
	}{
		{"hang-up", nil, zmq.EventHandshakeFailedNoDetail, 0},
		{"garbage", bytes.Repeat([]byte{0xFF, 0, 0}, 30), zmq.EventHandshakeFailedProtocol, 0x10000000},
	} {
		t.Run(c.name, func(t *testing.T) {
			pull := newSocket(t, zmq.PULL)
			ep := bind(t, pull, "tcp://127.0.0.1:*")
			ch, stop := pull.Monitor(zmq.EventAll &^ zmq.EventListening)
			defer stop()
			nc, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
			if err != nil {
				t.Fatal(err)
			}
			if c.send != nil {
				if _, err := nc.Write(c.send); err != nil {
					t.Fatal(err)
				}
			} else {
				nc.Close()
			}
			e := expectEvents(t, ch, zmq.EventAccepted, c.want, zmq.EventDisconnected)[1]
			nc.Close()
			if e.Value != c.value || e.Endpoint != ep {
				t.Errorf("%v: want value %#x at %s", e, c.value, ep)
			}
		})
	}
}

// A program that waits for HANDSHAKE_SUCCEEDED before it sends (zmq send --peers N does)
// must find the peer there: libzmq attaches the connection's pipe to the socket before it
// reports the handshake, so a ROUTER_MANDATORY Send to the new peer's routing id that follows
// the event reaches it. Many connections, each sent to as soon as its event comes, so that a
// window between the event and the attach shows.
func TestMonitorHandshakeSucceededPeerRoutable(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		router := newSocket(t, zmq.ROUTER, zmq.WithRouterMandatory(true))
		events, stop := router.Monitor(zmq.EventHandshakeSucceeded)
		defer stop()
		ep := bind(t, router, tr.wildcard())
		ctx, cancel := within(10 * time.Second)
		defer cancel()
		const peers = 50
		for i := range peers {
			id := fmt.Sprintf("peer-%d", i)
			dealer := newSocket(t, zmq.DEALER, zmq.WithRoutingID([]byte(id)))
			connect(t, dealer, ep)
			waitEvent(t, events, zmq.EventHandshakeSucceeded)
			if err := router.Send(ctx, zmq.NewMsgString(id, "hi")); err != nil {
				t.Fatalf("Send to %s right after its HANDSHAKE_SUCCEEDED: %v", id, err)
			}
			expectRecvString(t, dealer, "hi")
			dealer.Close()
		}
	})
}
