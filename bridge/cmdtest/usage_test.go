package cmdtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBridgeUsage: a configuration that cannot work is exit status 2 with one line on stderr,
// before anything is opened; --check says a good one is good and exits 0.
func TestBridgeUsage(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, good, `brokers: {r: {protocol: amqp091, url: "amqp://guest:guest@127.0.0.1:1/"}}
routes: [{name: a, direction: to-broker, broker: r, address: queue/q, socket: {type: PULL, bind: ["ipc://`+dir+`/a"]}}]
`)
	writeFile(t, bad, `routes: [{name: a, direction: to-broker, broker: r, address: queue/q, socket: {type: PUSH, bind: [x]}}]
`)
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"bridge", "--config", good, "--check"}, 0, "route a: to-broker PULL"},
		{[]string{"bridge", "--config", bad}, 2, "broker \"r\" is not among the brokers"},
		{[]string{"bridge", "--config", filepath.Join(dir, "missing.yaml")}, 2, "bridge configuration"},
		{[]string{"bridge"}, 2, "--config"},
	}
	for _, tc := range cases {
		cmd := exec.Command(zmqBin, tc.args...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || !strings.Contains(string(out), tc.stderr) {
			t.Errorf("zmq %q: exit %d, output %q; want %d mentioning %q", tc.args, code, out, tc.code, tc.stderr)
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
