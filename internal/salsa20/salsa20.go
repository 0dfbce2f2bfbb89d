// Package salsa20 is the Salsa20/20 keystream of golang.org/x/crypto/salsa20/salsa, with
// AVX-512 routines on amd64 that run up to eight blocks in row layout or sixteen word-sliced
// (salsa512.go), and AVX2 ones that run nine at once for CPUs without AVX-512. CURVE's
// MESSAGE boxes spend most of their time here, and x/crypto's amd64 code is a four-block
// SSE2 routine.
package salsa20

import (
	"encoding/binary"

	"golang.org/x/crypto/salsa20/salsa"
)

// chunk is what the AVX2 wide routine makes in one pass: nine 64-byte blocks; narrow is what the
// narrow one does: five.
const (
	chunkBlocks = 9
	chunk       = 64 * chunkBlocks
	narrow      = 64 * 5
)

// XORKeyStream is salsa.XORKeyStream: it sets out[i] = in[i] ^ keystream[i] for every i <
// len(in), the stream starting at the block that counter's bytes 8..15 (a little-endian
// 64-bit block number, which wraps) name after the nonce in bytes 0..7. out and in overlap
// entirely or not at all; out must be at least as long as in. counter is not changed.
func XORKeyStream(out, in []byte, counter *[16]byte, key *[32]byte) {
	if len(in) == 0 {
		return
	}
	_ = out[len(in)-1]
	if useAVX512 {
		xor512(out, in, counter, key)
		return
	}
	if !useAVX2 || len(in) < minPairs {
		salsa.XORKeyStream(out, in, counter, key)
		return
	}
	var s [16]uint32
	initState(&s, counter, key)
	if n := len(in) / chunk; n > 0 {
		xorChunks(&out[0], &in[0], n, &s)
		advance(&s, uint64(chunkBlocks*n))
		out, in = out[n*chunk:], in[n*chunk:]
	}
	if len(in) > 0 {
		tail(out, in, &s, key)
	}
	clear(s[:])
}

// tail XORs in, shorter than a wide pass, with the stream from s on: by x/crypto's routine,
// by pairs of blocks, or by one wide pass, whichever is quickest for its length. A part-filled
// last pair or pass goes through a buffer.
func tail(out, in []byte, s *[16]uint32, key *[32]byte) {
	if len(in) < minPairs {
		var c [16]byte
		for i := range 4 {
			binary.LittleEndian.PutUint32(c[4*i:], s[6+i])
		}
		salsa.XORKeyStream(out, in, &c, key)
		clear(c[:])
		return
	}
	if len(in) > maxPairs*128 {
		var buf [chunk]byte
		copy(buf[:], in)
		xorChunks(&buf[0], &buf[0], 1, s)
		copy(out[:len(in)], buf[:])
		clear(buf[:])
		return
	}
	if len(in) > 256 && len(in) <= narrow {
		if len(in) == narrow {
			xorNarrow(&out[0], &in[0], s)
			return
		}
		var buf [narrow]byte
		copy(buf[:], in)
		xorNarrow(&buf[0], &buf[0], s)
		copy(out[:len(in)], buf[:])
		clear(buf[:])
		return
	}
	var d [16]uint32
	for i, j := range diagonal {
		d[i] = s[j]
	}
	pairs := (len(in) + 127) / 128
	if len(in) == 128*pairs {
		xorPairs(&out[0], &in[0], pairs, &d)
	} else {
		var buf [3 * 128]byte
		copy(buf[:], in)
		xorPairs(&buf[0], &buf[0], pairs, &d)
		copy(out[:len(in)], buf[:])
		clear(buf[:])
	}
	clear(d[:])
}

// diagonal is the order of the words in xorPairs' rows: see pairs_amd64.s.
var diagonal = [16]int{0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11}

// ShortMax is the longest stream Short makes.
const ShortMax = chunk

// Short returns the stream's first n bytes (n at most ShortMax), made in ks in one call: a
// keystream to XOR with only once it is known to be wanted, as a box's payload is once its
// tag checks. ks is the caller's to clear.
func Short(ks *[ShortMax]byte, n int, counter *[16]byte, key *[32]byte) []byte {
	m := wholeRun(n)
	clear(ks[:m])
	XORKeyStream(ks[:m], ks[:m], counter, key)
	return ks[:n]
}

// wholeRun rounds n, at most a wide pass, up to what the routine XORKeyStream runs for a
// stream that long makes whole (a block, pairs, a narrow or a wide pass), so that a caller
// with room in its buffer can spare XORKeyStream buffering a part-filled one again. The
// AVX-512 routines buffer nothing: n stays.
func wholeRun(n int) int {
	switch {
	case useAVX512 || !useAVX2 || n >= chunk:
		return n
	case n < minPairs:
		return (n + 63) &^ 63
	case n > maxPairs*128:
		return chunk
	case n > 256 && n <= narrow:
		return narrow
	}
	return (n + 127) &^ 127
}

// initState lays out Salsa20's input words: the constant "expand 32-byte k" on the diagonal,
// the key's halves around it, then nonce and block number.
func initState(s *[16]uint32, counter *[16]byte, key *[32]byte) {
	s[0], s[5], s[10], s[15] = 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574
	for i := range 4 {
		s[1+i] = binary.LittleEndian.Uint32(key[4*i:])
		s[11+i] = binary.LittleEndian.Uint32(key[16+4*i:])
		s[6+i] = binary.LittleEndian.Uint32(counter[4*i:])
	}
}

// advance moves the 64-bit block number in words 8 and 9 on by n blocks.
func advance(s *[16]uint32, n uint64) {
	b := (uint64(s[9])<<32 | uint64(s[8])) + n
	s[8], s[9] = uint32(b), uint32(b>>32)
}

// XORKeyStreamAfter is XORKeyStream for a stream whose first len(head) bytes (at most 64)
// are wanted as they are: it writes those to head and XORs the ones after them over in into
// out, in one pass where XORKeyStream would need a block on its own first. A secretbox's
// stream starts with its Poly1305 key.
func XORKeyStreamAfter(head, out, in []byte, counter *[16]byte, key *[32]byte) {
	h := len(head)
	if h > 64 {
		panic("salsa20: head longer than a block")
	}
	if len(in) > 0 {
		_ = out[len(in)-1]
	}
	if h+len(in) <= 64 {
		// A small box: no whole pass's buffer to zero, and a whole block, which x/crypto's
		// routine makes without going through a buffer of its own.
		var block [64]byte
		n := copy(block[h:], in)
		XORKeyStream(block[:], block[:], counter, key)
		copy(head, block[:h])
		copy(out, block[h:h+n])
		clear(block[:])
		return
	}
	if useAVX512 {
		after512(head, out, in, counter, key)
		return
	}
	var buf [chunk]byte
	n := copy(buf[h:], in)
	m := wholeRun(h + n)
	XORKeyStream(buf[:m], buf[:m], counter, key)
	copy(head, buf[:h])
	copy(out, buf[h:h+n])
	clear(buf[:m])
	if len(in) == n {
		return
	}
	// The buffer took exactly one wide pass; the rest starts that many blocks on.
	c := *counter
	binary.LittleEndian.PutUint64(c[8:], binary.LittleEndian.Uint64(c[8:])+chunkBlocks)
	XORKeyStream(out[n:], in[n:], &c, key)
}
