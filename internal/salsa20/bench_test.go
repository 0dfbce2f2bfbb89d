package salsa20

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/crypto/salsa20/salsa"
)

// BenchmarkXORKeyStream times this package and x/crypto in alternating batches at each size,
// so that both see the same machine, and reports each one's ns per call and their ratio
// (ours/xcrypto below 1 is quicker). MB/s is for the pair of calls.
func BenchmarkXORKeyStream(b *testing.B) {
	for _, n := range []int{64, 128, 256, 320, 384, 1024, 4096, 65536} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var c [16]byte
			var k [32]byte
			buf := make([]byte, n)
			const batch = 8
			var ours, ref time.Duration
			calls := 0
			b.SetBytes(int64(2 * batch * n))
			for b.Loop() {
				t0 := time.Now()
				for range batch {
					XORKeyStream(buf, buf, &c, &k)
				}
				t1 := time.Now()
				for range batch {
					salsa.XORKeyStream(buf, buf, &c, &k)
				}
				ours += t1.Sub(t0)
				ref += time.Since(t1)
				calls += batch
			}
			b.ReportMetric(float64(ours.Nanoseconds())/float64(calls), "ours-ns/call")
			b.ReportMetric(float64(ref.Nanoseconds())/float64(calls), "xcrypto-ns/call")
			b.ReportMetric(float64(ours)/float64(ref), "ours/xcrypto")
		})
	}
}
