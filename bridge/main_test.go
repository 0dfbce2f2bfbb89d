package bridge_test

import (
	"testing"

	"github.com/purezmq/zmq/bridge/internal/rabbittest"
)

// rabbit is the package's private broker; nil when rabbitmq-server is not installed.
var rabbit *rabbittest.Broker

func TestMain(m *testing.M) { rabbittest.Main(m, func(b *rabbittest.Broker) { rabbit = b }) }

// need skips t without a broker.
func need(t *testing.T) *rabbittest.Broker {
	t.Helper()
	if rabbit == nil {
		t.Skip(rabbittest.ErrNotInstalled)
	}
	return rabbit
}
