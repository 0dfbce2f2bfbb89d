package bridge_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/bridge/internal/rabbittest"
)

// rabbit is the package's private broker; nil when rabbitmq-server is not installed.
var rabbit *rabbittest.Broker

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bridge-rabbit")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rabbit, err = rabbittest.Run(dir)
	switch {
	case errors.Is(err, rabbittest.ErrNotInstalled):
		rabbit = nil
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := func() int {
		defer func() {
			if rabbit != nil {
				rabbit.Stop()
			}
			os.RemoveAll(dir)
		}()
		return m.Run()
	}()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// need skips t without a broker.
func need(t *testing.T) *rabbittest.Broker {
	t.Helper()
	if rabbit == nil {
		t.Skip(rabbittest.ErrNotInstalled)
	}
	return rabbit
}
