package rpc

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(serverProcessEnv) != "" {
		os.Exit(serverProcess())
	}
	goleak.VerifyTestMain(m)
}
