package zmq_test

import (
	"net"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// TestOnlyFirstSubscribe: with ONLY_FIRST_SUBSCRIBE the frames after a subscription travel as
// an ordinary message (upstream from an XSUB); without it they are dropped.
func TestOnlyFirstSubscribe(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, only := range []bool{true, false} {
			xpub := newSocket(t, zmq.XPUB, zmq.WithXPubVerbose(true))
			xsub := newSocket(t, zmq.XSUB, zmq.WithOnlyFirstSubscribe(only))
			link(t, tr, xpub, xsub)
			// An XSUB drops data while it has no peer; the subscription is resent on connect.
			send(t, xsub, []byte("\x01warm-up"))
			expectRecv(t, xpub, []byte("\x01warm-up"))
			send(t, xsub, []byte("\x01news"), []byte("payload"))
			expectRecv(t, xpub, []byte("\x01news"))
			if only {
				expectRecv(t, xpub, []byte("payload"))
			} else {
				expectNoMsg(t, xpub, 150*time.Millisecond)
			}
		}
	})
}

// TestOnlyFirstSubscribeXPub: an XPUB with ONLY_FIRST_SUBSCRIBE takes the first frame of a
// multipart message from a (ZMTP 3.0) subscriber as the subscription and hands the rest to the
// application.
func TestOnlyFirstSubscribeXPub(t *testing.T) {
	xpub := newSocket(t, zmq.XPUB, zmq.WithOnlyFirstSubscribe(true))
	ep := bind(t, xpub, "tcp://127.0.0.1:*")
	c, err := net.Dial("tcp", ep[len("tcp://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rawSubHandshake(t, c, 0)
	msg := zmtp.AppendFrame(nil, zmtp.FlagMore, []byte("\x01news"))
	msg = zmtp.AppendFrame(msg, 0, []byte("payload"))
	rawWrite(t, c, msg)
	expectRecv(t, xpub, []byte("\x01news"))
	expectRecv(t, xpub, []byte("payload"))
}
