package trust_test

import (
	"strings"
	"testing"
)

// TestCheckerSeesDamage: the verifier itself, on messages damaged by hand; each damage must be
// reported, and where it can be, with the frame and byte it is at.
func TestCheckerSeesDamage(t *testing.T) {
	const seed, stream, seq = 42, 3, 7
	sizes := []int{0, 1, 4097, 8192, 33}
	cases := []struct {
		name   string
		damage func(f [][]byte) [][]byte
		want   []string // in the report
	}{
		{"intact", func(f [][]byte) [][]byte { return f }, nil},
		{"one byte", func(f [][]byte) [][]byte { f[3][1234] ^= 1; return f },
			[]string{"data frame 2 of 5", "offset 1234", "CRC-32C"}},
		{"last byte", func(f [][]byte) [][]byte { f[5][32]++; return f }, []string{"data frame 4 of 5", "offset 32"}},
		{"frame cut short", func(f [][]byte) [][]byte { f[4] = f[4][:100]; return f },
			[]string{"data frame 3 of 5 (8192 bytes sent, 100 arrived)"}},
		{"frames swapped", func(f [][]byte) [][]byte { f[1], f[2] = f[2], f[1]; return f },
			[]string{"data frame 0 of 5 (0 bytes sent, 1 arrived)"}},
		{"frame missing", func(f [][]byte) [][]byte { return f[:5] }, []string{"4 data frames arrived", "5 were sent"}},
		{"bytes repeated", func(f [][]byte) [][]byte { copy(f[3][2000:], f[3][:2000]); return f },
			[]string{"data frame 2 of 5", "offset 2000"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			frames := tc.damage(message(seed, stream, seq, sizes))
			h, err := parseHeader(frames[0])
			if err != nil {
				t.Fatal(err)
			}
			bad := checkData(seed, stream, h, sizes, frames[1:])
			if tc.want == nil && bad != "" {
				t.Fatalf("intact message reported: %s", bad)
			}
			for _, w := range tc.want {
				if !strings.Contains(bad, w) {
					t.Errorf("report %q lacks %q", bad, w)
				}
			}
		})
	}
	// A header is checked by its own CRC.
	hdr := message(seed, stream, seq, sizes)[0]
	for i := range hdr {
		b := append([]byte(nil), hdr...)
		b[i] ^= 0x10
		if _, err := parseHeader(b); err == nil {
			t.Errorf("header with byte %d changed parsed", i)
		}
	}
}
