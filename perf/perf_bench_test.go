package perf

import (
	"context"
	"fmt"
	"testing"
)

func BenchmarkThroughput(b *testing.B) {
	for _, tr := range []string{"inproc", "ipc", "tcp"} {
		for _, size := range []int{16, 256, 4096, 65536} {
			b.Run(fmt.Sprintf("%s/%d", tr, size), func(b *testing.B) {
				b.SetBytes(int64(size))
				b.ReportAllocs()
				r, err := Throughput(context.Background(), tr, size, b.N+1)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(r.MsgsPerSec(), "msg/s")
			})
		}
	}
}

func BenchmarkLatency(b *testing.B) {
	for _, tr := range []string{"inproc", "ipc", "tcp"} {
		b.Run(tr, func(b *testing.B) {
			b.ReportAllocs()
			r, err := Latency(context.Background(), tr, 16, b.N)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(r.LatencyMicros(), "µs/one-way")
		})
	}
}
