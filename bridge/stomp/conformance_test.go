package stomp

import (
	"testing"

	"github.com/purezmq/zmq/bridge/internal/conformance"
)

// TestConformance: the checks every protocol of the bridge passes, here over /queue/
// destinations (at-least-once: a fresh durable queue per check) and through a proxy the
// checks cut.
func TestConformance(t *testing.T) {
	b := rabbitMQ(t)
	proxy := conformance.NewProxy(t, b.STOMPAddr())
	conformance.Run(t, Dial(stompURL(proxy.Addr())), conformance.Addresses{
		New: func(t *testing.T) (string, string) {
			q := "/queue/" + queueName(t)
			return q, q
		},
		Proxy: proxy,
	})
}
