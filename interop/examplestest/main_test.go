// Package examplestest runs the guide's examples (../examples) as a user would, built binaries
// in subprocesses, with one side of each two-sided pattern played by a python3-zmq peer
// (libzmq 4.3.4) to show that the Go side interoperates with the same pattern written against
// libzmq. The pure-Go end-to-end test of each example lives beside it in examples/<pattern>.
package examplestest

import (
	"path/filepath"
	"testing"

	"github.com/purezmq/zmq/interop/internal/proctest"
)

// bin is the directory holding every example's binary, each named after its folder.
var bin string

func TestMain(m *testing.M) {
	proctest.Main(m, func(dir string) { bin = dir }, filepath.Join("..", ".."), "./examples/...")
}

// example starts the example named (its folder under examples/) with args.
func example(t *testing.T, name string, args ...string) *proctest.Proc {
	t.Helper()
	return proctest.Start(t, filepath.Join(bin, name), args...)
}

// python starts the python3-zmq peer script testdata/<name>.py with args; it skips without
// python3-zmq.
func python(t *testing.T, name string, args ...string) *proctest.Proc {
	t.Helper()
	proctest.NeedPython(t)
	return proctest.Start(t, proctest.Python, append([]string{filepath.Join("testdata", name+".py")}, args...)...)
}
