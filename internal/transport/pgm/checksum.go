package pgm

import (
	"encoding/binary"
	"math/bits"
)

// checksum is the Internet checksum (RFC 1071) of b, which PGM computes over the whole packet
// with its checksum field zero. It is on every packet's path both ways: it adds 64-bit words
// and folds once at the end (2^16 ≡ 1 modulo 2^16-1, so the carries out of 64 bits and the
// word halves all add back in), eight bytes a step instead of two.
func checksum(b []byte) uint16 {
	var sum, carries uint64
	for len(b) >= 32 {
		var c0, c1, c2, c3 uint64
		sum, c0 = bits.Add64(sum, binary.BigEndian.Uint64(b), 0)
		sum, c1 = bits.Add64(sum, binary.BigEndian.Uint64(b[8:]), 0)
		sum, c2 = bits.Add64(sum, binary.BigEndian.Uint64(b[16:]), 0)
		sum, c3 = bits.Add64(sum, binary.BigEndian.Uint64(b[24:]), 0)
		carries += c0 + c1 + c2 + c3
		b = b[32:]
	}
	for len(b) >= 8 {
		var c uint64
		sum, c = bits.Add64(sum, binary.BigEndian.Uint64(b), 0)
		carries += c
		b = b[8:]
	}
	// What is left starts on an even offset: 16-bit words, then an odd byte as the high half.
	var tail uint64
	for len(b) >= 2 {
		tail += uint64(b[0])<<8 | uint64(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		tail += uint64(b[0]) << 8
	}
	s := sum>>32 + sum&0xffffffff + carries + tail
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
