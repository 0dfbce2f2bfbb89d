package interop

import (
	"testing"

	"github.com/purezmq/zmq"
)

// TestMetadataToLibzmq: purezmq's METADATA properties reach libzmq's zmq_msg_gets, as a
// libzmq peer's own "X-" properties do.
func TestMetadataToLibzmq(t *testing.T) {
	ps := newPure(t, zmq.DEALER, zmq.WithRoutingID([]byte("pure")), zmq.WithMetadata("X-Color", "blue"))
	if err := ps.SetOption(zmq.OptMetadata, "X-Shape:round"); err != nil {
		t.Fatal(err)
	}
	ls := newLib(t, newLibCtx(t), zmq.ROUTER)
	if err := ps.Connect(libBind(t, ls, "tcp://127.0.0.1:*")); err != nil {
		t.Fatal(err)
	}
	mustSend(t, purePeer{ps}, [][]byte{[]byte("hi")})
	_, props, err := ls.RecvBytesWithMetadata(0, "X-Color", "X-Shape")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"X-Color": "blue", "X-Shape": "round"} {
		if got := props[name]; got != want {
			t.Errorf("libzmq zmq_msg_gets(%q) = %q, want %q", name, got, want)
		}
	}
	if _, err := ls.RecvMessageBytes(0); err != nil {
		t.Fatal(err)
	}
}

// TestRouterNotifyLibzmqPeer: a purezmq ROUTER_NOTIFY ROUTER sees a libzmq DEALER come and go
// as [id, ""] twice, as a libzmq ROUTER would.
func TestRouterNotifyLibzmqPeer(t *testing.T) {
	ps := newPure(t, zmq.ROUTER, zmq.WithRouterNotify(zmq.NotifyConnect|zmq.NotifyDisconnect))
	ep := pureBind(t, ps, "tcp://127.0.0.1:*")
	ls := newLib(t, newLibCtx(t), zmq.DEALER)
	if err := ls.SetIdentity("lib"); err != nil {
		t.Fatal(err)
	}
	if err := ls.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextIO()
	defer cancel()
	want := [][]byte{[]byte("lib"), {}}
	m, err := ps.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkFrames(t, "connect notification", m.Frames, want)
	closeLib(t, ls)
	if m, err = ps.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	checkFrames(t, "disconnect notification", m.Frames, want)
}
