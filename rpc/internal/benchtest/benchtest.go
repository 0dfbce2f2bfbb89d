// Package benchtest holds what the rpc benchmarks share.
package benchtest

import (
	"sync"
	"sync/atomic"
	"testing"
)

// Callers splits b.N calls of op among n goroutines and reports calls/s; an error fails the
// benchmark and stops that goroutine.
func Callers(b *testing.B, n int, op func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := op(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
