// Package trust_test holds purezmq's trust suites: tests that drive the public API through the
// states ordinary tests never reach and check every byte that arrives. The randomised stream
// checker (stream_*_test.go) mixes direct and background I/O with every message shape; the fault
// scenarios (fault_*_test.go) run traffic through internal/faultnet's relay while it cuts,
// resets, blackholes, throttles and corrupts.
package trust_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a session leaves a goroutine behind: every socket, poller,
// monitor and side a session starts must be gone when it ends.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
