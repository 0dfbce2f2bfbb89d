package amqp10

import (
	"testing"

	"github.com/purezmq/zmq/bridge/internal/conformance"
)

// TestConformance runs the protocols' shared checks, through a proxy that can cut the
// connection, on a fresh queue per check.
func TestConformance(t *testing.T) {
	proxy := conformance.NewProxy(t, brokerAddr(t))
	conformance.Run(t, Dial("amqp://guest:guest@"+proxy.Addr()), conformance.Addresses{
		New: func(t *testing.T) (string, string) {
			q := queue(t, "")
			return q, q
		},
		Proxy: proxy,
	})
}
