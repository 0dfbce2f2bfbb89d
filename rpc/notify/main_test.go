package notify

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(memberProcessEnv) != "" {
		os.Exit(memberProcess())
	}
	goleak.VerifyTestMain(m)
}
