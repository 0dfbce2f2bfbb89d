// Package cmdtest runs `zmq bridge` as a user would — the built binary with a configuration
// file — against a private RabbitMQ, and counts every message end to end across a bridge
// killed and restarted, and a clean stop.
package cmdtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/purezmq/zmq/bridge/internal/rabbittest"
)

var (
	zmqBin string             // the built zmq command
	broker *rabbittest.Broker // one for the package; nil when rabbitmq-server is missing
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bridge-cmdtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	zmqBin = filepath.Join(dir, "zmq")
	build := exec.Command("go", "build", "-o", zmqBin, "./cmd/zmq")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/zmq: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := rabbittest.RunTests(m, func(b *rabbittest.Broker) { broker = b })
	os.RemoveAll(dir)
	os.Exit(code)
}

func needBroker(t *testing.T) {
	t.Helper()
	if broker == nil {
		t.Skip(rabbittest.ErrNotInstalled)
	}
}
