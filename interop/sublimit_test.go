package interop

import (
	"errors"
	"testing"
	"time"

	"github.com/purezmq/zmq"
)

// TestSubscriptionLimitWithLib: a libzmq SUB whose subscriptions stay within a purezmq
// publisher's MAX_SUBSCRIPTION_BYTES is served as any other, repeats included; one
// subscription past it, and the publisher disconnects it with ErrSubscriptionLimit.
func TestSubscriptionLimitWithLib(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			ps := newPure(t, zmq.PUB, zmq.WithMaxSubscriptionBytes(3*(2+256))) // three two-byte topics
			events, stop := ps.Monitor(zmq.EventDisconnected)
			defer stop()
			ls := newLib(t, newLibCtx(t), zmq.SUB)
			for _, topic := range []string{"a.", "b.", "a.", "a.", "c."} {
				if err := ls.SetSubscribe(topic); err != nil {
					t.Fatal(err)
				}
			}
			connectPair(t, tr, ps, ls, true)
			recv := func() ([][]byte, error) { return libRecvShort(ls, 10*time.Millisecond) }
			publishUntil(t, purePeer{ps}, recv, "c.1", "d.0")
			if err := ls.SetSubscribe("d."); err != nil {
				t.Fatal(err)
			}
			deadline := time.After(ioTimeout)
			for {
				select {
				case e := <-events:
					if errors.Is(e.Err, zmq.ErrSubscriptionLimit) {
						return
					}
				case <-deadline:
					t.Fatal("the libzmq subscriber went past the limit and is still connected")
				}
			}
		})
	}
}
