package proxy_test

import (
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/wire"
	"github.com/purezmq/zmq/rpc/proxy"
)

// A client whose connection to the proxy ends (a raw DEALER that sent three calls, then
// closed) has its plain call a server runs cancelled there, and its plain call still queued
// dropped ("caller_gone"), as its CANCELs would have; its at-least-once call runs on, for the
// retry to find its result in the server's dedup store.
func TestCallerGoneThroughProxy(t *testing.T) {
	p := startProxy(t, proxy.Config{})
	b := &blocker{started: make(chan string, 4), release: make(chan struct{})}
	startServer(t, "a", b, rpc.WithProxy(p.Backend()), rpc.WithWorkers(2))
	readyServers(t, p, 1)

	zc := zmq.NewContext()
	defer zc.Close()
	d, err := zc.NewSocket(zmq.DEALER, zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Connect(p.Frontend()); err != nil {
		t.Fatal(err)
	}
	call := func(id uint64, meta string) {
		t.Helper()
		f := [][]byte{wire.Header{Kind: wire.Call, Codec: rpc.JSON.ID(), ID: id}.Marshal(),
			[]byte(rpc.Target{Topic: "t"}.Key()), nil, nil, []byte("block"), []byte("{}")}
		if meta != "" {
			f = append(f, []byte(meta))
		}
		if err := d.Send(testCtx(t), zmq.NewMsg(f...)); err != nil {
			t.Fatal(err)
		}
	}
	call(1, `{"idempotency-key":"retried-elsewhere"}`)
	call(2, "")
	<-b.started
	<-b.started // both workers busy
	call(3, "")
	waitFor(t, "the third call to queue", func() bool { return p.Stats().Queued == 1 })
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the gone client's plain calls to leave the proxy", func() bool {
		s := p.Stats()
		return s.Drops["caller_gone"] == 1 && s.Queued == 0 && s.Calls == 1
	})
	// The cancelled handler gave its worker back: another client's call goes through.
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithProxy(p.Frontend()))
	if err := cl.Call(testCtx(t), "echo", echoArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	close(b.release)
	waitFor(t, "the at-least-once call to finish", func() bool { return p.Stats().Calls == 0 })
	if len(b.started) != 0 {
		t.Fatalf("the dropped call ran (on %s)", <-b.started)
	}
}
