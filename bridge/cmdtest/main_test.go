// Package cmdtest runs `zmq bridge` as a user would — the built binary with a configuration
// file — against a private RabbitMQ, and counts every message end to end across a bridge
// killed and restarted, and a clean stop.
package cmdtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/bridge/internal/rabbittest"
)

var (
	zmqBin string             // the built zmq command
	broker *rabbittest.Broker // one for the package; nil when rabbitmq-server is missing
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "bridge-cmdtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	zmqBin = filepath.Join(dir, "zmq")
	build := exec.Command("go", "build", "-o", zmqBin, "./cmd/zmq")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/zmq: %v\n%s", err, out)
		return 1
	}
	broker, err = rabbittest.Run(filepath.Join(dir, "rabbit"))
	switch {
	case err == nil:
	case errors.Is(err, rabbittest.ErrNotInstalled):
		broker = nil // the tests skip, saying so
	default:
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	if broker != nil {
		broker.Stop()
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	return code
}

func needBroker(t *testing.T) {
	t.Helper()
	if broker == nil {
		t.Skip(rabbittest.ErrNotInstalled)
	}
}
