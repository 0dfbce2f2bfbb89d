// Package limittest holds the message shapes every decoder's MAXMSGSIZE test feeds it: at
// and over the limit in bytes, in one frame and in several, and in the frames a message may
// have before each counts against the limit too (pipe.FrameCost).
package limittest

// Limit is the MAXMSGSIZE the shapes are made for.
const Limit = 4096

// Shape is a message and whether it fits within Limit.
type Shape struct {
	Name   string
	Frames [][]byte
	Fits   bool
}

// Shapes returns the messages, fresh each call.
func Shapes() []Shape {
	return []Shape{
		{"one frame at the limit", frames(1, Limit), true},
		{"four frames to the limit", frames(4, Limit/4), true},
		{"one frame over", frames(1, Limit+1), false},
		{"three frames each under, over in all", frames(3, Limit/2), false},
		{"64 empty frames", frames(64, 0), true},
		{"63 empty frames and one at the limit", append(frames(63, 0), make([]byte, Limit)), true},
		{"64 empty frames and one at the limit", append(frames(64, 0), make([]byte, Limit)), false},
		{"10,000 empty frames", frames(10_000, 0), false},
	}
}

func frames(n, size int) [][]byte {
	fs := make([][]byte, n)
	for i := range fs {
		fs[i] = make([]byte, size)
	}
	return fs
}
