package perf

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestMeasures(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tr := range []string{"inproc", "ipc", "tcp"} {
		r, err := Throughput(ctx, tr, 100, 1001)
		if err != nil {
			t.Fatalf("%s throughput: %v", tr, err)
		}
		if r.Count != 1000 || r.Elapsed <= 0 || r.MsgsPerSec() <= 0 || r.MBPerSec() <= 0 {
			t.Fatalf("%s throughput result %+v", tr, r)
		}
		l, err := Latency(ctx, tr, 10, 50)
		if err != nil {
			t.Fatalf("%s latency: %v", tr, err)
		}
		if l.Count != 50 || l.LatencyMicros() <= 0 {
			t.Fatalf("%s latency result %+v", tr, l)
		}
	}
	if _, err := Throughput(ctx, "udp", 1, 2); err == nil {
		t.Fatal("an unknown transport was accepted")
	}
}
