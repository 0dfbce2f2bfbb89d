package zmtp

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves a goroutine behind; the codec
// starts none, and this keeps it so.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
