package proxy_test

import (
	"encoding/binary"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// rawServer speaks the proxy's backend protocol by hand (rpc/WIRE.md, "Through a proxy"), for
// servers that misbehave: silent, slow, or sending garbage.
type rawServer struct {
	t    testing.TB
	sock *zmq.Socket
}

func newRawServer(t testing.TB, backend string) *rawServer {
	t.Helper()
	return &rawServer{t: t, sock: rawClient(t, backend)}
}

// header is a wire header: Python struct.pack(">BBBBQQ", 1, kind, codec, status, id, timeout_us).
func header(kind, codec, status byte, id uint64, timeout time.Duration) []byte {
	b := make([]byte, 20)
	b[0], b[1], b[2], b[3] = 1, kind, codec, status
	binary.BigEndian.PutUint64(b[4:], id)
	binary.BigEndian.PutUint64(b[12:], uint64(timeout.Microseconds()))
	return b
}

func (r *rawServer) send(frames ...[]byte) {
	r.t.Helper()
	if err := r.sock.Send(testCtx(r.t), zmq.NewMsg(frames...)); err != nil {
		r.t.Fatal(err)
	}
}

// ready announces keys with credit, heart-beating every ivl.
func (r *rawServer) ready(credit uint64, ivl time.Duration, keys ...string) {
	f := [][]byte{{}, header(6, 0, 0, credit, ivl)}
	for _, k := range keys {
		f = append(f, []byte(k))
	}
	r.send(f...)
}

// request is the next request the proxy forwards (skipping its heartbeats): its return
// address, header and key.
func (r *rawServer) request() (ret, h []byte, key string) {
	r.t.Helper()
	for {
		m, err := r.sock.Recv(testCtx(r.t))
		if err != nil {
			r.t.Fatal(err)
		}
		if len(m.Frames[0]) == 0 {
			continue // a heartbeat
		}
		if len(m.Frames) < 3 {
			r.t.Fatalf("request of %d frames", len(m.Frames))
		}
		return m.Frames[0], m.Frames[1], string(m.Frames[2])
	}
}

// reply answers the request of ret and h with OK and a JSON body.
func (r *rawServer) reply(ret, h []byte, body string) {
	id := binary.BigEndian.Uint64(h[4:])
	r.send(ret, header(4, h[2], 0, id, 0), []byte(body))
}

// rawClient is a DEALER connected to endpoint (a proxy's frontend, or its backend for a raw
// server), in a context of its own, for messages by hand.
func rawClient(t testing.TB, endpoint string) *zmq.Socket {
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
