package salsa20

import "encoding/binary"

// rowsMax is the longest stream the rows routine makes in one call: eight blocks.
const rowsMax = 512

// wideMax is a wide pass: sixteen blocks.
const wideMax = 1024

// xor512 is XORKeyStream's AVX-512 path: in, not empty, XORed with the stream into out.
// Both routines store a part-filled last block under a byte mask, so no length goes
// through a buffer, and both read the key and counter themselves.
func xor512(out, in []byte, counter *[16]byte, key *[32]byte) {
	if len(in) > rowsMax {
		xorWide(&out[0], &in[0], len(in), key, counter)
		return
	}
	xorRows(&out[0], &in[0], len(in), key, counter)
}

// after512 is XORKeyStreamAfter's AVX-512 path for more than a block of stream: a stream of
// up to a wide pass goes through a buffer in one call; a longer one has its first block
// made on its own and the rest XORed straight into out (a buffered first pass would cost a
// pass's copying and save nothing: the rest takes as many passes either way, give or take).
func after512(head, out, in []byte, counter *[16]byte, key *[32]byte) {
	h := len(head)
	switch t := h + len(in); {
	case t <= rowsMax:
		var buf [rowsMax]byte
		afterBuffered(buf[:t], head, out, in, counter, key)
	case t <= wideMax:
		var buf [wideMax]byte
		afterBuffered(buf[:t], head, out, in, counter, key)
	default:
		var block [64]byte
		n := copy(block[h:], in)
		xorRows(&block[0], &block[0], 64, key, counter)
		copy(head, block[:h])
		copy(out, block[h:])
		clear(block[:])
		c := *counter
		binary.LittleEndian.PutUint64(c[8:], binary.LittleEndian.Uint64(c[8:])+1)
		xorWide(&out[n], &in[n], len(in)-n, key, &c)
	}
}

// afterBuffered makes the whole stream of len(buf) = len(head)+len(in) bytes in buf, by the
// routine for that length, and hands it out: head as it is, in XORed into out.
func afterBuffered(buf, head, out, in []byte, counter *[16]byte, key *[32]byte) {
	h, t := len(head), len(buf)
	copy(buf[h:], in)
	if t > rowsMax {
		xorWide(&buf[0], &buf[0], t, key, counter)
	} else {
		xorRows(&buf[0], &buf[0], t, key, counter)
	}
	copy(head, buf[:h])
	copy(out, buf[h:])
	clear(buf)
}
