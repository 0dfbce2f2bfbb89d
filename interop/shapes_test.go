package interop

import "fmt"

// shape is a message body every socket pair carries, checked byte for byte.
type shape struct {
	name string
	m    [][]byte
}

// shapes covers frame counts 1 to 10, empty frames, both sides of ZMTP's short/long frame-size
// boundary (255 bytes fit a one-byte size, 256 need eight) and a 1 MiB frame, which no read
// buffer of either library holds whole.
func shapes() []shape {
	var out []shape
	for n := 1; n <= 10; n++ {
		m := make([][]byte, n)
		for i := range m {
			m[i] = pattern(1+i*3, n*16+i)
		}
		out = append(out, shape{fmt.Sprintf("%d-frames", n), m})
	}
	out = append(out,
		shape{"empty", [][]byte{{}}},
		shape{"all-empty", [][]byte{{}, {}, {}}},
		shape{"empty-between", [][]byte{pattern(3, 1), {}, pattern(5, 2), {}}},
		shape{"255", [][]byte{pattern(255, 3)}},
		shape{"256", [][]byte{pattern(256, 4)}},
		shape{"257", [][]byte{pattern(257, 5)}},
		shape{"255-256-257", [][]byte{pattern(255, 6), pattern(256, 7), pattern(257, 8)}},
		// Not wire boundaries but likely implementation ones: a write or read buffer of 8 or
		// 64 KiB, where a frame and its 9-byte header just fit, just overflow or fill it whole.
		shape{"8191-8192-8193", [][]byte{pattern(8191, 12), pattern(8192, 13), pattern(8193, 14)}},
		shape{"64KiB-9", [][]byte{pattern(64<<10-9, 15)}},
		shape{"64KiB-8", [][]byte{pattern(64<<10-8, 16)}},
		shape{"64KiB-64KiB", [][]byte{pattern(64<<10, 17), pattern(64<<10, 18)}},
		shape{"1MiB", [][]byte{pattern(1<<20, 9)}},
		shape{"small-1MiB-empty", [][]byte{pattern(7, 10), pattern(1<<20, 11), {}}},
	)
	return out
}

// pattern returns n bytes that differ from their neighbours and from other seeds' patterns, so a
// misplaced or shifted byte shows.
func pattern(n, seed int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + seed*13 + i>>8)
	}
	return b
}
