package rabbittest

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// Main is a test package's TestMain with one private broker for all its tests: it starts
// the broker (use gets nil when rabbitmq-server is not installed: the tests skip, saying so),
// runs the tests, stops the broker and its epmd, checks that no goroutine is left, and exits
// with the tests' status.
func Main(m *testing.M, use func(*Broker)) {
	os.Exit(RunTests(m, use))
}

// RunTests is Main without the exit: it returns the status, for a TestMain with more to undo.
func RunTests(m *testing.M, use func(*Broker)) int {
	dir, err := os.MkdirTemp("", "rabbittest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	b, err := Run(dir)
	switch {
	case errors.Is(err, ErrNotInstalled):
		b = nil
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	use(b)
	code := func() int {
		if b != nil {
			defer b.Stop()
		}
		return m.Run()
	}()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	return code
}
