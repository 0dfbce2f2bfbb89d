package zmq

// Version returns the libzmq version whose behaviour this package matches, as zmq_version:
// 4.3.4, the release its interop tests run against (ZMTP 3.1, the socket types, options and
// errors of that release). It is not this module's own version.
func Version() (major, minor, patch int) { return 4, 3, 4 }
