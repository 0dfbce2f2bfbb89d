package zmq_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: every socket a test opens
// must stop all of its connection, accept and reconnect goroutines when it is closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
