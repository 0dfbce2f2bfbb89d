package rpctest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/rpc"
)

func keyPair(t *testing.T) (curve.PublicKey, curve.SecretKey) {
	t.Helper()
	pub, sec, err := curve.GenerateKeyPair(rand.Reader)
	must(t, err)
	return pub, sec
}

// TestCurvePython: CURVE between Python and Go, both ways, keys given as WIRE.md says (the
// server's secret key; the client knows the server's public key).
func TestCurvePython(t *testing.T) {
	pub, sec := keyPair(t)
	t.Run("python-client-go-server", func(t *testing.T) {
		g := startGoServer(t, "go1", rpc.WithCurveServer(sec))
		c := startPyClient(t, g.srv.Endpoint(), "RPC_CURVE_SERVERKEY="+pub.Z85())
		c.send(t, map[string]any{"op": "call", "tag": "sealed", "method": "echo", "args": "s", "timeout_ms": ioTimeout.Milliseconds()})
		checkOutcome(t, c.outcome(t, "sealed"), "OK", `"s"`, nil)
	})
	_, endpoint := startPyServer(t, "py1", "RPC_CURVE_SECRET="+sec.Z85())
	t.Run("go-client-python-server", func(t *testing.T) {
		cl, err := rpc.NewClient(rpc.Target{Topic: topic}, rpc.WithEndpoint(endpoint), rpc.WithCurveServerKey(pub))
		must(t, err)
		defer func() { must(t, cl.Close()) }()
		var sum int
		if err := cl.Call(ctxIO(t), "add", addArgs{A: 40, B: 2}, &sum); err != nil || sum != 42 {
			t.Errorf("add: %v, %d", err, sum)
		}
	})
	t.Run("go-client-wrong-key", func(t *testing.T) {
		other, _ := keyPair(t)
		cl, err := rpc.NewClient(rpc.Target{Topic: topic}, rpc.WithEndpoint(endpoint), rpc.WithCurveServerKey(other))
		must(t, err)
		defer func() { must(t, cl.Close()) }()
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		err = cl.Call(ctx, "add", addArgs{A: 40, B: 2}, nil)
		if c := rpc.CodeOf(err); c != rpc.DeadlineExceeded && c != rpc.Unavailable && c != rpc.NoResponders {
			t.Errorf("a call under the wrong server key: %v", err)
		}
	})
}
