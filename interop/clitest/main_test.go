// Package clitest drives the zmq binary as a user would, against python3-zmq peers (libzmq
// 4.3.4): it builds cmd/zmq once, runs it as a subprocess and checks its output, exit status
// and what the peers received.
package clitest

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purezmq/zmq/interop/internal/proctest"
)

// zmqBin is the built zmq binary.
var zmqBin string

func TestMain(m *testing.M) {
	proctest.Main(m, func(dir string) { zmqBin = filepath.Join(dir, "zmq") }, filepath.Join("..", ".."), "./cmd/zmq")
}

// result is a finished run of the zmq binary.
type result struct {
	stdout, stderr []byte
	code           int // exit status; -1 if it was killed
}

// runZmq runs the zmq binary with args and stdin to its end (at most proctest.Timeout).
func runZmq(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), proctest.Timeout)
	defer cancel()
	r := proctest.Run(t, exec.CommandContext(ctx, zmqBin, args...), stdin)
	return result{stdout: r.Stdout, stderr: r.Stderr, code: r.Code}
}

// startZmq starts the zmq binary with args; its stdout arrives line by line.
func startZmq(t *testing.T, args ...string) *proctest.Proc {
	t.Helper()
	return proctest.Start(t, zmqBin, args...)
}

// ipcEndpoint is a fresh ipc endpoint in the test's temporary directory.
func ipcEndpoint(t *testing.T, name string) string { return proctest.IPCEndpoint(t.TempDir(), name) }

// trimLines splits output into its lines, without the last newline.
func trimLines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
