// Package interop proves that purezmq speaks the same wire protocol as the real libzmq 4.3
// (through the cgo binding github.com/pebbe/zmq4, which links Debian's libzmq3-dev) and as
// python3-zmq. It holds tests only: every socket pair in both bind directions over tcp and ipc,
// message shapes up to 1 MiB, long ordered streams, a libzmq peer restarted under a connected
// purezmq socket, and socket-type mismatches.
//
// It is a module of its own so that the test-only cgo dependency never reaches the library's
// go.mod. Run it with
//
//	cd interop && go test -race ./...
package interop
