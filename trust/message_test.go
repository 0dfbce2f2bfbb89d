package trust_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Every message the trust suites send (the stream checker's, the fault scenarios', the soak's)
// is a header frame followed by data frames. The header names the stream and sequence number and
// repeats the shape; each data frame's content is a function of (seed, stream, seq, frame
// index), so the receiver regenerates what it should have got and can say which byte differs.
//
// Header layout, little-endian: "TRST" kind:1 stream:4 seq:8 n:2 size:4×n crc:4 hcrc:4, where
// crc is CRC-32C of the data frames in order and hcrc that of the header bytes before it.

const magic = "TRST"

type kind uint8

const (
	kindData  kind = iota
	kindProbe      // lossy streams: sent until the receiver sees one, so data is not dropped for want of a subscription
	kindFin        // lossy streams: no more data follows (resent until seen: PUB may drop it too)
)

func (k kind) String() string {
	switch k {
	case kindData:
		return "data"
	case kindProbe:
		return "probe"
	case kindFin:
		return "fin"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type header struct {
	kind   kind
	stream int
	seq    int64
	sizes  []int
	sum    uint32
}

func (h header) encode() []byte {
	b := make([]byte, 0, 4+1+4+8+2+4*len(h.sizes)+8)
	b = append(b, magic...)
	b = append(b, byte(h.kind))
	b = binary.LittleEndian.AppendUint32(b, uint32(h.stream))
	b = binary.LittleEndian.AppendUint64(b, uint64(h.seq))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h.sizes)))
	for _, n := range h.sizes {
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	b = binary.LittleEndian.AppendUint32(b, h.sum)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

var errNoHeader = errors.New("not a checker header")

func parseHeader(b []byte) (header, error) {
	var h header
	const fixed = 4 + 1 + 4 + 8 + 2
	if len(b) < fixed+8 || string(b[:4]) != magic {
		return h, fmt.Errorf("%w: %d bytes, starting % x", errNoHeader, len(b), b[:min(len(b), 16)])
	}
	n := int(binary.LittleEndian.Uint16(b[17:]))
	if len(b) != fixed+4*n+8 {
		return h, fmt.Errorf("%w: %d bytes for %d frame sizes", errNoHeader, len(b), n)
	}
	body := b[:len(b)-4]
	if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(b[len(b)-4:]); got != want {
		return h, fmt.Errorf("%w: header CRC %08x, header says %08x", errNoHeader, got, want)
	}
	h.kind = kind(b[4])
	h.stream = int(binary.LittleEndian.Uint32(b[5:]))
	h.seq = int64(binary.LittleEndian.Uint64(b[9:]))
	h.sizes = make([]int, n)
	for i := range h.sizes {
		h.sizes[i] = int(binary.LittleEndian.Uint32(b[fixed+4*i:]))
	}
	h.sum = binary.LittleEndian.Uint32(body[len(body)-4:])
	return h, nil
}

// mix is splitmix64's finaliser: every output bit depends on every input bit.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// frameKey names the content of one data frame.
func frameKey(seed uint64, stream int, seq int64, frame int) uint64 {
	k := mix(seed + 0x9e3779b97f4a7c15)
	k = mix(k ^ uint64(stream))
	k = mix(k ^ uint64(seq))
	return mix(k ^ uint64(frame))
}

// word is the content of bytes [8i, 8i+8) of the frame with key k.
func word(k uint64, i int) uint64 { return mix(k + uint64(i)) }

// fill writes the content of the frame with key k into b.
func fill(b []byte, k uint64) {
	raceWrite(b)
	fillContent(b, k)
}

//go:norace
func fillContent(b []byte, k uint64) {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], word(k, i/8))
	}
	if i < len(b) {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], word(k, i/8))
		copy(b[i:], w[:])
	}
}

// firstDiff returns the first offset at which b is not the content of the frame with key k
// (its first len(b) bytes), or -1.
func firstDiff(b []byte, k uint64) int {
	raceRead(b)
	return diffContent(b, k)
}

//go:norace
func diffContent(b []byte, k uint64) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:]) != word(k, i/8) {
			break
		}
	}
	var w [8]byte
	for ; i < len(b); i++ {
		if i%8 == 0 {
			binary.LittleEndian.PutUint64(w[:], word(k, i/8))
		}
		if b[i] != w[i%8] {
			return i
		}
	}
	return -1
}

// expected returns n bytes of the frame with key k from offset off, for reports.
func expected(k uint64, off, n int) []byte {
	out := make([]byte, n)
	var w [8]byte
	for j := range out {
		i := off + j
		binary.LittleEndian.PutUint64(w[:], word(k, i/8))
		out[j] = w[i%8]
	}
	return out
}

// message builds the frames of data message seq of a stream, header first.
func message(seed uint64, stream int, seq int64, sizes []int) [][]byte {
	frames := make([][]byte, 1, 1+len(sizes))
	sum := uint32(0)
	for i, n := range sizes {
		f := make([]byte, n)
		fill(f, frameKey(seed, stream, seq, i))
		sum = crc32.Update(sum, castagnoli, f)
		frames = append(frames, f)
	}
	frames[0] = header{kind: kindData, stream: stream, seq: seq, sizes: sizes, sum: sum}.encode()
	return frames
}

// control builds a probe or fin of a stream: a header alone.
func control(k kind, stream int, seq int64) [][]byte {
	return [][]byte{header{kind: k, stream: stream, seq: seq}.encode()}
}
