package proctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
