package notify

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// The hub's collector reports what went through it, under zmq_rpc_notify_*.
func TestHubCollector(t *testing.T) {
	w := memoryWorld(t, "hub")
	h := w.hubs[0]
	n := w.notifier("p1")
	got := newTally(3)
	w.listener(got.handler(Handled), WithPool("billing"))
	ctx := testCtx(t)
	for range 3 {
		if err := n.Info(ctx, "m", nil); err != nil {
			t.Fatal(err)
		}
	}
	got.wait(t, "pool")
	waitStats(t, h.disp, func() bool { return h.Stats().Handled == 3 }, "3 acknowledged")
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(h.Collector()); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got3 := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += "{" + l.GetName() + "=" + l.GetValue() + "}"
			}
			switch {
			case m.GetCounter() != nil:
				got3[name] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				got3[name] = m.GetGauge().GetValue()
			}
		}
	}
	for name, v := range map[string]float64{
		"zmq_rpc_notify_received_total":                  3,
		"zmq_rpc_notify_pool_handled_total":              3,
		"zmq_rpc_notify_pool_delivered_total":            3,
		"zmq_rpc_notify_pool_members{pool=billing}":      1,
		"zmq_rpc_notify_pool_queue_depth{pool=billing}":  0,
		"zmq_rpc_notify_dropped_total{reason=garbage}":   0,
		"zmq_rpc_notify_dropped_total{reason=overflow}":  0,
		"zmq_rpc_notify_dropped_total{reason=exhausted}": 0,
	} {
		if g, ok := got3[name]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", name, g, ok, v)
		}
	}
	if len(got3) != 15 {
		t.Errorf("%d series, want 15: %v", len(got3), got3)
	}
}
