package salsa20

import (
	"fmt"
	"testing"

	"golang.org/x/crypto/salsa20/salsa"
)

// BenchmarkXORKeyStream runs this package and x/crypto side by side at each size; the
// "ours/xcrypto" metric is the ratio of their ns/op (below 1 is faster), per size.
func BenchmarkXORKeyStream(b *testing.B) {
	for _, n := range sizes {
		var c [16]byte
		var k [32]byte
		buf := make([]byte, n)
		b.Run(fmt.Sprintf("%d/ours", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				XORKeyStream(buf, buf, &c, &k)
			}
		})
		b.Run(fmt.Sprintf("%d/xcrypto", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				salsa.XORKeyStream(buf, buf, &c, &k)
			}
		})
	}
}

var sizes = []int{16, 64, 128, 192, 256, 320, 384, 448, 511, 1024, 4096, 65536}
