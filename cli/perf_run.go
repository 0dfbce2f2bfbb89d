package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/perf"
)

// runPerf opens r's socket on a's endpoint, runs its loop and prints what libzmq's tool prints.
func runPerf(ctx context.Context, r perfRole, a perfArgs, f socketFlags, stdout, stderr io.Writer) (err error) {
	if r.bind {
		f.binds = []string{a.endpoint}
	} else {
		f.connects = []string{a.endpoint}
	}
	se := newSession()
	defer func() {
		if e := se.shutdown(ctx); e != nil && err == nil {
			err = fmt.Errorf("perf %s: closing: %w", r.name, e)
		}
	}()
	// libzmq's tools end with zmq_ctx_term at the default LINGER, infinite: what was sent is
	// delivered however long it takes. -o LINGER overrides this.
	s, err := se.open(&f, r.typ, func(s *zmq.Socket) error { return s.SetOptions(zmq.WithLinger(-1)) })
	if err != nil {
		return err
	}
	// Received messages are recycled, as a user keen on speed would (never inproc here).
	var c perf.Conn = perf.NewConn(ctx, s, true)
	p := newProgress(stderr)
	if p.on {
		pc := &progressConn{Conn: c, p: p, r: r, total: a.count}
		pc.show()
		c = pc
	}
	var elapsed time.Duration
	switch r.name {
	case "local-thr":
		elapsed, err = perf.ReceiveSized(c, a.size, a.count)
	case "remote-thr":
		err = perf.SendAll(c, perf.Pattern(a.size), a.count)
	case "local-lat":
		err = perf.EchoSized(c, a.size, a.count)
	case "remote-lat":
		elapsed, err = perf.RoundTrips(c, perf.Pattern(a.size), a.count)
	}
	p.done()
	if err != nil {
		return err
	}
	switch r.name {
	case "local-thr":
		writeThroughput(stdout, a.size, a.count, elapsed)
	case "remote-lat":
		writeLatency(stdout, a.size, a.count, elapsed)
	}
	return nil
}

// writeThroughput prints local_thr's lines with its arithmetic: its stopwatch counts whole
// microseconds (at least one), and the rate is all count messages over the time from the first
// to the last received, though that time spans count-1 of them.
func writeThroughput(w io.Writer, size, count int, elapsed time.Duration) {
	msgs := float64(count) / float64(max(elapsed.Microseconds(), 1)) * 1e6
	fmt.Fprintf(w, "message size: %d [B]\n", size)
	fmt.Fprintf(w, "message count: %d\n", count)
	fmt.Fprintf(w, "mean throughput: %d [msg/s]\n", int64(msgs))
	fmt.Fprintf(w, "mean throughput: %.3f [Mb/s]\n", msgs*float64(size)*8/1e6)
}

// writeLatency prints remote_lat's lines: the latency is half the mean round trip, from whole
// microseconds.
func writeLatency(w io.Writer, size, count int, elapsed time.Duration) {
	fmt.Fprintf(w, "message size: %d [B]\n", size)
	fmt.Fprintf(w, "roundtrip count: %d\n", count)
	fmt.Fprintf(w, "average latency: %.3f [us]\n", float64(elapsed.Microseconds())/float64(2*count))
}

// progressConn draws the progress line as the loop goes: a look at the clock every 1024
// messages, so that a terminal costs the measurement next to nothing.
type progressConn struct {
	perf.Conn
	p     *progress
	r     perfRole
	n     int
	total int
}

func (c *progressConn) Send(b []byte) error {
	err := c.Conn.Send(b)
	if c.r.sends && err == nil {
		c.tick()
	}
	return err
}

func (c *progressConn) Recv() ([]byte, error) {
	b, err := c.Conn.Recv()
	if !c.r.sends && err == nil {
		c.tick()
	}
	return b, err
}

// Recycle passes the loop's recycling on, which the wrapping would otherwise hide.
func (c *progressConn) Recycle(b []byte) {
	if r, ok := c.Conn.(perf.Recycler); ok {
		r.Recycle(b)
	}
}

func (c *progressConn) tick() {
	if c.n++; c.n%1024 == 0 {
		c.show()
	}
}

func (c *progressConn) show() {
	verb := map[string]string{"local-thr": "received", "remote-thr": "sent", "local-lat": "echoed", "remote-lat": "round trips"}[c.r.name]
	c.p.update("zmq perf %s: %d of %d %s", c.r.name, c.n, c.total, verb)
}
