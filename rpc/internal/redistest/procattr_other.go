//go:build !linux

package redistest

import "os/exec"

// dieWithParent has no portable counterpart of Linux's Pdeathsig: cleanup alone stops the server.
func dieWithParent(*exec.Cmd) {}
