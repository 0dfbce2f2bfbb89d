package pgm

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// checksumRef is RFC 1071's sum as the RFC writes it, two bytes a step.
func checksumRef(b []byte) uint16 {
	var sum uint32
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

func TestChecksumMatchesRFC1071(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var cases [][]byte
	for n := range 80 { // every tail length, around the 8- and 32-byte steps
		cases = append(cases, bytes.Repeat([]byte{0xff}, n), make([]byte, n))
	}
	for range 2000 {
		b := make([]byte, rng.IntN(9000))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		cases = append(cases, b)
	}
	cases = append(cases, bytes.Repeat([]byte{0xff}, 65535), bytes.Repeat([]byte{0xfe, 0xff}, 30000))
	for _, b := range cases {
		if got, want := checksum(b), checksumRef(b); got != want {
			t.Fatalf("checksum of %d bytes (% x...) = %#04x, want %#04x", len(b), b[:min(len(b), 16)], got, want)
		}
	}
}

// A packet with its checksum in place sums to zero, as Parse checks.
func TestChecksumVerifies(t *testing.T) {
	for _, b := range odataStream(t, 50, 300) {
		if checksum(b) != 0 {
			t.Fatalf("an encoded packet does not sum to zero: % x", b[:16])
		}
	}
}
