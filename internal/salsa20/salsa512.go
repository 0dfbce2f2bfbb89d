package salsa20

// rowsMax is the longest stream the rows routine makes in one call: eight blocks.
const rowsMax = 512

// xor512 is XORKeyStream's AVX-512 path: in, not empty, XORed with the stream from s on
// into out. Both routines store a part-filled last block under a byte mask, so no length
// goes through a buffer.
func xor512(out, in []byte, s *[16]uint32) {
	if len(in) > rowsMax {
		xorWide(&out[0], &in[0], len(in), s)
		return
	}
	xorRows(&out[0], &in[0], len(in), s)
}
