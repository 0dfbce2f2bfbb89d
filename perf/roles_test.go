package perf

import (
	"bytes"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	pat := Pattern(300)
	if pat[0] != 0 || pat[250] != 250 || pat[251] != 0 || pat[299] != 48 {
		t.Fatalf("pattern %v…", pat[:8])
	}
	bad := bytes.Clone(pat)
	bad[150] ^= 1
	for _, tc := range []struct {
		name string
		b    []byte
		full bool
		want string // "" for no error
	}{
		{"good", pat, true, ""},
		{"short", pat[:299], false, "has 299 bytes, want 300"},
		{"middle byte, cheap check", bad, false, ""},
		{"middle byte, full check", bad, true, "corrupted"},
		{"empty", nil, true, "has 0 bytes"},
	} {
		err := check(tc.b, pat, 7, tc.full)
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := check(nil, nil, 0, true); err != nil {
		t.Errorf("empty message of size 0: %v", err)
	}
}
