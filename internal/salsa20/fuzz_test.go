package salsa20

import (
	"bytes"
	"encoding/binary"
	"testing"

	"golang.org/x/crypto/salsa20/salsa"
)

// FuzzXORKeyStream: any input, key, nonce, block number and head length give x/crypto's
// stream, from XORKeyStream and from XORKeyStreamAfter.
func FuzzXORKeyStream(f *testing.F) {
	f.Add([]byte("hello"), []byte("0123456789abcdef0123456789abcdef"), uint64(7), uint64(0), uint8(0))
	f.Add(make([]byte, 700), make([]byte, 32), uint64(0), uint64(1<<64-3), uint8(33))
	f.Fuzz(func(t *testing.T, in, keyBytes []byte, nonce, block uint64, headLen uint8) {
		var key [32]byte
		copy(key[:], keyBytes)
		var c [16]byte
		binary.LittleEndian.PutUint64(c[:], nonce)
		binary.LittleEndian.PutUint64(c[8:], block)

		for _, p := range available() {
			restore := p.set()
			fuzzOne(t, p.name, in, &c, &key, int(headLen%65))
			restore()
		}
	})
}

// fuzzOne checks XORKeyStream and XORKeyStreamAfter with head length h on one path.
func fuzzOne(t *testing.T, name string, in []byte, c *[16]byte, key *[32]byte, h int) {
	t.Helper()
	want := make([]byte, len(in))
	salsa.XORKeyStream(want, in, c, key)
	got := make([]byte, len(in))
	XORKeyStream(got, in, c, key)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s, %d bytes: differs from x/crypto at byte %d", name, len(in), firstDiff(got, want))
	}

	stream := make([]byte, h+len(in))
	copy(stream[h:], in)
	salsa.XORKeyStream(stream, stream, c, key)
	head := make([]byte, h)
	XORKeyStreamAfter(head, got, in, c, key)
	if !bytes.Equal(head, stream[:h]) || !bytes.Equal(got, stream[h:]) {
		t.Fatalf("%s, head %d, %d bytes: differs from x/crypto's stream", name, h, len(in))
	}
}
