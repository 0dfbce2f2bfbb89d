package peer

import (
	"bytes"
	"encoding/json"
	"testing"
)

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
		{"-role", HsReq, "-endpoint", "tcp://127.0.0.1:1", "-mode", "bind"},
	} {
		var out, errOut bytes.Buffer
		if err := Main(args, nil, &out, &errOut); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
