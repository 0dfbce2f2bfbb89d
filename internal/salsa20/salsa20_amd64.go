//go:build amd64 && !purego && gc

package salsa20

import "golang.org/x/sys/cpu"

var (
	useAVX2   = cpu.X86.HasAVX2
	useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW
)

// Streams (and tails) shorter than minPairs bytes go to x/crypto, whose single block is
// quicker than a pair; 257..320 bytes take a narrow pass; a tail longer than maxPairs pairs
// of blocks takes a whole wide pass. Measured on an AMD EPYC (family 23, AVX2): one block
// 165 ns by x/crypto, one pair 235, two 370, three 530, a narrow pass (five blocks) 390, a
// wide pass (nine) 580.
const (
	minPairs = 65
	maxPairs = 3
)

// xorChunks XORs n*576 bytes of in with the keystream of the 16 input words s (block number
// in s[8], s[9], carried as one 64-bit number) into out, nine blocks at a time.
//
//go:noescape
func xorChunks(out, in *byte, n int, s *[16]uint32)

// xorPairs XORs 128*pairs bytes (pairs 1, 2 or 3) of in with the keystream of the input
// words d, in diagonal order, into out.
//
//go:noescape
func xorPairs(out, in *byte, pairs int, d *[16]uint32)

// xorNarrow XORs 320 bytes of in with the keystream of the input words s into out, five
// blocks at a time (four in XMM registers, one in general registers).
//
//go:noescape
func xorNarrow(out, in *byte, s *[16]uint32)

// xorRows XORs n bytes (1..512) of in with the keystream of key from counter (as in
// XORKeyStream) into out, in row layout, four or eight blocks at once (AVX-512).
//
//go:noescape
func xorRows(out, in *byte, n int, key *[32]byte, counter *[16]byte)

// xorWide XORs n bytes (at least 1) of in with the keystream of key from counter into out,
// sixteen blocks at a time (AVX-512).
//
//go:noescape
func xorWide(out, in *byte, n int, key *[32]byte, counter *[16]byte)
