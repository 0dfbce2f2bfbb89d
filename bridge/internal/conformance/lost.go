package conformance

import (
	"errors"
	"testing"

	"github.com/purezmq/zmq/bridge"
)

// connectionLost: once the connection is cut, a waiting Receive, a pending Confirm and a new
// Publish fail with ErrConnection, and a new connection works.
func connectionLost(t *testing.T, dial bridge.Dialer, proxy *Proxy, dest, source string) {
	b := open(t, dial)
	c := consumer(t, b, source, 1)
	p := publisher(t, b, dest)
	publish(t, p, "before")
	expect(t, c, "before") // unacknowledged: delivered again after the cut
	received := make(chan error, 1)
	go func() {
		_, err := c.Receive(ctxFor(t))
		received <- err
	}()
	proxy.Cut()
	if err := <-received; !errors.Is(err, bridge.ErrConnection) {
		t.Fatalf("receive on a cut connection: %v, want ErrConnection", err)
	}
	cf, err := p.Publish(ctxFor(t), bridge.Message{Subject: "s", Body: []byte("lost")})
	if err == nil {
		err = cf.Wait(ctxFor(t))
	}
	if !errors.Is(err, bridge.ErrConnection) {
		t.Fatalf("publish on a cut connection: %v, want ErrConnection", err)
	}
	b2 := open(t, dial)
	again := consumer(t, b2, source, 1)
	ack(t, expect(t, again, "before")...)
}
