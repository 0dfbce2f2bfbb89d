package trust_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Shapes: how many frames a message has and how big each is. They lean on the sizes where the
// engine changes course: 8 KiB is where the writer sends a body by writev instead of copying it
// (bigFrame, internal/engine/writer.go) and 32 KiB where the reader reads a body into its own
// allocation (directBody, reader.go); 4 KiB and 64 KiB are common buffer sizes.
var boundaries = []int{0, 1, 4095, 4096, 4097, 8191, 8192, 8193, 32767, 32768, 32769, 65535, 65536, 1 << 20}

// maxMsgBytes caps a message's data frames, to keep a session's memory and time bounded.
const maxMsgBytes = 2 << 20

type shapeKind int

const (
	tiny     shapeKind = iota // 1–3 frames of at most 64 bytes
	boundary                  // 1–50 frames of boundary sizes, one in 20 with a 1 MiB one
	wide                      // 8–50 frames, all under 8 KiB: copied into one buffer, big in total
	big                       // 1–4 frames, one of 8 KiB or more: goes out by writev
	random                    // 1–50 frames, sizes log-uniform up to 64 KiB, one in 20 with a 1 MiB one
	nKinds
)

var kindNames = [nKinds]string{"tiny", "boundary", "wide", "big", "random"}

func (k shapeKind) String() string { return kindNames[k] }

// profile weighs the shape kinds of a session.
type profile [nKinds]int

func (p profile) String() string {
	parts := make([]string, 0, nKinds)
	for k, w := range p {
		parts = append(parts, fmt.Sprintf("%s:%d", shapeKind(k), w))
	}
	return strings.Join(parts, " ")
}

// shapeOf is the shape of data message seq of a stream: a function of the session's seed and
// profile, so the receiver knows what the sender sent without asking it.
func shapeOf(p profile, seed uint64, stream int, seq int64) (shapeKind, []int) {
	r := rand.New(rand.NewPCG(frameKey(seed, stream, seq, 1<<20), 0x5ca1ab1e))
	total := 0
	for _, w := range p {
		total += w
	}
	n := r.IntN(total)
	k := shapeKind(0)
	for ; n >= p[k]; k++ {
		n -= p[k]
	}
	var sizes []int
	switch k {
	case tiny:
		sizes = make([]int, 1+r.IntN(3))
		for i := range sizes {
			sizes[i] = r.IntN(65)
		}
	case boundary:
		sizes = make([]int, frameCount(r))
		for i := range sizes {
			sizes[i] = boundaries[r.IntN(len(boundaries)-1)]
		}
		if r.IntN(20) == 0 {
			sizes[r.IntN(len(sizes))] = 1 << 20
		}
	case wide:
		sizes = make([]int, 8+r.IntN(43))
		for i := range sizes {
			if r.IntN(2) == 0 {
				sizes[i] = []int{4095, 4096, 4097, 8191}[r.IntN(4)]
			} else {
				sizes[i] = 1024 + r.IntN(8191-1024+1)
			}
		}
	case big:
		sizes = make([]int, 1+r.IntN(4))
		for i := range sizes {
			sizes[i] = r.IntN(4097)
		}
		bigs := []int{8192, 8193, 16384, 32767, 32768, 32769, 65535, 65536}
		sizes[r.IntN(len(sizes))] = bigs[r.IntN(len(bigs))]
		if r.IntN(20) == 0 {
			sizes[r.IntN(len(sizes))] = 1 << 20
		}
	case random:
		sizes = make([]int, frameCount(r))
		for i := range sizes {
			sizes[i] = r.IntN(1<<r.IntN(17) + 1)
		}
		if r.IntN(20) == 0 {
			sizes[r.IntN(len(sizes))] = 1 << 20
		}
	}
	left := maxMsgBytes
	for i, n := range sizes {
		sizes[i] = min(n, left)
		left -= sizes[i]
	}
	return k, sizes
}

// frameCount leans to few frames: half the messages have 1–3, a fifth 13–50.
func frameCount(r *rand.Rand) int {
	switch x := r.IntN(10); {
	case x < 5:
		return 1 + r.IntN(3)
	case x < 8:
		return 4 + r.IntN(9)
	default:
		return 13 + r.IntN(38)
	}
}

// describe summarises a shape for reports: "wide 33 fr 180.2 KiB, largest 8191".
func describe(k shapeKind, sizes []int) string {
	total, largest := 0, 0
	for _, n := range sizes {
		total += n
		largest = max(largest, n)
	}
	return fmt.Sprintf("%s %d fr %s, largest %d", k, len(sizes), kib(total), largest)
}

func kib(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}
