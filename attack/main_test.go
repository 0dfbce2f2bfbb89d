// Package attack_test is the standing attack suite for the security mechanisms: raw peers
// (internal/rawzmtp) forge, replay, reorder and spoof against real sockets over tcp, and every
// test asserts that nothing reaches the application and that the monitor names the attack as
// libzmq's would. SECURITY.md lists what it covers.
package attack_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
