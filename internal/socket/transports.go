package socket

// The plug-in transports beyond tcp, ipc and inproc, linked in by their registration.
import (
	_ "github.com/purezmq/zmq/internal/transport/norm" // norm://
	_ "github.com/purezmq/zmq/internal/transport/pgm"  // epgm://, pgm://
)
