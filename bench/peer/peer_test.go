package peer

import (
	"bytes"
	"encoding/json"
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

// Both ends in one process with purezmq: the result line has what the driver reads.
func TestRunInproc(t *testing.T) {
	for _, tc := range []struct {
		role, field string
	}{
		{ThrInproc, "msgs_per_s"},
		{LatInproc, "latency_us"},
	} {
		var out, errOut bytes.Buffer
		err := Main([]string{"-impl", "purezmq", "-role", tc.role, "-endpoint", "inproc://t-" + tc.role, "-size", "100", "-count", "500"}, nil, &out, &errOut)
		if err != nil {
			t.Fatalf("%s: %v (%s)", tc.role, err, errOut.String())
		}
		var res map[string]any
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatalf("%s: result %q: %v", tc.role, out.String(), err)
		}
		if v, _ := res[tc.field].(float64); v <= 0 || res["size"] != 100.0 || res["count"] != 500.0 || res["impl"] != "purezmq" {
			t.Errorf("%s: result %v", tc.role, res)
		}
	}
}

func TestMainRejects(t *testing.T) {
	for _, args := range [][]string{
		{"-impl", "zeromq", "-role", ThrInproc, "-endpoint", "inproc://x"},
		{"-role", "thr_both", "-endpoint", "inproc://x"},
		{"-role", ThrInproc},
		{"-role", ThrInproc, "-endpoint", "inproc://x", "-count", "1"},
		{"-role", ThrRecv, "-endpoint", "inproc://x", "-mode", "listen"},
	} {
		var out, errOut bytes.Buffer
		if err := Main(args, nil, &out, &errOut); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
