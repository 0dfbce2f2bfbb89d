package zmq_test

import (
	"context"
	"crypto/rand"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
)

// TestSetOptionReadsBack: what SetOption sets, Option reads, typed as documented.
func TestSetOptionReadsBack(t *testing.T) {
	for _, tt := range []struct {
		id        zmq.OptionID
		value     any
		want      any
		socketTyp zmq.Type
	}{
		{zmq.OptSendHWM, 5, 5, zmq.DEALER},
		{zmq.OptRecvHWM, int64(6), 6, zmq.DEALER},
		{zmq.OptLinger, 250, 250 * time.Millisecond, zmq.DEALER},
		{zmq.OptLinger, -1, time.Duration(-1), zmq.DEALER},
		{zmq.OptReconnectIvl, time.Second, time.Second, zmq.DEALER},
		{zmq.OptMaxMsgSize, 1 << 20, int64(1 << 20), zmq.DEALER},
		{zmq.OptRoutingID, "peer", []byte("peer"), zmq.DEALER},
		{zmq.OptImmediate, 1, true, zmq.DEALER},
		{zmq.OptSendBuffer, 65536, 65536, zmq.DEALER},
		{zmq.OptBacklog, 10, 10, zmq.ROUTER},
		{zmq.OptTOS, 0x28, 0x28, zmq.DEALER},
		{zmq.OptTCPMaxRT, 3000, 3 * time.Second, zmq.DEALER},
		{zmq.OptIPv6, true, true, zmq.DEALER},
		{zmq.OptIPv4Only, 0, false, zmq.DEALER}, // the inverse of IPV6, read back as set
		{zmq.OptBindToDevice, "lo", "lo", zmq.DEALER},
		{zmq.OptRouterNotify, zmq.NotifyConnect | zmq.NotifyDisconnect, 3, zmq.ROUTER},
		{zmq.OptMetadata, "X-Color:blue", []string{"X-Color:blue"}, zmq.DEALER},
		{zmq.OptSocksProxy, "127.0.0.1:1080", "127.0.0.1:1080", zmq.DEALER},
		{zmq.OptSocksUsername, []byte("u"), "u", zmq.DEALER},
		{zmq.OptHeartbeatIvl, 100, 100 * time.Millisecond, zmq.DEALER},
		{zmq.OptXPubWelcomeMsg, "hi", []byte("hi"), zmq.XPUB},
		{zmq.OptRouterMandatory, true, true, zmq.ROUTER},
		{zmq.OptReqRelaxed, 1, true, zmq.REQ},
		{zmq.OptConflate, 1, true, zmq.PULL},
		{zmq.OptRecvTimeout, -1, -1, zmq.DEALER},
	} {
		s := newSocket(t, tt.socketTyp)
		if err := s.SetOption(tt.id, tt.value); err != nil {
			t.Errorf("SetOption(%v, %#v): %v", tt.id, tt.value, err)
			continue
		}
		if got, err := s.Option(tt.id); err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("after SetOption(%v, %#v): Option = %#v, %v; want %#v", tt.id, tt.value, got, err, tt.want)
		}
	}
}

// TestSetOptionRefuses: bad values are ErrOption and change nothing.
func TestSetOptionRefuses(t *testing.T) {
	for _, tt := range []struct {
		id    zmq.OptionID
		value any
	}{
		{zmq.OptSendHWM, -1}, {zmq.OptSendHWM, "1"}, {zmq.OptTOS, 256}, {zmq.OptTOS, -1},
		{zmq.OptBacklog, -5}, {zmq.OptTCPMaxRT, -1}, {zmq.OptIPv6, 2}, {zmq.OptRouterNotify, 4},
		{zmq.OptBindToDevice, "a-name-longer-than-15"}, {zmq.OptMetadata, "Color:blue"},
		{zmq.OptMetadata, "X-:v"}, {zmq.OptMetadata, "X-a b:v"}, {zmq.OptMetadata, "X-nocolon"},
		{zmq.OptSocksProxy, "nohostport"}, {zmq.OptSocksProxy, "h:0"}, {zmq.OptType, 1},
		{zmq.OptLastEndpoint, "x"}, {zmq.OptEvents, 1}, {zmq.OptRecvMore, 0}, {zmq.OptMechanism, 0},
		{zmq.OptRecvTimeout, 100}, {zmq.OptSendTimeout, 0}, {zmq.OptSubscribe, 7},
		{zmq.OptRoutingID, ""}, {zmq.OptionID(9999), 1},
	} {
		s := newSocket(t, zmq.DEALER)
		before, _ := s.Option(tt.id)
		if err := s.SetOption(tt.id, tt.value); !errors.Is(err, zmq.ErrOption) {
			t.Errorf("SetOption(%v, %#v) = %v, want ErrOption", tt.id, tt.value, err)
		}
		if after, _ := s.Option(tt.id); !reflect.DeepEqual(before, after) {
			t.Errorf("refused SetOption(%v, %#v) changed it from %#v to %#v", tt.id, tt.value, before, after)
		}
	}
	s := newSocket(t, zmq.DEALER)
	if err := s.SetOptions(zmq.WithSendHWM(3), zmq.WithRecvHWM(-1)); !errors.Is(err, zmq.ErrOption) {
		t.Fatalf("SetOptions with one bad option = %v, want ErrOption", err)
	}
	if s.SendHWM() != 1000 {
		t.Errorf("a failed SetOptions applied part of its options: SNDHWM %d", s.SendHWM())
	}
}

// TestSetOptionAtOnce: the options libzmq applies immediately change an open, connected socket.
func TestSetOptionAtOnce(t *testing.T) {
	ctx, cancel := within(waitLong)
	defer cancel()
	t.Run("ROUTER_MANDATORY", func(t *testing.T) {
		r := newSocket(t, zmq.ROUTER)
		if err := r.Send(ctx, zmq.NewMsgString("nobody", "x")); err != nil {
			t.Fatalf("default ROUTER: Send to nobody = %v, want a silent drop", err)
		}
		if err := r.SetOption(zmq.OptRouterMandatory, 1); err != nil {
			t.Fatal(err)
		}
		if err := r.Send(ctx, zmq.NewMsgString("nobody", "x")); !errors.Is(err, zmq.ErrHostUnreachable) {
			t.Fatalf("after SetOption: Send to nobody = %v, want ErrHostUnreachable", err)
		}
	})
	t.Run("REQ_RELAXED", func(t *testing.T) {
		rep, req := newSocket(t, zmq.REP), newSocket(t, zmq.REQ)
		link(t, transports[2], rep, req)
		sendString(t, req, "first")
		if err := req.Send(ctx, zmq.NewMsgString("again")); !errors.Is(err, zmq.ErrState) {
			t.Fatalf("strict REQ: second Send = %v, want ErrState", err)
		}
		if err := req.SetOptions(zmq.WithReqRelaxed(true)); err != nil {
			t.Fatal(err)
		}
		sendString(t, req, "again")
	})
	t.Run("SUBSCRIBE", func(t *testing.T) {
		pub, sub := newSocket(t, zmq.PUB), newSocket(t, zmq.SUB)
		link(t, transports[0], pub, sub)
		if err := sub.SetOption(zmq.OptSubscribe, "news"); err != nil {
			t.Fatal(err)
		}
		// Publish until the subscription has reached the publisher.
		for {
			if err := pub.Send(ctx, zmq.NewMsgString("news", "1")); err != nil {
				t.Fatal(err)
			}
			if m, err := recvOrNothing(sub, 20*time.Millisecond); err == nil {
				if string(m.Frames[0]) != "news" {
					t.Fatalf("SUB received %v", m)
				}
				break
			}
			if ctx.Err() != nil {
				t.Fatal("SUBSCRIBE set by SetOption never took effect")
			}
		}
		if err := sub.SetOption(zmq.OptUnsubscribe, []byte("news")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("XPUB_WELCOME_MSG", func(t *testing.T) {
		xpub := newSocket(t, zmq.XPUB)
		ep := bind(t, xpub, "tcp://127.0.0.1:*")
		if err := xpub.SetOption(zmq.OptXPubWelcomeMsg, "welcome"); err != nil {
			t.Fatal(err)
		}
		sub := newSocket(t, zmq.SUB)
		if err := sub.Subscribe([]byte("wel")); err != nil {
			t.Fatal(err)
		}
		connect(t, sub, ep)
		expectRecvString(t, sub, "welcome")
	})
}

func recvOrNothing(s *zmq.Socket, d time.Duration) (zmq.Msg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return s.Recv(ctx)
}

// TestSetOptionNextConnect: ROUTING_ID and METADATA changed between two Connects apply to the
// second, and the first connection keeps what it started with.
func TestSetOptionNextConnect(t *testing.T) {
	r1, r2 := newSocket(t, zmq.ROUTER), newSocket(t, zmq.ROUTER)
	ep1, ep2 := bind(t, r1, "tcp://127.0.0.1:*"), bind(t, r2, "tcp://127.0.0.1:*")
	d := newSocket(t, zmq.DEALER, zmq.WithRoutingID([]byte("first")), zmq.WithMetadata("X-N", "1"))
	connect(t, d, ep1)
	if err := d.SetOptions(zmq.WithRoutingID([]byte("second")), zmq.WithMetadata("X-N", "2")); err != nil {
		t.Fatal(err)
	}
	connect(t, d, ep2)
	// DEALER round-robins: two messages reach one ROUTER each.
	sendString(t, d, "a")
	sendString(t, d, "b")
	for _, c := range []struct {
		r       *zmq.Socket
		id, val string
	}{{r1, "first", "1"}, {r2, "second", "2"}} {
		m := recvWithin(t, c.r, waitLong)
		if v, _ := m.Property("X-N"); string(m.Frames[0]) != c.id || v != c.val {
			t.Errorf("ROUTER got routing id %q, X-N %q; want %q, %q", m.Frames[0], v, c.id, c.val)
		}
	}
}

// TestSetOptionConcurrent: options change while connections start, send and receive; the race
// detector checks that no connection reads them unsynchronised.
func TestSetOptionConcurrent(t *testing.T) {
	pull := newSocket(t, zmq.PULL)
	push := newSocket(t, zmq.PUSH)
	ep := bind(t, pull, "tcp://127.0.0.1:*")
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 50 {
			_ = push.SetOptions(zmq.WithSendHWM(100+i), zmq.WithHeartbeatIvl(time.Duration(i)*time.Millisecond+time.Second),
				zmq.WithReconnectIvl(time.Duration(10+i)*time.Millisecond), zmq.WithMaxMsgSize(int64(1000+i)))
			_ = pull.SetOptions(zmq.WithRecvHWM(100+i), zmq.WithMaxMsgSize(int64(1000+i)))
		}
	}()
	go func() {
		defer wg.Done()
		for range 5 {
			_ = push.Connect(ep)
		}
	}()
	for i := range 20 {
		sendString(t, push, "m", string(rune('a'+i)))
	}
	for range 20 {
		recvWithin(t, pull, waitLong)
	}
	wg.Wait()
}

// TestSetOptionSecurityAtBind: CURVE set piece by piece with SetOption, in libzmq's order, is
// checked when an endpoint starts: incomplete, Bind refuses it; complete, a CURVE client talks
// to it.
func TestSetOptionSecurityAtBind(t *testing.T) {
	serverPub, serverSec, err := curve.GenerateKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	clientPub, clientSec, err := curve.GenerateKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	server := newSocket(t, zmq.PULL)
	if err := server.SetOption(zmq.OptCurveServer, 1); err != nil {
		t.Fatal(err)
	}
	if err := server.Bind("tcp://127.0.0.1:*"); !errors.Is(err, zmq.ErrOption) {
		t.Fatalf("Bind of a CURVE server without its secret key = %v, want ErrOption", err)
	}
	if err := server.SetOption(zmq.OptCurveSecretKey, serverSec.Z85()); err != nil {
		t.Fatal(err)
	}
	ep := bind(t, server, "tcp://127.0.0.1:*")
	client := newSocket(t, zmq.PUSH)
	for _, o := range []struct {
		id zmq.OptionID
		v  any
	}{{zmq.OptCurveServerKey, serverPub.Z85()}, {zmq.OptCurvePublicKey, clientPub.Z85()}, {zmq.OptCurveSecretKey, clientSec.Z85()}} {
		if err := client.SetOption(o.id, o.v); err != nil {
			t.Fatal(err)
		}
	}
	if m, _ := client.Option(zmq.OptMechanism); m != 2 {
		t.Fatalf("MECHANISM = %v, want 2 (CURVE)", m)
	}
	connect(t, client, ep)
	sendString(t, client, "secret")
	expectRecvString(t, server, "secret")
}
