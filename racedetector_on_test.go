//go:build race

package zmq_test

// raceEnabled: the race detector allocates on its own account in the code it instruments, so
// allocation counts under -race bound the library only loosely.
const raceEnabled = true
