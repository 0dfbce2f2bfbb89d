package clitest

import (
	"strings"
	"testing"
)

// TestExitCodes: help is status 0 on stdout; a command line that cannot be understood is 2 with
// one line on stderr.
func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"--help"}, 0},
		{nil, 0},
		{[]string{"keygen", "--help"}, 0},
		{[]string{"keygen"}, 0},
		{[]string{"nosuchcommand"}, 2},
		{[]string{"bench", "--nosuchflag"}, 2},
		{[]string{"bench", "--sizes", "x"}, 2},
		{[]string{"keygen", "extra"}, 2},
	} {
		r := runZmq(t, nil, tc.args...)
		if r.code != tc.code {
			t.Errorf("zmq %q: exit %d, want %d; stderr %q", tc.args, r.code, tc.code, r.stderr)
		}
		if tc.code == 2 {
			if lines := trimLines(r.stderr); len(lines) != 1 || !strings.HasPrefix(lines[0], "zmq: ") {
				t.Errorf("zmq %q: stderr %q, want one line starting with \"zmq: \"", tc.args, r.stderr)
			}
			if len(r.stdout) != 0 {
				t.Errorf("zmq %q: stdout %q, want nothing", tc.args, r.stdout)
			}
		}
		if tc.code == 0 && len(r.stdout) == 0 {
			t.Errorf("zmq %q printed nothing on stdout", tc.args)
		}
	}
}
