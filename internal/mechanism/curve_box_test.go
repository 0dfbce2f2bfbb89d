package mechanism

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"

	"golang.org/x/crypto/nacl/secretbox"
)

// boxSizes cross every place the keystream changes routine or block: the first block's 31
// body bytes, x/crypto's 256-byte passes and the 512-byte wide ones.
var boxSizes = func() []int {
	var s []int
	for n := 0; n <= 1100; n++ {
		s = append(s, n)
	}
	return append(s, 1535, 1536, 1537, 2015, 4096, 4127, 4128, 4129, 65536, 70001)
}()

// TestMessageBoxSizes: seal makes secretbox's box and open takes it back, at every size in
// boxSizes, with flags and both nonces' prefixes.
func TestMessageBoxSizes(t *testing.T) {
	var k key
	rand.Read(k[:])
	prefix := "CurveZMQMESSAGEC"
	b := newMessageBox(&k, prefix)
	var n [24]byte
	copy(n[:], prefix)
	for _, size := range boxSizes {
		body := make([]byte, size)
		rand.Read(body)
		rand.Read(n[16:])
		flags := byte(size)
		want := secretbox.Seal(nil, append([]byte{flags}, body...), &n, &k)
		out := make([]byte, 17+size)
		b.seal(out, n[16:], flags, body)
		if !bytes.Equal(out, want) {
			t.Fatalf("%d bytes: seal differs from secretbox", size)
		}
		got := make([]byte, size)
		f, ok := b.open(got, n[16:], want)
		if !ok || f != flags || !bytes.Equal(got, body) {
			t.Fatalf("%d bytes: open gave ok %v flags %x, payload equal %v", size, ok, f, bytes.Equal(got, body))
		}
		want[len(want)-1] ^= 1
		clear(got)
		if _, ok := b.open(got, n[16:], want); ok || !bytes.Equal(got, make([]byte, size)) {
			t.Fatalf("%d bytes: a box with its last byte flipped opened or wrote %v", size, ok)
		}
	}
}

// BenchmarkMessageBox seals and opens one box at each size; the keystream is most of it.
func BenchmarkMessageBox(b *testing.B) {
	var k key
	rand.Read(k[:])
	box := newMessageBox(&k, "CurveZMQMESSAGEC")
	short := make([]byte, 8)
	for _, size := range []int{16, 256, 4096, 65536} {
		body := make([]byte, size)
		out := make([]byte, 17+size)
		b.Run(fmt.Sprintf("seal/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				box.seal(out, short, 0, body)
			}
		})
		box.seal(out, short, 0, body)
		b.Run(fmt.Sprintf("open/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := box.open(body, short, out); !ok {
					b.Fatal("did not open")
				}
			}
		})
	}
}
