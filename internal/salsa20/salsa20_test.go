package salsa20

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/salsa20/salsa"
)

// paths runs f once on each routine this build has: the AVX-512 and AVX2 ones where the CPU
// has them, and x/crypto's alone.
func paths(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, p := range available() {
		restore := p.set()
		t.Run(p.name, f)
		restore()
	}
}

type path struct {
	name         string
	avx512, avx2 bool
}

// available lists the paths this CPU can run, quickest first.
func available() []path {
	var ps []path
	if useAVX512 {
		ps = append(ps, path{"avx512", true, useAVX2})
	}
	if useAVX2 {
		ps = append(ps, path{"avx2", false, true})
	}
	return append(ps, path{"xcrypto", false, false})
}

// set selects p and returns what puts the flags back.
func (p path) set() (restore func()) {
	avx512, avx2 := useAVX512, useAVX2
	useAVX512, useAVX2 = p.avx512, p.avx2
	return func() { useAVX512, useAVX2 = avx512, avx2 }
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
// and wraps at 2^64 as x/crypto's does, also inside one wide pass (eight vector blocks and a
// ninth in general registers, or sixteen with AVX-512), a narrow one (four and a fifth), a
// pair and a set of AVX-512 rows.
func TestBlockNumberWraps(t *testing.T) {
	paths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, start := range []uint64{
			1<<32 - 1, 1<<32 - 3, 1<<32 - 8, 1<<32 - 9, 1<<32 - 10, 1<<32 - 17, 1 << 32,
			1<<64 - 1, 1<<64 - 2, 1<<64 - 5, 1<<64 - 8, 1<<64 - 9, 1<<64 - 10, 1<<64 - 16, 1<<64 - 23, 0,
		} {
			for _, n := range []int{64, 128, 200, 256, 300, 320, 384, 512, 513, 576, 577, 700, 896, 1024, 1025, 1152, 1500, 2048, 4096 + 33} {
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

// TestAfter: XORKeyStreamAfter's head is the stream's first bytes and its out the stream after
// them XORed over in, for every head length and lengths either side of each routine's edges.
func TestAfter(t *testing.T) {
	paths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for h := 0; h <= 64; h++ {
			for _, n := range []int{0, 1, 31, 32, 64 - h, 65 - h, 128, 300, 383 - h, 384 - h, 385 - h,
				511 - h, 512 - h, 513 - h,
				575 - h, 576 - h, 577 - h, 1023 - h, 1024 - h, 1025 - h, 1151 - h, 1152 - h, 1153 - h, 4096, 5000} {
				if n < 0 {
					continue
				}
				c, k := randomKey(rng)
				if rng.IntN(4) == 0 {
					binary.LittleEndian.PutUint64(c[8:], -uint64(1+rng.IntN(20)))
				}
				in := make([]byte, n)
				for i := range in {
					in[i] = byte(rng.Uint32())
				}
				want := make([]byte, h+n)
				copy(want[h:], in)
				salsa.XORKeyStream(want, want, &c, &k)
				head := make([]byte, h)
				out := make([]byte, n)
				XORKeyStreamAfter(head, out, in, &c, &k)
				if !bytes.Equal(head, want[:h]) || !bytes.Equal(out, want[h:]) {
					t.Fatalf("head %d, %d bytes: differs from x/crypto's stream", h, n)
				}
				XORKeyStreamAfter(head, in, in, &c, &k)
				if !bytes.Equal(in, want[h:]) {
					t.Fatalf("head %d, %d bytes: in place differs", h, n)
				}
			}
		}
	})
}

// TestShort: Short's stream is x/crypto's for every length it takes, whatever ks held.
func TestShort(t *testing.T) {
	paths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		var ks [ShortMax]byte
		for n := 0; n <= ShortMax; n++ {
			c, k := randomKey(rng)
			if rng.IntN(4) == 0 {
				binary.LittleEndian.PutUint64(c[8:], -uint64(1+rng.IntN(10)))
			}
			want := make([]byte, n)
			salsa.XORKeyStream(want, want, &c, &k)
			for i := range ks {
				ks[i] = byte(rng.Uint32())
			}
			if got := Short(&ks, n, &c, &k); !bytes.Equal(got, want) {
				t.Fatalf("%d bytes: differs from x/crypto's stream at byte %d", n, firstDiff(got, want))
			}
		}
	})
}
