package compare

import "syscall"

// limitMemory caps the address space of this process and so of every peer it starts, so that an
// implementation that believes a bogus frame length (go-zeromq allocates whatever a peer
// declares) fails at once instead of taking the machine's memory.
func limitMemory(bytes uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		return err
	}
	if lim.Cur != ^uint64(0) && lim.Cur <= bytes {
		return nil
	}
	lim.Cur = bytes
	return syscall.Setrlimit(syscall.RLIMIT_AS, &lim)
}
