package rpc

import (
	"context"
	"errors"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

type echoArgs struct {
	Text string `json:"text" msgpack:"text"`
}

type echoReply struct {
	Text   string `json:"text" msgpack:"text"`
	Server string `json:"server" msgpack:"server"`
}

// testCtx bounds a test's calls, so a bug fails it instead of hanging it.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startServer starts a server of target with an echo method, stopped at the end of the test.
func startServer(t testing.TB, target Target, register func(*Server), opts ...Option) *Server {
	t.Helper()
	srv, err := NewServer(target, opts...)
	if err != nil {
		t.Fatal(err)
	}
	name := target.Server
	err = Handle(srv, "echo", func(ctx context.Context, a echoArgs) (echoReply, error) {
		return echoReply{Text: a.Text, Server: name}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if register != nil {
		register(srv)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// A test that stopped it with a done ctx gets that ctx's error again.
		if err := srv.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Stop: %v", err)
		}
	})
	return srv
}

// rawDealer is a DEALER connected to endpoint, for speaking the wire format by hand.
func rawDealer(t testing.TB, endpoint string) *zmq.Socket {
	t.Helper()
	zc := zmq.NewContext()
	s, err := zc.NewSocket(zmq.DEALER, zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Connect(endpoint); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		_ = zc.Close()
	})
	return s
}

// rawCall sends req on d and returns the reply.
func rawCall(t testing.TB, d *zmq.Socket, req request) reply {
	t.Helper()
	ctx := testCtx(t)
	if err := d.Send(ctx, zmq.NewMsg(req.frames()...)); err != nil {
		t.Fatal(err)
	}
	m, err := d.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseReply(m.Frames)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func echoRequest(id uint64, key, text string) request {
	return request{header: header{kind: kindCall, codec: JSON.ID(), id: id}, key: key, method: "echo",
		args: []byte(`{"text":"` + text + `"}`)}
}
