package interop

import (
	"testing"

	"github.com/purezmq/zmq"
)

// TestMetadata checks the READY properties each library reads from the other's handshake:
// Socket-Type and Identity, as zmq_msg_gets and Msg.Property report them.
func TestMetadata(t *testing.T) {
	t.Run("ROUTER-DEALER/tcp/pure-binds", func(t *testing.T) {
		ps := newPure(t, zmq.ROUTER)
		ls := newLib(t, newLibCtx(t), zmq.DEALER)
		if err := ls.SetIdentity("libzmq-dealer"); err != nil {
			t.Fatal(err)
		}
		if err := ls.Connect(pureBind(t, ps, "tcp://127.0.0.1:*")); err != nil {
			t.Fatal(err)
		}
		mustSend(t, libPeer{ls}, [][]byte{[]byte("hi")})
		ctx, cancel := contextIO()
		defer cancel()
		m, err := ps.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkFrames(t, "purezmq ROUTER received", m.Frames, [][]byte{[]byte("libzmq-dealer"), []byte("hi")})
		for name, want := range map[string]string{"Socket-Type": "DEALER", "Identity": "libzmq-dealer"} {
			if got, ok := m.Property(name); !ok || got != want {
				t.Errorf("purezmq Property(%q) = %q, %v; want %q", name, got, ok, want)
			}
		}
	})
	t.Run("DEALER-ROUTER/tcp/libzmq-binds", func(t *testing.T) {
		ps := newPure(t, zmq.DEALER, zmq.WithRoutingID([]byte("pure-dealer")))
		ls := newLib(t, newLibCtx(t), zmq.ROUTER)
		if err := ps.Connect(libBind(t, ls, "tcp://127.0.0.1:*")); err != nil {
			t.Fatal(err)
		}
		mustSend(t, purePeer{ps}, [][]byte{[]byte("hi")})
		id, props, err := ls.RecvBytesWithMetadata(0, "Socket-Type", "Identity")
		if err != nil {
			t.Fatal(err)
		}
		if string(id) != "pure-dealer" {
			t.Errorf("libzmq ROUTER saw routing id %q, want %q", id, "pure-dealer")
		}
		for name, want := range map[string]string{"Socket-Type": "DEALER", "Identity": "pure-dealer"} {
			if got := props[name]; got != want {
				t.Errorf("libzmq zmq_msg_gets(%q) = %q, want %q", name, got, want)
			}
		}
		body, err := ls.RecvMessageBytes(0)
		if err != nil {
			t.Fatal(err)
		}
		checkFrames(t, "libzmq ROUTER received", body, [][]byte{[]byte("hi")})
	})
}
