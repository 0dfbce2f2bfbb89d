package bridge_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
)

// TestSlowConsumer: a PULL that does not read stops the route: the bridge takes from the
// queue only its window and what the ZeroMQ pipe holds (HWMs both sides, the kernel's socket
// buffers), the rest stays in the broker, and the heap does not grow with the queue. Once the
// PULL reads, everything arrives, in order.
func TestSlowConsumer(t *testing.T) {
	const (
		n      = 600
		size   = 32 << 10
		window = 10
		hwm    = 10
	)
	a := newAdmin(t)
	x, q := a.queue(nil)
	var msgs []amqp.Publishing
	for i := range n {
		body := bytes.Repeat([]byte{byte(i)}, size)
		copy(body, fmt.Sprintf("m%04d", i))
		msgs = append(msgs, amqp.Publishing{Type: "k", Body: body})
	}
	a.publish(x, msgs...)
	msgs = nil
	// ipc: the kernel buffers of a Unix socket are small, so what it holds is bounded too.
	ep := "ipc://" + filepath.Join(t.TempDir(), "slow")
	zc := zmq.NewContext()
	pull, err := zc.NewSocket(zmq.PULL, zmq.WithRecvHWM(hwm), zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pull.Close(); zc.Close() })
	if err := pull.Bind(ep); err != nil {
		t.Fatal(err)
	}
	before := heap()
	reg := prometheus.NewRegistry()
	r := start(t, []bridge.Route{{Name: "slow", Direction: bridge.FromBroker, Broker: dial(t), Address: "queue/" + q,
		Window: window, Socket: bridge.SocketConfig{Type: zmq.PUSH, Connect: []string{ep},
			Options: []zmq.Option{zmq.WithSendHWM(hwm)}}}}, bridge.NewMetrics(reg))

	taken := stalled(t, func() int { return n - a.ready(q) })
	grown := int64(heap()) - int64(before)
	sent := int(metric(t, reg, "zmq_bridge_messages_out_total", "slow"))
	t.Logf("stalled: %d of %d messages out of the queue (window %d, HWM %d+%d), %d taken by the PUSH; heap grew %d KiB, the queue holds %d KiB",
		taken, n, window, hwm, hwm, sent, grown>>10, (n-taken)*size>>10)
	// The kernel's buffers of a Unix socket (about 200 KiB each way) hold a dozen messages of
	// this size.
	const slack = 16
	if bound := window + 2*hwm + slack; taken > bound {
		t.Errorf("%d messages out of the queue, want at most %d", taken, bound)
	}
	if limit := int64(4 * (window + 2*hwm + slack) * size); grown > limit {
		t.Errorf("heap grew %d bytes, want at most %d", grown, limit)
	}
	for i := range n {
		m := recv(t, pull)
		if want := fmt.Sprintf("m%04d", i); len(m) != 2 || !bytes.HasPrefix(m[1], []byte(want)) {
			t.Fatalf("message %d: %.8q, want %s", i, m, want)
		}
	}
	r.Stop()
	if left := a.ready(q); left != 0 {
		t.Errorf("%d messages left in the queue, want 0", left)
	}
}

// heap is the live heap after a collection.
func heap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// stalled samples f until it stops changing and returns its last value. A stall has no event
// to wait for: the sampling decides only when the test looks, not what it finds, and a bridge
// that kept taking would be caught at whatever point it is looked at.
func stalled(t *testing.T, f func() int) int {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	last, same := f(), 0
	for same < 20 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		v := f()
		if v == last {
			same++
		} else {
			last, same = v, 0
		}
	}
	return last
}
