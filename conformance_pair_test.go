package zmq_test

import (
	"fmt"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// TestConformanceSendThenClose: a message sent just before Close, with LINGER, reaches the
// peer even when the sender's connection goes away before the peer reads it, as libzmq
// delivers it (checked with python3-zmq: PAIR over inproc, ipc and tcp). A PAIR used to drop
// what its former peer had queued once that peer was gone.
func TestConformanceSendThenClose(t *testing.T) {
	pairs := []struct{ recv, send zmq.Type }{
		{zmq.PAIR, zmq.PAIR},
		{zmq.PULL, zmq.PUSH},
		{zmq.DEALER, zmq.DEALER},
	}
	for _, p := range pairs {
		for _, warm := range []bool{false, true} {
			name := fmt.Sprintf("%v-%v/warm=%v", p.send, p.recv, warm)
			t.Run(name, func(t *testing.T) {
				forEachTransport(t, func(t *testing.T, tr transport) {
					recv := newSocket(t, p.recv)
					send := newSocket(t, p.send, zmq.WithLinger(waitLong))
					link(t, tr, recv, send)
					if warm { // the connection is up before the last message
						sendString(t, send, "first")
						expectRecvString(t, recv, "first")
					}
					sendString(t, send, "last")
					if err := send.Close(); err != nil {
						t.Fatal(err)
					}
					msg := recvWithin(t, recv, waitLong)
					if got := string(msg.Frames[0]); got != "last" {
						t.Fatalf("received %q, want last", got)
					}
				})
			})
		}
	}
}
