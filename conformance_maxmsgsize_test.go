package zmq_test

import (
	"errors"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/pipe/limittest"
)

// TestMaxMsgSizeShapes: MAXMSGSIZE bounds a whole message, whatever its shape and mechanism.
// A message at the limit arrives; one over it, in one frame or in several each under it, ends
// the peer's connection with ErrMsgTooLarge, in the clear and under CURVE (where each frame
// travels sealed in a command of its own). A frame costs memory whatever its size, so past a
// message's first 64 frames each counts 64 bytes against the limit: a message of 64 empty
// frames arrives, one of 10,000 does not, though its bytes are none (limittest's shapes, which
// every decoder is tested with).
func TestMaxMsgSizeShapes(t *testing.T) {
	mechanisms := nullAndCurve(t)
	for _, m := range mechanisms {
		for _, sh := range limittest.Shapes() {
			t.Run(m.name+"/"+sh.Name, func(t *testing.T) {
				t.Parallel()
				pull := newSocket(t, zmq.PULL, append(m.server, zmq.WithMaxMsgSize(limittest.Limit))...)
				ch, stop := pull.Monitor(zmq.EventDisconnected)
				defer stop()
				push := newSocket(t, zmq.PUSH, m.client...)
				connect(t, push, bind(t, pull, "tcp://127.0.0.1:*"))
				send(t, push, sh.Frames...)
				if sh.Fits {
					got := recvWithin(t, pull, waitLong)
					if len(got.Frames) != len(sh.Frames) {
						t.Fatalf("got %d frames, want %d", len(got.Frames), len(sh.Frames))
					}
					return
				}
				select {
				case e := <-ch:
					if !errors.Is(e.Err, zmq.ErrMsgTooLarge) {
						t.Fatalf("DISCONNECTED: %v, want ErrMsgTooLarge", e.Err)
					}
				case <-time.After(waitLong):
					t.Fatal("the peer kept its connection")
				}
				expectNoMsg(t, pull, 0)
			})
		}
	}
}
