package rpc

import (
	"context"
	"errors"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// TestCallerGoneCancels: when a caller's connection ends (it closed, or the heartbeat dropped
// it), the handlers of its calls see their ctx end, as for its CANCEL, and free their workers:
// their replies could reach nobody. An at-least-once call (an idempotency key) runs on, for
// its result to wait in the dedup store for the caller's retry, and so do other callers'.
func TestCallerGoneCancels(t *testing.T) {
	b := newBlocker()
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) { _ = Handle(s, "block", b.handle) }, WithWorkers(4))
	d, other := rawDealer(t, srv.Endpoint()), rawDealer(t, srv.Endpoint())
	block := func(id uint64, meta map[string]string) request {
		return request{header: header{kind: kindCall, codec: JSON.ID(), id: id}, key: "openstack/t", method: "block",
			args: []byte(`{}`), meta: meta}
	}
	calls := []struct {
		on  *zmq.Socket
		req request
	}{
		{d, block(1, map[string]string{metaIdemKey: "retried-elsewhere"})},
		{other, block(1, nil)}, // the same call id from another caller
		{d, block(2, nil)},
	}
	for _, c := range calls {
		if err := c.on.Send(testCtx(t), zmq.NewMsg(c.req.frames()...)); err != nil {
			t.Fatal(err)
		}
		<-b.started
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.waitEnded(t); !errors.Is(err, context.Canceled) {
		t.Fatalf("the plain call's handler ended with %v, want its ctx cancelled", err)
	}
	close(b.release)
	for range 2 {
		if err := b.waitEnded(t); err != nil {
			t.Fatalf("the at-least-once call's or the other caller's handler ended with %v, want it released", err)
		}
	}
}

// TestHeartbeatDroppedCallerCancels: a caller that goes silent with a call in flight (a raw ZMTP
// peer that sends its request, then nothing, and reads nothing) is dropped by the server's
// heartbeat, and the call's handler sees its ctx end.
func TestHeartbeatDroppedCallerCancels(t *testing.T) {
	b := newBlocker()
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) { _ = Handle(s, "block", b.handle) },
		WithHeartbeat(50*time.Millisecond, 3))
	req := request{header: header{kind: kindCall, codec: JSON.ID(), id: 1}, key: "openstack/t", method: "block", args: []byte(`{}`)}
	rawPeer(t, srv.Endpoint(), req.frames())
	<-b.started
	if err := b.waitEnded(t); !errors.Is(err, context.Canceled) {
		t.Fatalf("the silent caller's handler ended with %v, want its ctx cancelled", err)
	}
}
