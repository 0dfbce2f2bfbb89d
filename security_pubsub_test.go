package zmq_test

import (
	"context"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// TestCurvePubSub: subscriptions (SUBSCRIBE commands, sealed with the COMMAND flag inside the
// box) and filtered messages both cross a CURVE connection.
func TestCurvePubSub(t *testing.T) {
	spub, ssec := keyPair(t)
	cpub, csec := keyPair(t)
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pub := newSocket(t, zmq.PUB, zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec))
		sub := newSocket(t, zmq.SUB, zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec))
		if err := sub.Subscribe([]byte("a")); err != nil {
			t.Fatal(err)
		}
		link(t, tr, pub, sub)
		deadline := time.Now().Add(waitLong)
		for {
			sendString(t, pub, "b.0")
			sendString(t, pub, "a.1")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			m, err := sub.Recv(ctx)
			cancel()
			if err == nil {
				if got := string(m.Frames[0]); got != "a.1" {
					t.Fatalf("SUB received %q, want only a.1", got)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the subscription never took effect over CURVE")
			}
		}
	})
}
