package zmq_test

import (
	"testing"
	"testing/synctest"
	"time"

	zmq "github.com/purezmq/zmq"
)

// TestReconnectIntervals: a connect side whose peer is absent tries again RECONNECT_IVL after
// each failed attempt, doubling the wait up to RECONNECT_IVL_MAX when that is set, and each
// CONNECT_RETRIED says the wait in ms. Reconnecting is a timer: the test runs in a synctest
// bubble and checks when each attempt ends on the bubble's clock, to the instant. Nobody is
// there, so every attempt (a real dial) is refused at once and never holds the clock back.
func TestReconnectIntervals(t *testing.T) {
	const ivl = 100 * time.Millisecond
	for _, c := range []struct {
		name string
		max  time.Duration
		want []time.Duration // the waits between attempts
	}{
		{"constant", 0, []time.Duration{ivl, ivl, ivl, ivl}},
		{"backoff", 4 * ivl, []time.Duration{ivl, 2 * ivl, 4 * ivl, 4 * ivl}},
	} {
		t.Run(c.name, func(t *testing.T) {
			forEachWireTransport(t, func(t *testing.T, tr transport) {
				ep := tr.fixed(t)
				synctest.Test(t, func(t *testing.T) {
					push := newSocket(t, zmq.PUSH, zmq.WithReconnectIvl(ivl), zmq.WithReconnectIvlMax(c.max))
					ch, stop := push.Monitor(zmq.EventClosed | zmq.EventConnectRetried)
					defer stop()
					connect(t, push, ep)
					var last time.Time // when the previous attempt failed
					for i := 0; i <= len(c.want); i++ {
						failed := waitEvent(t, ch, zmq.EventClosed) // a refused attempt
						now := time.Now()
						if i > 0 && now.Sub(last) != c.want[i-1] {
							t.Fatalf("attempt %d came %v after the one before, want %v", i, now.Sub(last), c.want[i-1])
						}
						if failed.Err == nil {
							t.Fatalf("attempt %d: %v, want the dial error", i, failed)
						}
						last = now
						if i == len(c.want) {
							break
						}
						retried := waitEvent(t, ch, zmq.EventConnectRetried)
						if want := int(c.want[i].Milliseconds()); retried.Value != want {
							t.Fatalf("CONNECT_RETRIED %d says %d ms, want %d", i, retried.Value, want)
						}
					}
				})
			})
		})
	}
}
