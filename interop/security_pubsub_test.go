package interop

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/purezmq/zmq"
)

// TestCurvePubSubWithLib: subscriptions and filtered messages cross CURVE between the libraries
// in both roles.
func TestCurvePubSubWithLib(t *testing.T) {
	spub, ssec := keys(t)
	cpub, csec := keys(t)
	t.Run("pure SUB, libzmq PUB", func(t *testing.T) {
		pub := newLib(t, newLibCtx(t), zmq.PUB)
		if err := curveLibServer(spub, ssec)(pub); err != nil {
			t.Fatal(err)
		}
		sub := newPure(t, zmq.SUB, curvePureClient(spub, cpub, csec)...)
		if err := sub.Subscribe([]byte("a")); err != nil {
			t.Fatal(err)
		}
		if err := sub.Connect(libBind(t, pub, "tcp://127.0.0.1:*")); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(ioTimeout); time.Now().Before(deadline); {
			_, _ = pub.SendMessage("b.0")
			_, _ = pub.SendMessage("a.1")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			m, err := sub.Recv(ctx)
			cancel()
			if err == nil {
				if string(m.Frames[0]) != "a.1" {
					t.Fatalf("SUB received %q, want only a.1", m.Frames[0])
				}
				return
			}
		}
		t.Fatal("no subscribed message over CURVE")
	})
	t.Run("libzmq SUB, pure PUB", func(t *testing.T) {
		pub := newPure(t, zmq.PUB, curvePureServer(spub, ssec)...)
		sub := newLib(t, newLibCtx(t), zmq.SUB)
		if err := errors.Join(curveLibClient(spub, cpub, csec)(sub), sub.SetSubscribe("a"), sub.SetRcvtimeo(10*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		if err := sub.Connect(pureBind(t, pub, "tcp://127.0.0.1:*")); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(ioTimeout); time.Now().Before(deadline); {
			mustSend(t, purePeer{pub}, [][]byte{[]byte("b.0")})
			mustSend(t, purePeer{pub}, [][]byte{[]byte("a.1")})
			if m, err := sub.RecvMessageBytes(0); err == nil {
				if string(m[0]) != "a.1" {
					t.Fatalf("SUB received %q, want only a.1", m[0])
				}
				return
			}
		}
		t.Fatal("no subscribed message over CURVE")
	})
}
