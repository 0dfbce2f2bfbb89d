package rawzmtp

import (
	"testing"

	"golang.org/x/crypto/curve25519"
)

// TestLowOrderTable checks that every point listed makes X25519 fail, as a low-order point must.
func TestLowOrderTable(t *testing.T) {
	_, sec := KeyPair()
	for i, p := range LowOrder {
		if _, err := curve25519.X25519(sec[:], p[:]); err == nil {
			t.Errorf("LowOrder[%d] %x is not of low order", i, p)
		}
	}
}
