// Package trust_test holds purezmq's trust suites: tests that drive the public API through the
// states ordinary tests never reach and check every byte that arrives. Today it holds the
// randomised stream checker (stream_test.go); the fault-injection and live-socket fuzz suites
// are to join it.
package trust_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a session leaves a goroutine behind: every socket, poller,
// monitor and side a session starts must be gone when it ends.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
