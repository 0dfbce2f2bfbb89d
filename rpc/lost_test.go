package rpc

import (
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// A server that answers and at once goes away (a Stop right after the last reply): the reply
// reached the client's socket before the connection's end did, so the call gets it, not
// "connection lost". The monitor reports the end as soon as it happens, before the caller
// has read what came just before it.
func TestReplyBeforeDropArrives(t *testing.T) {
	ctx := testCtx(t)
	zc := zmq.NewContext()
	defer zc.Close()
	for round := range 100 {
		srv, err := zc.NewSocket(zmq.ROUTER, zmq.WithLinger(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Bind("tcp://127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		answered := make(chan error, 1)
		go func() {
			m, err := srv.Recv(ctx)
			if err == nil {
				var req request
				if req, err = parseRequest(m.Frames[1:]); err == nil {
					r := reply{header: header{kind: kindReply, codec: req.codec, status: OK, id: req.id}, body: []byte(`"ok"`)}
					f := r.frames()
					err = srv.Send(ctx, zmq.NewMsg(m.Frames[0], f[0], f[1]))
				}
			}
			srv.Close() // lingers until the reply is written, then drops the connection
			answered <- err
		}()
		cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.LastEndpoint()), WithContext(zc))
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = cl.Call(ctx, "m", struct{}{}, &got)
		cl.Close()
		if e := <-answered; e != nil {
			t.Fatalf("round %d: the server: %v", round, e)
		}
		if err != nil || got != "ok" {
			t.Fatalf("round %d: the reply sent before the drop: %q, %v", round, got, err)
		}
	}
}
