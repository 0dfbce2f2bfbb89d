package main

import (
	"bytes"
	"testing"
)

// TestParseKV: a kvmsg survives its frames, and malformed frames are errors, not panics.
func TestParseKV(t *testing.T) {
	good := kvmsg{key: "key-1", seq: 1<<40 + 7, value: []byte("v")}
	for _, tc := range []struct {
		name   string
		frames [][]byte
		ok     bool
	}{
		{"round trip", good.frames(), true},
		{"empty value", kvmsg{key: "k", seq: 1}.frames(), true},
		{"two frames", good.frames()[:2], false},
		{"four frames", append(good.frames(), nil), false},
		{"short sequence", [][]byte{[]byte("k"), {0, 1}, nil}, false},
		{"no frames", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseKV(tc.frames)
			if (err == nil) != tc.ok {
				t.Fatalf("parseKV: %v, want ok %v", err, tc.ok)
			}
			if tc.ok && (got.key != string(tc.frames[0]) || !bytes.Equal(got.value, tc.frames[2]) ||
				!bytes.Equal(got.frames()[1], tc.frames[1])) {
				t.Fatalf("parseKV = %+v, from %q", got, tc.frames)
			}
		})
	}
}
