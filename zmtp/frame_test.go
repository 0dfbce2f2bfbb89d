package zmtp

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"testing"
)

func TestAppendFrameHeader(t *testing.T) {
	tests := []struct {
		name  string
		flags byte
		size  int64 // int64 so the table compiles where int is 32 bits
		want  []byte
	}{
		{"empty", 0, 0, []byte{0x00, 0x00}},
		{"more", FlagMore, 1, []byte{0x01, 0x01}},
		{"short255", 0, 255, []byte{0x00, 0xFF}},
		{"long256", 0, 256, []byte{0x02, 0, 0, 0, 0, 0, 0, 0x01, 0x00}},
		{"long256More", FlagMore, 256, []byte{0x03, 0, 0, 0, 0, 0, 0, 0x01, 0x00}},
		{"command", FlagCommand, 10, []byte{0x04, 0x0A}},
		{"commandLong", FlagCommand, 300, []byte{0x06, 0, 0, 0, 0, 0, 0, 0x01, 0x2C}},
		{"commandDropsMore", FlagCommand | FlagMore, 5, []byte{0x04, 0x05}},
		{"longFlagIgnored", FlagLong, 5, []byte{0x00, 0x05}},
		{"reservedDropped", 0xF8 | FlagMore, 5, []byte{0x01, 0x05}},
		{"negativeSize", 0, -1, []byte{0x00, 0x00}},
		{"fourGiB", FlagMore, 1 << 32, []byte{0x03, 0, 0, 0, 0x01, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.size > math.MaxInt32 && strconv.IntSize < 64 {
				t.Skip("size does not fit in int")
			}
			got := AppendFrameHeader([]byte{0xEE}, tt.flags, int(tt.size))
			if want := append([]byte{0xEE}, tt.want...); !bytes.Equal(got, want) {
				t.Errorf("got % x, want % x", got, want)
			}
		})
	}
}

func TestAppendFrame(t *testing.T) {
	body := bytes.Repeat([]byte{'x'}, 256)
	tests := []struct {
		name  string
		flags byte
		body  []byte
		want  []byte
	}{
		{"nil", 0, nil, []byte{0x00, 0x00}},
		{"hello", FlagMore, []byte("hello"), []byte("\x01\x05hello")},
		{"long", 0, body, append([]byte{0x02, 0, 0, 0, 0, 0, 0, 1, 0}, body...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendFrame([]byte("pre"), tt.flags, tt.body)
			if want := append([]byte("pre"), tt.want...); !bytes.Equal(got, want) {
				t.Errorf("got % x, want % x", got, want)
			}
		})
	}
}

func TestParseFrameHeader(t *testing.T) {
	long := func(flags byte, size uint64) []byte {
		b := []byte{flags, 0, 0, 0, 0, 0, 0, 0, 0}
		for i := 8; i >= 1; i-- {
			b[i] = byte(size)
			size >>= 8
		}
		return b
	}
	tests := []struct {
		name      string
		in        []byte
		maxSize   int64
		wantFlags byte
		wantSize  int64 // int64 so the table compiles where int is 32 bits
		wantN     int
		wantErr   error
		only64    bool
	}{
		{"empty", nil, -1, 0, 0, 0, ErrNeedMore, false},
		{"flagsOnly", []byte{0x00}, -1, 0, 0, 0, ErrNeedMore, false},
		{"longPartial", []byte{0x02, 0, 0, 0, 0, 0, 0, 1}, -1, 0, 0, 0, ErrNeedMore, false},
		{"short", []byte{0x00, 0x05, 'h', 'e'}, -1, 0, 5, 2, nil, false},
		{"shortMore", []byte{0x01, 0x00}, -1, FlagMore, 0, 2, nil, false},
		{"short255", []byte{0x00, 0xFF}, 255, 0, 255, 2, nil, false},
		{"command", []byte{0x04, 0x06}, -1, FlagCommand, 6, 2, nil, false},
		{"long256", long(0x02, 256), -1, 0, 256, 9, nil, false},
		{"longMore", long(0x03, 1000), -1, FlagMore, 1000, 9, nil, false},
		{"longCommand", long(0x06, 300), -1, FlagCommand, 300, 9, nil, false},
		{"longSmallSize", long(0x02, 5), -1, 0, 5, 9, nil, false},
		{"longZero", long(0x02, 0), -1, 0, 0, 9, nil, false},
		{"trailingIgnored", append(long(0x02, 256), 1, 2, 3), -1, 0, 256, 9, nil, false},

		{"reservedBit3", []byte{0x08}, -1, 0, 0, 0, ErrMalformed, false},
		{"reservedBit7", []byte{0x80, 0x00}, -1, 0, 0, 0, ErrMalformed, false},
		{"reservedAll", []byte{0xFF, 0x00}, -1, 0, 0, 0, ErrMalformed, false},
		{"commandMore", []byte{0x05}, -1, 0, 0, 0, ErrMalformed, false},
		{"commandMoreLong", long(0x07, 300), -1, 0, 0, 0, ErrMalformed, false},

		{"maxZeroOK", []byte{0x00, 0x00}, 0, 0, 0, 2, nil, false},
		{"maxZero", []byte{0x00, 0x01}, 0, 0, 0, 0, ErrMsgTooLarge, false},
		{"max255Exceeded", long(0x02, 256), 255, 0, 0, 0, ErrMsgTooLarge, false},
		{"maxExact", long(0x02, 1<<20), 1 << 20, 0, 1 << 20, 9, nil, false},
		{"maxPlusOne", long(0x02, 1<<20+1), 1 << 20, 0, 0, 0, ErrMsgTooLarge, false},
		{"shortOverMax", []byte{0x00, 0x10}, 15, 0, 0, 0, ErrMsgTooLarge, false},
		{"limit62", long(0x02, 1<<62), -1, 0, 1 << 62, 9, nil, true},
		{"above62", long(0x02, 1<<62+1), -1, 0, 0, 0, ErrMsgTooLarge, false},
		{"above62HugeMax", long(0x02, 1<<62+1), math.MaxInt64, 0, 0, 0, ErrMsgTooLarge, false},
		{"top bit", long(0x02, 1<<63), -1, 0, 0, 0, ErrMsgTooLarge, false},
		{"allOnes", long(0x02, math.MaxUint64), -1, 0, 0, 0, ErrMsgTooLarge, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.only64 && strconv.IntSize < 64 {
				t.Skip("needs 64-bit int")
			}
			flags, size, n, err := ParseFrameHeader(tt.in, tt.maxSize)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if flags != tt.wantFlags || int64(size) != tt.wantSize || n != tt.wantN {
				t.Errorf("got flags %#x size %d n %d, want %#x %d %d",
					flags, size, n, tt.wantFlags, tt.wantSize, tt.wantN)
			}
		})
	}
}

func TestFrameRoundTrip(t *testing.T) {
	for _, size := range []int{0, 1, 254, 255, 256, 257, 65535, 65536, 1 << 24} {
		for _, flags := range []byte{0, FlagMore, FlagCommand} {
			h := AppendFrameHeader(nil, flags, size)
			wantN := 2
			if size > MaxShortSize {
				wantN = 9
			}
			gotFlags, gotSize, n, err := ParseFrameHeader(h, -1)
			if err != nil || gotFlags != flags || gotSize != size || n != wantN || n != len(h) {
				t.Errorf("size %d flags %#x: got %#x %d %d %v", size, flags, gotFlags, gotSize, n, err)
			}
		}
	}
}

func TestFrameNoAlloc(t *testing.T) {
	buf := make([]byte, 0, 1024)
	body := make([]byte, 300)
	allocs := testing.AllocsPerRun(100, func() {
		b := AppendFrame(buf[:0], FlagMore, body)
		if _, _, _, err := ParseFrameHeader(b, -1); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := ParseFrameHeader(b[:3], -1); err != ErrNeedMore {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("AppendFrame+ParseFrameHeader allocate %v times", allocs)
	}
}

func BenchmarkAppendFrame(b *testing.B) {
	for _, size := range []int{16, 1024} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			body := make([]byte, size)
			buf := make([]byte, 0, size+16)
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				buf = AppendFrame(buf[:0], FlagMore, body)
			}
		})
	}
}

func BenchmarkParseFrameHeader(b *testing.B) {
	for _, size := range []int{16, 1024} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			h := AppendFrameHeader(nil, FlagMore, size)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := ParseFrameHeader(h, 1<<20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func FuzzFrameHeader(f *testing.F) {
	f.Add(AppendFrameHeader(nil, 0, 0), int64(-1))
	f.Add(AppendFrameHeader(nil, FlagMore, 255), int64(255))
	f.Add(AppendFrameHeader(nil, FlagMore, 256), int64(255))
	f.Add(AppendFrameHeader(nil, FlagCommand, 1<<20), int64(-1))
	f.Add([]byte{0x02, 0, 0, 0, 0, 0, 0, 0, 5}, int64(-1))
	f.Add([]byte{0x05, 0x01}, int64(-1))
	f.Add([]byte{0x02, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, data []byte, maxSize int64) {
		flags, size, n, err := ParseFrameHeader(data, maxSize)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			if flags != 0 || size != 0 || n != 0 {
				t.Fatalf("non-zero results with error: %#x %d %d", flags, size, n)
			}
			return
		}
		if n != 2 && n != 9 || n > len(data) {
			t.Fatalf("n = %d for %d input bytes", n, len(data))
		}
		if flags&^(FlagMore|FlagCommand) != 0 || flags == FlagMore|FlagCommand {
			t.Fatalf("invalid flags %#x returned", flags)
		}
		if size < 0 || int64(size) > 1<<62 || maxSize >= 0 && int64(size) > maxSize {
			t.Fatalf("size %d outside limits (max %d)", size, maxSize)
		}
		enc := AppendFrameHeader(nil, flags, size)
		if (n == 2 || size > MaxShortSize) && !bytes.Equal(enc, data[:n]) {
			t.Fatalf("canonical header re-encoded as % x, was % x", enc, data[:n])
		}
		flags2, size2, n2, err := ParseFrameHeader(enc, maxSize)
		if err != nil || flags2 != flags || size2 != size || n2 != len(enc) {
			t.Fatalf("round trip: %#x %d %d %v, want %#x %d %d", flags2, size2, n2, err, flags, size, len(enc))
		}
	})
}
