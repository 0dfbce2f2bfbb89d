package trust_test

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// codec is a family of data messages (message_test.go) whose shapes follow from (stream, seq)
// too, so that a receiver checks whatever arrives, knowing only the codec: a truncated, merged,
// altered or stale message cannot pass. The stream checker, which knows what each stream sends
// next, checks with checkData directly; the fault scenarios and the soak, whose receivers take
// what comes across connections that break, use check.
type codec struct {
	seed  uint64
	sizes func(stream int, seq int64) []int
}

// msg builds data message seq of stream, header first.
func (c codec) msg(stream int, seq int64) [][]byte {
	return message(c.seed, stream, seq, c.sizes(stream, seq))
}

var errBadMessage = errors.New("not the message it claims to be")

// check says which message frames claims to be (its header), and what is wrong with it unless
// it is that message byte for byte.
func (c codec) check(frames [][]byte) (header, error) {
	if len(frames) == 0 {
		return header{}, fmt.Errorf("%w: no frames", errBadMessage)
	}
	h, err := parseHeader(frames[0])
	if err != nil {
		return h, fmt.Errorf("%w: a message of %d frames (sizes %s): %w", errBadMessage, len(frames), frameSizes(frames, 12), err)
	}
	if h.kind != kindData {
		return h, fmt.Errorf("%w: a %v message (stream %d seq %d)", errBadMessage, h.kind, h.stream, h.seq)
	}
	if bad := checkData(c.seed, h.stream, h, c.sizes(h.stream, h.seq), frames[1:]); bad != "" {
		return h, fmt.Errorf("%w: stream %d seq %d: %s", errBadMessage, h.stream, h.seq, bad)
	}
	return h, nil
}

// bounded is a codec whose messages have 1 to frames data frames of 0 to size bytes each.
func bounded(seed uint64, frames, size int) codec {
	return codec{seed: seed, sizes: func(stream int, seq int64) []int {
		r := rand.New(rand.NewPCG(frameKey(seed, stream, seq, 1<<21), 0xb0a4ded))
		sizes := make([]int, 1+r.IntN(frames))
		for i := range sizes {
			sizes[i] = r.IntN(size + 1)
		}
		return sizes
	}}
}

// profiled is a codec with the stream checker's shapes (stream_shape_test.go), weighed by p.
func profiled(seed uint64, p profile) codec {
	return codec{seed: seed, sizes: func(stream int, seq int64) []int {
		_, sizes := shapeOf(p, seed, stream, seq)
		return sizes
	}}
}

// checkData compares a message's data frames with what was sent; "" when they are the same,
// else every way they differ, the first differing frame in detail.
func checkData(seed uint64, stream int, h header, sizes []int, data [][]byte) string {
	var bad []string
	if !slices.Equal(h.sizes, sizes) {
		bad = append(bad, fmt.Sprintf("its header lists frame sizes %v, not the %v sent", h.sizes, sizes))
	}
	if len(data) != len(sizes) {
		bad = append(bad, fmt.Sprintf("%d data frames arrived (sizes %v), %d were sent", len(data), frameSizes(data, 12), len(sizes)))
	}
	wrong, detail := 0, ""
	for i := range min(len(data), len(sizes)) {
		f := data[i]
		d := firstDiff(f[:min(len(f), sizes[i])], frameKey(seed, stream, h.seq, i))
		if d < 0 && len(f) == sizes[i] {
			continue
		}
		wrong++
		if detail != "" {
			continue
		}
		detail = fmt.Sprintf("data frame %d of %d (%d bytes sent, %d arrived)", i, len(sizes), sizes[i], len(f))
		if d >= 0 {
			n := min(16, len(f)-d)
			detail += fmt.Sprintf(": first wrong byte at offset %d: got % x, want % x", d,
				f[d:d+n], expected(frameKey(seed, stream, h.seq, i), d, min(n, sizes[i]-d)))
		}
	}
	if wrong > 0 {
		bad = append(bad, fmt.Sprintf("%d data frames differ from what was sent; the first is %s", wrong, detail))
	}
	sum := uint32(0)
	for _, f := range data {
		sum = crc32.Update(sum, castagnoli, f)
	}
	if sum != h.sum {
		bad = append(bad, fmt.Sprintf("CRC-32C of the data %08x, the header says %08x", sum, h.sum))
	}
	return strings.Join(bad, ";\n    ")
}

// frameSizes lists the sizes of up to n frames, for reports.
func frameSizes(frames [][]byte, n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i, f := range frames {
		if i == n {
			fmt.Fprintf(&b, " … %d more", len(frames)-n)
			break
		}
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%d", len(f))
	}
	b.WriteString("]")
	return b.String()
}

// TestCodecSeesDamage: check refuses every message that is not, byte for byte, the one its
// header names, and names the one it claims to be.
func TestCodecSeesDamage(t *testing.T) {
	c := bounded(7, 4, 300)
	var seq int64 // a message of several non-empty data frames
	for len(c.sizes(2, seq)) < 3 || slices.Min(c.sizes(2, seq)) == 0 {
		seq++
	}
	cases := []struct {
		name   string
		damage func(m [][]byte) [][]byte
		ok     bool
	}{
		{"intact", func(m [][]byte) [][]byte { return m }, true},
		{"no frames", func([][]byte) [][]byte { return nil }, false},
		{"header alone", func(m [][]byte) [][]byte { return m[:1] }, false},
		{"last frame missing", func(m [][]byte) [][]byte { return m[:len(m)-1] }, false},
		{"a frame too many", func(m [][]byte) [][]byte { return append(m, []byte("x")) }, false},
		{"a data byte", func(m [][]byte) [][]byte { m[2][0] ^= 0x40; return m }, false},
		{"a header byte", func(m [][]byte) [][]byte { m[0][9] ^= 1; return m }, false},
		{"a frame cut short", func(m [][]byte) [][]byte { m[1] = m[1][:len(m[1])-1]; return m }, false},
		{"data of the next seq", func(m [][]byte) [][]byte { return append(m[:1], c.msg(2, seq+1)[1:]...) }, false},
		{"data alone", func(m [][]byte) [][]byte { return m[1:] }, false},
		{"a probe", func([][]byte) [][]byte { return control(kindProbe, 2, seq) }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := c.check(tc.damage(c.msg(2, seq)))
			if tc.ok {
				if err != nil || h.stream != 2 || h.seq != seq {
					t.Fatalf("intact message: stream %d seq %d, %v", h.stream, h.seq, err)
				}
				return
			}
			if !errors.Is(err, errBadMessage) {
				t.Fatalf("damaged message passed: stream %d seq %d, %v", h.stream, h.seq, err)
			}
		})
	}
}
