package interop

import (
	"encoding/binary"
	"net"
	"testing"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// TestLingerInBackground pins libzmq's closing behaviour and checks purezmq's against it, each
// sending to the other: a PUSH with LINGER -1 queues messages for an endpoint nobody has bound,
// and its Close returns at once (before the peer exists, so it cannot have waited for it). The
// peer binds afterwards and receives every message, and terminating the sender's context
// (zmq_ctx_term, Context.Close) waits until they are written, then returns.
func TestLingerInBackground(t *testing.T) {
	const n = 100
	msg := func(i int) [][]byte { return [][]byte{binary.BigEndian.AppendUint32(nil, uint32(i))} }
	for _, tc := range []struct {
		name string
		// sender connects a LINGER -1 PUSH to ep, sends n messages, closes it and returns a
		// function that terminates its context.
		sender func(t *testing.T, ep string) (term func() error)
		// receiver binds a PULL on ep.
		receiver func(t *testing.T, ep string) peer
	}{
		{"libzmq-sends", func(t *testing.T, ep string) func() error {
			c, err := zmq4.NewContext()
			if err != nil {
				t.Fatal(err)
			}
			s, err := c.NewSocket(zmq4.PUSH)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SetLinger(-1); err != nil {
				t.Fatal(err)
			}
			if err := s.Connect(ep); err != nil {
				t.Fatal(err)
			}
			p := libPeer{s}
			for i := range n {
				mustSend(t, p, msg(i))
			}
			within(t, "libzmq Close with LINGER -1 and no peer", closeTimeout, s.Close)
			return c.Term
		}, func(t *testing.T, ep string) peer {
			s := newPure(t, zmq.PULL)
			pureBind(t, s, ep)
			return purePeer{s}
		}},
		{"purezmq-sends", func(t *testing.T, ep string) func() error {
			zc := zmq.NewContext()
			s, err := zc.NewSocket(zmq.PUSH, zmq.WithLinger(-1))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Connect(ep); err != nil {
				t.Fatal(err)
			}
			p := purePeer{s}
			for i := range n {
				mustSend(t, p, msg(i))
			}
			within(t, "purezmq Close with LINGER -1 and no peer", closeTimeout, s.Close)
			return zc.Close
		}, func(t *testing.T, ep string) peer {
			s := newLib(t, newLibCtx(t), zmq.PULL)
			libBind(t, s, ep)
			return libPeer{s}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ep := "tcp://" + l.Addr().String()
			l.Close()
			term := tc.sender(t, ep)
			if t.Failed() {
				t.FailNow()
			}
			termed := make(chan error, 1)
			go func() { termed <- term() }()
			p := tc.receiver(t, ep)
			ctx, cancel := contextIO()
			defer cancel()
			select {
			case err := <-termed:
				if err != nil {
					t.Fatalf("terminating the sender's context: %v", err)
				}
			case <-ctx.Done():
				t.Fatalf("the sender's context still terminating after %v with its peer there", ioTimeout)
			}
			for i := range n {
				expect(t, p, msg(i))
			}
		})
	}
}
