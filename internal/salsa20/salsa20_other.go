//go:build !amd64 || purego || !gc

package salsa20

// Without the assembly every call goes to x/crypto.
var useAVX2, useAVX512 = false, false

const (
	minPairs = 0
	maxPairs = 0
)

func xorChunks(out, in *byte, n int, s *[16]uint32)    { panic("salsa20: no wide routine") }
func xorPairs(out, in *byte, pairs int, d *[16]uint32) { panic("salsa20: no pairs routine") }

func xorNarrow(out, in *byte, s *[16]uint32) { panic("salsa20: no narrow routine") }

func xorRows(out, in *byte, n int, key *[32]byte, counter *[16]byte) {
	panic("salsa20: no rows routine")
}

func xorWide(out, in *byte, n int, key *[32]byte, counter *[16]byte) {
	panic("salsa20: no wide routine")
}
