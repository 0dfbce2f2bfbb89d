package socket

// The datagram transports linked into the library: each registers its scheme at init.
import (
	_ "github.com/purezmq/zmq/internal/transport/norm"
)
