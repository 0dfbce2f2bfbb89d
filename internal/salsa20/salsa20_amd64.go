//go:build amd64 && !purego && gc

package salsa20

import "golang.org/x/sys/cpu"

var useAVX2 = cpu.X86.HasAVX2

// Below minWide bytes x/crypto's routine is as fast; a tail shorter than minWideTail after
// the wide passes goes to it too, a longer one to one more wide pass.
const (
	minWide     = 512
	minWideTail = 256
)

// xorChunks XORs n*512 bytes of in with the keystream of the 16 input words s (block number
// in s[8], s[9], carried as one 64-bit number) into out, eight blocks at a time.
//
//go:noescape
func xorChunks(out, in *byte, n int, s *[16]uint32)
