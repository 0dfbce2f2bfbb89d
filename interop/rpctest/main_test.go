package rpctest

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs the tests, or, with serverEnv set, makes this binary a Go server process.
func TestMain(m *testing.M) {
	if name := os.Getenv(serverEnv); name != "" {
		os.Exit(serveProcess(name))
	}
	goleak.VerifyTestMain(m)
}
