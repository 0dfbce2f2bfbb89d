package proxy_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if code, ok := child(); ok {
		os.Exit(code)
	}
	goleak.VerifyTestMain(m)
}
