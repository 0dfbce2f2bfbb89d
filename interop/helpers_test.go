package interop

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain checks for leaked goroutines after every test ran. pebbe/zmq4 starts one goroutine of
// its own, libzmq's ZAP handler (see withLibAuth), which is stopped first; nothing else needs
// ignoring: every goroutine left behind is a purezmq leak or a test's.
func TestMain(m *testing.M) {
	code := m.Run()
	stopLibAuth()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: errors on successful test run: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

const (
	// ioTimeout bounds every single send or receive: generous, since it only matters when
	// something is broken, and then the test fails instead of hanging.
	ioTimeout = 10 * time.Second
	// closeTimeout bounds every Close and context termination.
	closeTimeout = 5 * time.Second
	// quiet is how long a receive must stay empty to count as "nothing delivered". It is used
	// only after an event proved that whatever could be delivered would have been.
	quiet = 200 * time.Millisecond
)

// transports are the wire transports libzmq and purezmq share.
var transports = []string{"tcp", "ipc"}

// bindAddr returns an endpoint to bind on transport: an ephemeral loopback port for tcp (the
// binder's last endpoint says which), a fresh socket file for ipc.
func bindAddr(t *testing.T, transport string) string {
	t.Helper()
	switch transport {
	case "tcp":
		return "tcp://127.0.0.1:*"
	case "ipc":
		// Not t.TempDir: long test names would push the path towards the 107-byte limit.
		dir, err := os.MkdirTemp("", "zi-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		return "ipc://" + filepath.Join(dir, "s")
	}
	t.Fatalf("unknown transport %q", transport)
	return ""
}

// within runs f and fails the test if it takes longer than d, so a hanging Close is reported
// by name instead of as the whole run's timeout.
func within(t *testing.T, what string, d time.Duration, f func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	case <-timer.C:
		t.Errorf("%s did not return within %v", what, d)
	}
}

// checkFrames fails the test unless got is exactly want, describing the first difference.
func checkFrames(t *testing.T, what string, got, want [][]byte) {
	t.Helper()
	if d := diffFrames(got, want); d != "" {
		t.Fatalf("%s: %s", what, d)
	}
}

// diffFrames describes the first difference between two messages, or returns "".
func diffFrames(got, want [][]byte) string {
	if len(got) != len(want) {
		return fmt.Sprintf("got %d frames %s, want %d frames %s", len(got), sizes(got), len(want), sizes(want))
	}
	for i := range want {
		if bytes.Equal(got[i], want[i]) {
			continue
		}
		if len(got[i]) != len(want[i]) {
			return fmt.Sprintf("frame %d: got %d bytes, want %d", i, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				return fmt.Sprintf("frame %d (%d bytes): byte %d is %#x, want %#x", i, len(want[i]), j, got[i][j], want[i][j])
			}
		}
	}
	return ""
}

func sizes(m [][]byte) string {
	s := make([]int, len(m))
	for i, f := range m {
		s[i] = len(f)
	}
	return fmt.Sprint(s)
}

// prepend returns a new message of head followed by m's frames.
func prepend(m [][]byte, head ...[]byte) [][]byte {
	out := make([][]byte, 0, len(head)+len(m))
	return append(append(out, head...), m...)
}

// clone deep-copies a message, so a frame handed to a library that takes ownership is never the
// one a test later compares against.
// contextIO returns a context bounded by ioTimeout.
func contextIO() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), ioTimeout)
}

func clone(m [][]byte) [][]byte {
	out := make([][]byte, len(m))
	for i, f := range m {
		out[i] = bytes.Clone(f)
		if out[i] == nil {
			out[i] = []byte{}
		}
	}
	return out
}
