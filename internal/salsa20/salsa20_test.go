package salsa20

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/salsa20/salsa"
)

// paths runs f once on each routine this build has: the wide one where the CPU has it, and
// x/crypto's alone.
func paths(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	wide := useAVX2
	t.Cleanup(func() { useAVX2 = wide })
	if wide {
		t.Run("avx2", f)
	}
	useAVX2 = false
	t.Run("xcrypto", f)
}

// check compares XORKeyStream with x/crypto's for in at offset off of a larger buffer (so
// the wide routine meets unaligned slices), both into a separate out and in place.
func check(t *testing.T, rng *rand.Rand, n int, counter *[16]byte, key *[32]byte) {
	t.Helper()
	off := rng.IntN(64)
	src := make([]byte, off+n)
	for i := range src {
		src[i] = byte(rng.Uint32())
	}
	in := src[off:]
	want := make([]byte, n)
	salsa.XORKeyStream(want, in, counter, key)
	keep := *counter

	got := make([]byte, n+1)
	got[n] = 0xa5
	XORKeyStream(got, in, counter, key)
	if !bytes.Equal(got[:n], want) {
		t.Fatalf("len %d counter %x: differs from x/crypto at byte %d", n, *counter, firstDiff(got, want))
	}
	if got[n] != 0xa5 {
		t.Fatalf("len %d: wrote past len(in)", n)
	}
	XORKeyStream(in, in, counter, key)
	if !bytes.Equal(in, want) {
		t.Fatalf("len %d counter %x: in place differs from x/crypto at byte %d", n, *counter, firstDiff(in, want))
	}
	if *counter != keep {
		t.Fatalf("counter changed to %x", *counter)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func randomKey(rng *rand.Rand) (c [16]byte, k [32]byte) {
	for i := range c {
		c[i] = byte(rng.Uint32())
	}
	for i := range k {
		k[i] = byte(rng.Uint32())
	}
	return c, k
}

// TestEveryLength: every length up to a few wide passes plus tails, random keys, nonces and
// block numbers.
func TestEveryLength(t *testing.T) {
	paths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for n := 0; n <= 2100; n++ {
			c, k := randomKey(rng)
			check(t, rng, n, &c, &k)
		}
	})
}

// TestBlockNumberWraps: the 64-bit block number carries from its low word into its high one
// and wraps at 2^64 as x/crypto's does, also inside one pass of eight blocks.
func TestBlockNumberWraps(t *testing.T) {
	paths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, start := range []uint64{
			1<<32 - 1, 1<<32 - 3, 1<<32 - 8, 1<<32 - 9, 1<<32 - 17, 1 << 32,
			1<<64 - 1, 1<<64 - 5, 1<<64 - 8, 1<<64 - 16, 1<<64 - 23, 0,
		} {
			for _, n := range []int{64, 200, 512, 513, 700, 1024, 1500, 4096 + 33} {
				c, k := randomKey(rng)
				binary.LittleEndian.PutUint64(c[8:], start)
				check(t, rng, n, &c, &k)
			}
		}
	})
}

// TestShortOut: an out shorter than in panics, as x/crypto's does, before writing.
func TestShortOut(t *testing.T) {
	paths(t, func(t *testing.T) {
		var c [16]byte
		var k [32]byte
		for _, n := range []int{10, 600} {
			out := make([]byte, n-1)
			func() {
				defer func() {
					if recover() == nil {
						t.Fatalf("len %d into %d: no panic", n, n-1)
					}
				}()
				XORKeyStream(out, make([]byte, n), &c, &k)
			}()
			if !bytes.Equal(out, make([]byte, n-1)) {
				t.Fatalf("len %d: wrote before panicking", n)
			}
		}
	})
}
