package zmq_test

import (
	"context"
	"errors"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

func TestWithOption(t *testing.T) {
	good := []struct {
		id    zmq.OptionID
		value any
	}{
		{zmq.OptSendHWM, 10}, {zmq.OptRecvHWM, int64(0)}, {zmq.OptMaxMsgSize, -1},
		{zmq.OptLinger, 0}, {zmq.OptLinger, -1}, {zmq.OptReconnectIvl, 50 * time.Millisecond},
		{zmq.OptReconnectIvlMax, 1000}, {zmq.OptHandshakeIvl, 2000},
		{zmq.OptTCPKeepalive, 1}, {zmq.OptTCPKeepaliveIdle, 30}, {zmq.OptTCPKeepaliveIntvl, time.Second},
		{zmq.OptTCPKeepaliveCnt, 3}, {zmq.OptImmediate, true}, {zmq.OptRouterMandatory, 1},
		{zmq.OptRouterHandover, 0}, {zmq.OptProbeRouter, false}, {zmq.OptReqCorrelate, 1},
		{zmq.OptReqRelaxed, 1}, {zmq.OptRoutingID, "peer"}, {zmq.OptRoutingID, []byte{1, 2}},
		{zmq.OptSendBuffer, 8192}, {zmq.OptRecvBuffer, int64(-1)},
	}
	typeFor := map[zmq.OptionID]zmq.Type{
		zmq.OptRouterMandatory: zmq.ROUTER, zmq.OptRouterHandover: zmq.ROUTER,
		zmq.OptReqCorrelate: zmq.REQ, zmq.OptReqRelaxed: zmq.REQ,
	}
	for _, tt := range good {
		typ, ok := typeFor[tt.id]
		if !ok {
			typ = zmq.DEALER
		}
		s, err := zmq.NewSocket(typ, zmq.WithOption(tt.id, tt.value))
		if err != nil {
			t.Errorf("WithOption(%v, %v): %v", tt.id, tt.value, err)
			continue
		}
		s.Close()
	}
	bad := []struct {
		id    zmq.OptionID
		value any
	}{
		{zmq.OptSendHWM, "10"}, {zmq.OptSendHWM, -1}, {zmq.OptLinger, 1.5}, {zmq.OptImmediate, 2},
		{zmq.OptRoutingID, 7}, {zmq.OptRoutingID, ""}, {zmq.OptType, 1}, {zmq.OptLastEndpoint, "x"},
		{zmq.OptTCPKeepalive, 5}, {zmq.OptionID(9999), 1}, {zmq.OptSendBuffer, -2}, {zmq.OptRecvBuffer, "4096"},
	}
	for _, tt := range bad {
		if _, err := zmq.NewSocket(zmq.DEALER, zmq.WithOption(tt.id, tt.value)); !errors.Is(err, zmq.ErrOption) {
			t.Errorf("WithOption(%v, %#v) = %v, want ErrOption", tt.id, tt.value, err)
		}
	}
}

func TestWithOptionTakesEffect(t *testing.T) {
	router, err := zmq.NewSocket(zmq.ROUTER, zmq.WithOption(zmq.OptRouterMandatory, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer router.Close()
	err = router.Send(context.Background(), zmq.NewMsgString("nobody", "hi"))
	if !errors.Is(err, zmq.ErrHostUnreachable) {
		t.Fatalf("ROUTER_MANDATORY by number: Send = %v, want ErrHostUnreachable", err)
	}
}

func TestLookupOption(t *testing.T) {
	for name, want := range map[string]zmq.OptionID{
		"SNDHWM": zmq.OptSendHWM, "zmq_linger": zmq.OptLinger, "ZMQ_ROUTING_ID": zmq.OptRoutingID,
		"handshake_ivl": zmq.OptHandshakeIvl, "ZMQ_SNDBUF": zmq.OptSendBuffer, "rcvbuf": zmq.OptRecvBuffer,
	} {
		if id, ok := zmq.LookupOption(name); !ok || id != want {
			t.Errorf("LookupOption(%q) = %v, %v; want %v", name, id, ok, want)
		}
		if got, _ := zmq.LookupOption(want.String()); got != want {
			t.Errorf("%v does not round-trip through its name", want)
		}
	}
	if _, ok := zmq.LookupOption("NOSUCH"); ok {
		t.Error("LookupOption found an unknown name")
	}
}
