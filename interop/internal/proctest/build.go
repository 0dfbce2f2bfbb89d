package proctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// Build builds the main packages pkgs of the module rooted at moduleDir into a new temporary
// directory and returns it (each binary named after its package's folder) with a function that
// removes it. It is for TestMain, before any test runs.
func Build(moduleDir string, pkgs ...string) (dir string, remove func(), err error) {
	dir, err = os.MkdirTemp("", "purezmq-proctest-")
	if err != nil {
		return "", nil, err
	}
	remove = func() { os.RemoveAll(dir) }
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)
	build := exec.Command("go", args...)
	build.Dir = moduleDir
	if out, err := build.CombinedOutput(); err != nil {
		remove()
		return "", nil, fmt.Errorf("go %v: %v\n%s", args, err, out)
	}
	return dir, remove, nil
}

// IPCEndpoint is a fresh ipc endpoint in dir (a test's TempDir).
func IPCEndpoint(dir, name string) string { return "ipc://" + filepath.Join(dir, name) }

// Main is a test package's TestMain that runs its tests against built binaries: it builds
// pkgs of the module at moduleDir (see Build), hands their directory to use, runs the tests
// under goleak's check, removes the binaries and exits with the tests' status.
func Main(m *testing.M, use func(dir string), moduleDir string, pkgs ...string) {
	dir, remove, err := Build(moduleDir, pkgs...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	use(dir)
	code := 0
	defer func() { remove(); os.Exit(code) }()
	goleak.VerifyTestMain(exitCode{&code, m})
}

// exitCode lets Main remove the binaries after goleak has run the tests.
type exitCode struct {
	code *int
	m    *testing.M
}

func (e exitCode) Run() int { *e.code = e.m.Run(); return *e.code }
