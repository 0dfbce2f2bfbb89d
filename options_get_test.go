package zmq_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// TestOptionDefaults: every readable option reads libzmq 4.3's default on a new socket (LINGER
// aside: its default is the lifecycle work's to decide, so only its type is checked).
func TestOptionDefaults(t *testing.T) {
	s := newSocketNoLinger(t, zmq.DEALER)
	for _, tt := range []struct {
		id   zmq.OptionID
		want any
	}{
		{zmq.OptType, zmq.DEALER}, {zmq.OptRoutingID, []byte{}}, {zmq.OptLastEndpoint, ""},
		{zmq.OptSendHWM, 1000}, {zmq.OptRecvHWM, 1000}, {zmq.OptSendBuffer, -1}, {zmq.OptRecvBuffer, -1},
		{zmq.OptReconnectIvl, 100 * time.Millisecond}, {zmq.OptReconnectIvlMax, time.Duration(0)},
		{zmq.OptMaxMsgSize, int64(-1)}, {zmq.OptBacklog, 100}, {zmq.OptRecvMore, 0},
		{zmq.OptRecvTimeout, -1}, {zmq.OptSendTimeout, -1}, {zmq.OptImmediate, false},
		{zmq.OptIPv6, false}, {zmq.OptIPv4Only, true}, {zmq.OptMechanism, 0}, {zmq.OptTOS, 0},
		{zmq.OptTCPKeepalive, -1}, {zmq.OptTCPKeepaliveCnt, -1}, {zmq.OptTCPKeepaliveIdle, time.Duration(0)},
		{zmq.OptTCPMaxRT, time.Duration(0)}, {zmq.OptHandshakeIvl, 30 * time.Second},
		{zmq.OptHeartbeatIvl, time.Duration(0)}, {zmq.OptHeartbeatTTL, time.Duration(0)},
		{zmq.OptHeartbeatTimeout, time.Duration(0)}, {zmq.OptConflate, false}, {zmq.OptProbeRouter, false},
		{zmq.OptRouterMandatory, false}, {zmq.OptRouterNotify, 0}, {zmq.OptBindToDevice, ""},
		{zmq.OptSocksProxy, ""}, {zmq.OptPlainServer, false}, {zmq.OptCurveServer, false},
		{zmq.OptZAPDomain, ""}, {zmq.OptMetadata, []string{}}, {zmq.OptEvents, zmq.PollEvents(0)},
		{zmq.OptXPubWelcomeMsg, []byte{}},
	} {
		got, err := s.Option(tt.id)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Option(%v) = %#v, %v; want %#v", tt.id, got, err, tt.want)
		}
	}
	if l, err := s.Option(zmq.OptLinger); err != nil || reflect.TypeOf(l) != reflect.TypeOf(time.Duration(0)) {
		t.Errorf("Option(LINGER) = %#v, %v; want a time.Duration", l, err)
	}
	for _, id := range []zmq.OptionID{zmq.OptSubscribe, zmq.OptUnsubscribe, zmq.OptConnectRoutingID, zmq.OptionID(9999)} {
		if _, err := s.Option(id); !errors.Is(err, zmq.ErrOption) {
			t.Errorf("Option(%v) = %v, want ErrOption", id, err)
		}
	}
}

// newSocketNoLinger is newSocket without its LINGER 0, for reading defaults.
func newSocketNoLinger(t *testing.T, typ zmq.Type, opts ...zmq.Option) *zmq.Socket {
	t.Helper()
	s, err := zmq.NewSocket(typ, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.SetOptions(zmq.WithLinger(0))
		_ = s.Close()
	})
	return s
}

func TestTypedGetters(t *testing.T) {
	s := newSocket(t, zmq.DEALER, zmq.WithSendHWM(7), zmq.WithRecvHWM(9), zmq.WithRoutingID([]byte("me")),
		zmq.WithReconnectIvl(time.Second), zmq.WithMaxMsgSize(512))
	if s.SendHWM() != 7 || s.RecvHWM() != 9 || !bytes.Equal(s.RoutingID(), []byte("me")) ||
		s.ReconnectIvl() != time.Second || s.MaxMsgSize() != 512 || s.Linger() != 0 {
		t.Errorf("getters: %d %d %q %v %d %v", s.SendHWM(), s.RecvHWM(), s.RoutingID(), s.ReconnectIvl(), s.MaxMsgSize(), s.Linger())
	}
	id := s.RoutingID()
	id[0] = 'X'
	if !bytes.Equal(s.RoutingID(), []byte("me")) {
		t.Error("RoutingID returned the socket's own memory")
	}
}

// TestEvents: EVENTS says what a Send or Recv would do now, as the Poller finds it.
func TestEvents(t *testing.T) {
	pull := newSocket(t, zmq.PULL)
	push := newSocket(t, zmq.PUSH)
	if ev := push.Events(); ev != 0 {
		t.Fatalf("PUSH with no peer: Events = %v, want 0", ev)
	}
	link(t, transports[0], pull, push)
	sendString(t, push, "x")
	p := zmq.NewPoller()
	p.Add(pull, zmq.PollIn)
	ctx, cancel := within(waitLong)
	defer cancel()
	if _, err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if ev, _ := pull.Option(zmq.OptEvents); ev != zmq.PollIn {
		t.Fatalf("PULL with a message: EVENTS = %v, want PollIn", ev)
	}
	if ev := push.Events(); ev != zmq.PollOut {
		t.Fatalf("connected PUSH: Events = %v, want PollOut", ev)
	}
	expectRecvString(t, pull, "x")
	if ev := pull.Events(); ev != 0 {
		t.Fatalf("PULL after Recv: Events = %v, want 0", ev)
	}
}
