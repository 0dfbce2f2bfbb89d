package bridge

import (
	"slices"
	"testing"
)

// TestSplitEnvelope: the envelope is the routing id and, when there is an empty frame, all
// up to and including the first one.
func TestSplitEnvelope(t *testing.T) {
	tests := []struct {
		in, env, body []string
	}{
		{[]string{"id", "s", "b"}, []string{"id"}, []string{"s", "b"}},
		{[]string{"id", "", "s", "b"}, []string{"id", ""}, []string{"s", "b"}},
		{[]string{"id", "hop", "", "s", "", "b"}, []string{"id", "hop", ""}, []string{"s", "", "b"}},
		{[]string{"id", ""}, []string{"id", ""}, nil},
		{[]string{"id"}, []string{"id"}, nil},
	}
	for _, tt := range tests {
		env, body := splitEnvelope(bytes(tt.in))
		if !slices.Equal(strs(env), tt.env) || !slices.Equal(strs(body), tt.body) {
			t.Errorf("%q: envelope %q body %q, want %q %q", tt.in, strs(env), strs(body), tt.env, tt.body)
		}
		if cap(env) != len(env) {
			t.Errorf("%q: the envelope shares its array with the body: an answer appended to it would overwrite", tt.in)
		}
	}
}

func bytes(s []string) [][]byte {
	var b [][]byte
	for _, x := range s {
		b = append(b, []byte(x))
	}
	return b
}

func strs(b [][]byte) []string {
	var s []string
	for _, x := range b {
		s = append(s, string(x))
	}
	return s
}
