package redistest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the server die with the test binary, should it crash or be killed before
// its cleanup runs.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
