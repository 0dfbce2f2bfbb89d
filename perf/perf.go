// Package perf measures purezmq the way libzmq's perf tools do: throughput as PUSH→PULL with the
// clock running from the first message received to the last (local_thr/remote_thr), latency as
// REQ/REP round trips halved (local_lat/remote_lat). Both peers run in this process.
package perf

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
)

// Result is one measurement.
type Result struct {
	Metric    string        // "throughput" or "latency"
	Transport string        // "tcp", "ipc", "inproc"
	Size      int           // message size in bytes
	Count     int           // messages (throughput) or round trips (latency)
	Elapsed   time.Duration // the measured time: from the first message received (throughput), or of all round trips
}

// MsgsPerSec is the throughput in messages per second.
func (r Result) MsgsPerSec() float64 { return float64(r.Count) / r.Elapsed.Seconds() }

// MBPerSec is the throughput in megabytes (10^6) per second.
func (r Result) MBPerSec() float64 { return r.MsgsPerSec() * float64(r.Size) / 1e6 }

// LatencyMicros is the one-way latency in microseconds: half the mean round trip.
func (r Result) LatencyMicros() float64 {
	return r.Elapsed.Seconds() / float64(r.Count) / 2 * 1e6
}

var seq atomic.Uint64

// Endpoint returns a fresh bind endpoint for transport.
func Endpoint(transport string) (string, error) {
	switch transport {
	case "tcp":
		return "tcp://127.0.0.1:*", nil
	case "ipc":
		return "ipc://*", nil
	case "inproc":
		return fmt.Sprintf("inproc://perf-%d", seq.Add(1)), nil
	}
	return "", fmt.Errorf("perf: unknown transport %q (want tcp, ipc or inproc)", transport)
}

// pair makes a bound and a connected socket in a context of their own.
func pair(transport string, bindType, connType zmq.Type) (zc *zmq.Context, bound, conn *zmq.Socket, err error) {
	ep, err := Endpoint(transport)
	if err != nil {
		return nil, nil, nil, err
	}
	zc = zmq.NewContext()
	fail := func(e error) (*zmq.Context, *zmq.Socket, *zmq.Socket, error) {
		zc.Close()
		return nil, nil, nil, e
	}
	if bound, err = zc.NewSocket(bindType, zmq.WithLinger(0)); err != nil {
		return fail(err)
	}
	if err = bound.Bind(ep); err != nil {
		return fail(err)
	}
	if conn, err = zc.NewSocket(connType, zmq.WithLinger(0)); err != nil {
		return fail(err)
	}
	if err = conn.Connect(bound.LastEndpoint()); err != nil {
		return fail(err)
	}
	return zc, bound, conn, nil
}

// socketConn adapts a purezmq socket to Conn.
type socketConn struct {
	ctx context.Context
	s   *zmq.Socket
}

// recyclingConn is a socketConn that recycles what the loops are done with. Not over inproc,
// where a received frame is the sender's payload, which it goes on sending.
type recyclingConn struct {
	socketConn
	last zmq.Msg // the message Recv returned last
}

func (c *recyclingConn) Recv() ([]byte, error) {
	m, err := c.recvOne()
	if err != nil {
		return nil, err
	}
	c.last = m
	return m.Frames[0], nil
}

// Recycle gives back the message Recv returned last, whose frame b is.
func (c *recyclingConn) Recycle(b []byte) {
	if len(c.last.Frames) == 1 && len(b) > 0 && &c.last.Frames[0][0] == &b[0] {
		c.s.Recycle(c.last)
	}
	c.last = zmq.Msg{}
}

func (c socketConn) Send(b []byte) error {
	// A message's frames belong to the library once sent, so each send gets its own frame
	// slice header; the payload bytes are shared, as nobody modifies them.
	return c.s.Send(c.ctx, zmq.Msg{Frames: [][]byte{b}})
}

func (c socketConn) Recv() ([]byte, error) {
	m, err := c.recvOne()
	if err != nil {
		return nil, err
	}
	return m.Frames[0], nil
}

// recvOne receives a message, which must have one frame.
func (c socketConn) recvOne() (zmq.Msg, error) {
	m, err := c.s.Recv(c.ctx)
	if err == nil && len(m.Frames) != 1 {
		err = fmt.Errorf("perf: message of %d frames, want 1", len(m.Frames))
	}
	return m, err
}

// NewConn adapts a purezmq socket to Conn, each call bounded by ctx; with recycle, it recycles
// received messages the loops are done with (Recycler).
func NewConn(ctx context.Context, s *zmq.Socket, recycle bool) Conn {
	if recycle {
		return &recyclingConn{socketConn: socketConn{ctx, s}}
	}
	return socketConn{ctx, s}
}

// Throughput sends count messages of size bytes PUSH→PULL over transport.
func Throughput(ctx context.Context, transport string, size, count int) (Result, error) {
	zc, pull, push, err := pair(transport, zmq.PULL, zmq.PUSH)
	if err != nil {
		return Result{}, err
	}
	defer zc.Close()
	pat := Pattern(size)
	sendErr := make(chan error, 1)
	go func() { sendErr <- SendAll(NewConn(ctx, push, false), pat, count) }()
	elapsed, err := Receive(NewConn(ctx, pull, transport != "inproc"), pat, count)
	if err != nil {
		return Result{}, err
	}
	if err := <-sendErr; err != nil {
		return Result{}, err
	}
	// The first message only starts the clock, as in libzmq's local_thr.
	return Result{Metric: "throughput", Transport: transport, Size: size, Count: count - 1, Elapsed: elapsed}, nil
}

// Latency makes roundtrips REQ/REP exchanges of size bytes over transport.
func Latency(ctx context.Context, transport string, size, roundtrips int) (Result, error) {
	zc, rep, req, err := pair(transport, zmq.REP, zmq.REQ)
	if err != nil {
		return Result{}, err
	}
	defer zc.Close()
	echoErr := make(chan error, 1)
	go func() { echoErr <- Echo(NewConn(ctx, rep, false), roundtrips) }()
	elapsed, err := RoundTrips(NewConn(ctx, req, transport != "inproc"), Pattern(size), roundtrips)
	if err != nil {
		return Result{}, err
	}
	if err := <-echoErr; err != nil {
		return Result{}, err
	}
	return Result{Metric: "latency", Transport: transport, Size: size, Count: roundtrips, Elapsed: elapsed}, nil
}
