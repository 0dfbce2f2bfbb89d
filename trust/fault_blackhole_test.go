package trust_test

import (
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/faultnet"
)

const (
	hbIvl     = 50 * time.Millisecond
	hbTimeout = 250 * time.Millisecond
	// hbBound is how long detection may take before the test calls the heartbeat broken:
	// twenty timeouts, so a slow machine is never the reason it fails.
	hbBound = 20 * hbTimeout
)

// TestFaultBlackholeDetected partitions each family's connection while its stream flows: the
// relay forwards nothing either way and closes nothing, so only heartbeats can tell. Both
// sides must drop the connection (monitor: DISCONNECTED) within hbBound; while the partition
// lasts the connect side keeps trying, and its attempts cannot complete a handshake; when it
// lifts, the connect side reconnects and the stream resumes, every message intact and in
// order, with each family's loss rule (TestFaultCutMidFrame) holding.
func TestFaultBlackholeDetected(t *testing.T) {
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			g := newGroup(t)
			r := f.rig(t, g, zmq.WithHeartbeatIvl(hbIvl), zmq.WithHeartbeatTimeout(hbTimeout))
			r.data.waitGot(t, 1, cutFlow, waitLong)
			// Events reach the counters a moment after they happen: wait for the first
			// connection's before taking the counts the test compares against.
			r.conn.waitFor(t, zmq.EventHandshakeSucceeded, 1, waitLong)
			r.conn.waitFor(t, zmq.EventConnected, 1, waitLong)
			connDown, boundDown := r.conn.count(zmq.EventDisconnected), r.bound.count(zmq.EventDisconnected)
			handshakes, dials := r.conn.count(zmq.EventHandshakeSucceeded), r.conn.count(zmq.EventConnected)
			start := time.Now()
			r.relay.Blackhole(faultnet.Both)
			r.conn.waitFor(t, zmq.EventDisconnected, connDown+1, hbBound)
			connAfter := time.Since(start)
			// The bound side must see it too, and before the partition lifts: bytes the relay
			// still holds for a connection one side abandoned would otherwise be delivered
			// late, as TCP would after a partition heals.
			r.bound.waitFor(t, zmq.EventDisconnected, boundDown+1, hbBound)
			t.Logf("blackhole detected after %v by the connect side, %v by the bound side (timeout %v)",
				connAfter, time.Since(start), hbTimeout)
			// A new attempt reaches the relay, and hangs in its handshake.
			r.conn.waitFor(t, zmq.EventConnected, dials+1, waitLong)
			if hs := r.conn.count(zmq.EventHandshakeSucceeded); hs != handshakes {
				t.Errorf("%d handshakes succeeded through a blackhole", hs-handshakes)
			}
			r.relay.Normal(faultnet.Both)
			r.conn.waitFor(t, zmq.EventHandshakeSucceeded, handshakes+1, waitLong)
			r.data.waitGot(t, 1, r.data.state(1).got+cutFlow, waitLong)
			g.stop()
			lost := int(r.relay.Stats().Accepted) - 1
			st := r.data.state(1)
			t.Logf("received: %v; %d connections lost; relay %+v", st, lost, r.relay.Stats())
			r.check(t, lost)
		})
	}
}
