package rpcpeer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq/bench/natsd"
)

// serve runs impl's server on a free loopback port until the test ends and returns the
// endpoint its clients dial.
func serve(t *testing.T, name string) string {
	t.Helper()
	ep := "tcp://127.0.0.1:0"
	if name == "grpc" {
		ep = "127.0.0.1:0"
	}
	if name == "nats" {
		s, err := natsd.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { natsd.Stop(s) })
		ep = s.ClientURL()
	}
	ctx, cancel := context.WithCancel(context.Background())
	bound := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- impls[name].Serve(ctx, ep, func(b string) { bound <- b }) }()
	select {
	case b := <-bound:
		t.Cleanup(func() {
			cancel()
			if err := <-served; err != nil {
				t.Errorf("%s server: %v", name, err)
			}
		})
		return b
	case err := <-served:
		cancel()
		t.Fatalf("%s server ended before ready: %v", name, err)
	}
	return ""
}

// Every implementation's pair makes a handshake of calls, one caller and several at once,
// every reply checked against its call's payload.
func TestPairs(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			ep := serve(t, name)
			c, err := impls[name].Dial(context.Background(), ep)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for _, callers := range []int{1, 4} {
				cfg := Config{Size: 64, Count: 40, Callers: callers, Timeout: 10 * time.Second}
				res, err := Measure(context.Background(), c, cfg)
				if err != nil {
					t.Fatalf("%d callers: %v", callers, err)
				}
				if res.Count != 40 || res.Callers != callers || res.Size != 64 || !(res.CallsPer > 0) ||
					!(res.P50US > 0) || res.P99US < res.P50US {
					t.Errorf("%d callers: implausible %+v", callers, res)
				}
			}
			// One call by hand: the reply is the args, whatever their size.
			args := payload(7, 300)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			reply, err := c.Call(ctx, args)
			if err != nil || !bytes.Equal(reply, args) {
				t.Fatalf("Call: %v, reply %x, want %x", err, reply, args)
			}
		})
	}
}

// corrupt flips a byte of every nth reply, so Measure must notice.
type corrupt struct {
	Caller
	mu sync.Mutex
	n  int
}

func (c *corrupt) Call(ctx context.Context, args []byte) ([]byte, error) {
	reply, err := c.Caller.Call(ctx, args)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n++; err == nil && c.n%10 == 0 {
		reply = bytes.Clone(reply)
		reply[len(reply)-1] ^= 1
	}
	return reply, err
}

func TestMeasureChecksReplies(t *testing.T) {
	ep := serve(t, "zmq")
	c, err := impls["zmq"].Dial(context.Background(), ep)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = Measure(context.Background(), &corrupt{Caller: c}, Config{Size: 64, Count: 50, Callers: 3, Timeout: 10 * time.Second})
	if !errors.Is(err, ErrPayload) {
		t.Fatalf("Measure over corrupted replies: %v, want ErrPayload", err)
	}
}

// A call to a server that is not there fails at its deadline rather than hanging.
func TestMeasureDeadline(t *testing.T) {
	c, err := impls["zmq"].Dial(context.Background(), "tcp://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = Measure(context.Background(), c, Config{Size: 64, Count: 5, Callers: 2, Timeout: 50 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Measure without a server: %v, want DeadlineExceeded", err)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 200; i++ {
		d = append(d, time.Duration(i))
	}
	for _, tc := range []struct {
		p    int
		want time.Duration
	}{{50, 100}, {99, 198}, {100, 200}, {1, 2}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("p%d = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(d[:1], 99); got != 1 {
		t.Errorf("p99 of one = %v", got)
	}
}

// Main's client prints one JSON line of the run it was asked for; bad flags are errors.
func TestMainClient(t *testing.T) {
	ep := serve(t, "grpc")
	var out, errOut bytes.Buffer
	err := Main(context.Background(), []string{"-impl", "grpc", "-role", "client", "-endpoint", ep, "-count", "30", "-callers", "2"},
		strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Fatalf("%v (stderr %q)", err, errOut.String())
	}
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%q: %v", out.String(), err)
	}
	if res.Impl != "grpc" || res.Count != 30 || res.Callers != 2 || res.Size != 64 {
		t.Errorf("result %+v", res)
	}
	for _, args := range [][]string{
		{"-impl", "nope", "-role", "client", "-endpoint", ep},
		{"-impl", "grpc", "-role", "nope", "-endpoint", ep},
		{"-impl", "grpc", "-role", "client"},
		{"-impl", "grpc", "-role", "client", "-endpoint", ep, "-size", "4"},
	} {
		if err := Main(context.Background(), args, strings.NewReader(""), &out, &errOut); err == nil {
			t.Errorf("Main(%q) succeeded", args)
		}
	}
}

// Main's server serves until EOF on its stdin.
func TestMainServerStopsAtEOF(t *testing.T) {
	r, w := io.Pipe()
	var errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Main(context.Background(), []string{"-impl", "zmq", "-role", "server", "-endpoint", "tcp://127.0.0.1:0"}, r, &bytes.Buffer{}, &errOut)
	}()
	w.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "ready\n") {
		t.Errorf("stderr %q: no ready line", errOut.String())
	}
}

// -cpuprofile leaves a profile behind.
func TestMainProfile(t *testing.T) {
	ep := serve(t, "zmq")
	path := filepath.Join(t.TempDir(), "client.pprof")
	var out, errOut bytes.Buffer
	err := Main(context.Background(), []string{"-impl", "zmq", "-role", "client", "-endpoint", ep, "-count", "20", "-cpuprofile", path},
		strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Fatalf("%v (stderr %q)", err, errOut.String())
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("profile: %v, %v", st, err)
	}
}
