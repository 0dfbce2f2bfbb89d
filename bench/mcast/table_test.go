package mcast

import (
	"bytes"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	cells := []Cell{
		{Transport: "epgm", Size: 100, Rate: 1000, Runs: map[string][]Run{
			"libzmq": {{MsgsPerS: 100, Sent: 10, Received: 10, PubCPU: 1, SubCPU: 0.5}, {MsgsPerS: 300, Sent: 10, Received: 10, PubCPU: 3, SubCPU: 0.7},
				{MsgsPerS: 200, Sent: 10, Received: 10, PubCPU: 2, SubCPU: 0.6}},
			"purezmq": {{MsgsPerS: 150, Sent: 10, Received: 9, PubCPU: 0.9, SubCPU: 0.4}, {MsgsPerS: 250, Sent: 10, Received: 10, PubCPU: 1.1, SubCPU: 0.5},
				{Err: "timeout\nwaiting", PubCPU: 99}},
			"purezmq→libzmq": {{MsgsPerS: 120, Sent: 10, Received: 10}},
		}},
		{Transport: "norm", Size: 8192, Rate: 1000, Runs: map[string][]Run{
			"libzmq":  {{Err: "stalled"}},
			"purezmq": {{MsgsPerS: 50, Sent: 4, Received: 4}},
		}},
	}
	var b bytes.Buffer
	Table(&b, cells)
	for _, want := range []string{
		"| purezmq/libzmq | delivered libzmq | delivered purezmq | PUB CPU µs/msg libzmq / purezmq | SUB CPU µs/msg libzmq / purezmq | purezmq→libzmq msg/s |\n",
		"| epgm | 100 B | 1000 | 200 | 200 | 1.00× | 100.0 % | 95.0 % | 2 / 1 | 0.6 / 0.45 | 120 |\n",
		"| norm | 8192 B | 1000 | failed | 50 | – | – | 100.0 % | – / – | – / – | failed |\n",
		"- epgm 100 B purezmq: timeout waiting",
		"- norm 8192 B libzmq: stalled",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestCheck(t *testing.T) {
	pat := pattern(300)
	bad := bytes.Clone(pat)
	bad[150]++
	tests := []struct {
		name string
		f    []byte
		i    int64
		ok   bool
	}{
		{"whole", pat, 0, true},
		{"short", pat[:299], 1, false},
		{"middle byte, checked", bad, 1024, false},
		{"middle byte, not checked", bad, 1, true},
		{"last byte", append(bytes.Clone(pat[:299]), 0), 1, false},
	}
	for _, tt := range tests {
		if err := check(tt.f, pat, tt.i); (err == nil) != tt.ok {
			t.Errorf("%s: check = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
