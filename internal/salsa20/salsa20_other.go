//go:build !amd64 || purego || !gc

package salsa20

// Without the assembly every call goes to x/crypto.
var useAVX2 = false

const (
	minWide     = 0
	minWideTail = 0
)

func xorChunks(out, in *byte, n int, s *[16]uint32) { panic("salsa20: no wide routine") }
