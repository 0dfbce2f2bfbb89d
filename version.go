package zmq

// ModuleVersion is this module's own release, a semantic version (https://semver.org): the
// newest release in CHANGELOG.md, which a test keeps equal to it. It is not the libzmq
// release whose behaviour the package matches; Version reports that.
const ModuleVersion = "0.7.0"

// Version returns the libzmq version whose behaviour this package matches, as zmq_version:
// 4.3.4, the release its interop tests run against (ZMTP 3.1, the socket types, options and
// errors of that release). It is not this module's own version (ModuleVersion).
func Version() (major, minor, patch int) { return 4, 3, 4 }
