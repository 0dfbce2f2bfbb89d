package mdp

import (
	"context"
	"testing"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/examples/internal/extest"
)

// The tests play the broker's, the workers' and the clients' peers with raw sockets, so that
// they can send what a broken or hostile peer would.

func rawSocket(t *testing.T, typ zmq.Type) *zmq.Socket {
	t.Helper()
	s, err := zmq.NewSocket(typ, zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// dealer is a raw DEALER connected to endpoint.
func dealer(t *testing.T, endpoint string) *zmq.Socket {
	t.Helper()
	s := rawSocket(t, zmq.DEALER)
	if err := s.Connect(endpoint); err != nil {
		t.Fatal(err)
	}
	return s
}

// router is a raw ROUTER bound to a fresh loopback port; it returns its endpoint.
func router(t *testing.T) (*zmq.Socket, string) {
	t.Helper()
	s := rawSocket(t, zmq.ROUTER)
	if err := s.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	return s, s.LastEndpoint()
}

func send(t *testing.T, s *zmq.Socket, f ...[]byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), extest.Timeout)
	defer cancel()
	if err := s.Send(ctx, zmq.NewMsg(f...)); err != nil {
		t.Fatal(err)
	}
}

func recv(t *testing.T, s *zmq.Socket) [][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), extest.Timeout)
	defer cancel()
	m, err := s.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return m.Frames
}

// startBroker runs b on a loopback port for the test's length; it returns the endpoint and
// the broker's output.
func startBroker(t *testing.T, b Broker) (string, *extest.Lines) {
	t.Helper()
	out := extest.NewLines()
	roles := extest.NewRoles(t)
	roles.Go("broker", func(ctx context.Context) error { return b.Run(ctx, "tcp://127.0.0.1:*", out) })
	line := out.Next(t)
	const ready = "ready "
	if len(line) <= len(ready) || line[:len(ready)] != ready {
		t.Fatalf("broker printed %q, want ready ENDPOINT", line)
	}
	return line[len(ready):], out
}
