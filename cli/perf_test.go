package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/perf"
)

func TestPerfArgs(t *testing.T) {
	thr, lat := perfRoles[0], perfRoles[2]
	for _, tc := range []struct {
		r    perfRole
		args []string
		want perfArgs
	}{
		{thr, []string{"tcp://*:5555", "100", "1000000"}, perfArgs{"tcp://*:5555", 100, 1000000, false}},
		{thr, []string{"ipc:///tmp/x", "0", "1", "0"}, perfArgs{"ipc:///tmp/x", 0, 1, false}},
		{thr, []string{"ipc:///tmp/x", "268435456", "2147483647", "1"}, perfArgs{"ipc:///tmp/x", 256 << 20, 1<<31 - 1, true}},
		{lat, []string{"tcp://127.0.0.1:5556", "1", "10000"}, perfArgs{"tcp://127.0.0.1:5556", 1, 10000, false}},
	} {
		got, err := parsePerfArgs(tc.r, tc.args)
		if err != nil || got != tc.want {
			t.Errorf("%s %q: %+v, %v; want %+v", tc.r.name, tc.args, got, err, tc.want)
		}
	}
}

// TestPerfUsageErrors: each is refused before anything is measured, as ErrUsage (exit 2).
func TestPerfUsageErrors(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "never")
	for _, args := range [][]string{
		{"perf", "nosuch"},
		{"perf", "local-thr"},
		{"perf", "local-thr", ep, "100"},
		{"perf", "local-thr", ep, "x", "10"},
		{"perf", "local-thr", ep, "-1", "10"},
		{"perf", "local-thr", ep, "268435457", "10"},
		{"perf", "local-thr", ep, "1e3", "10"},
		{"perf", "local-thr", ep, "100", "0"},
		{"perf", "remote-thr", ep, "100", "-5"},
		{"perf", "remote-thr", ep, "100", "ten"},
		{"perf", "remote-thr", ep, "100", "2147483648"},
		{"perf", "remote-thr", ep, "100", "10", "2"},
		{"perf", "remote-thr", ep, "100", "10", "yes"},
		{"perf", "remote-thr", ep, "100", "10", "1", "--curve-serverkey", libzmqPerfServerPublic},
		{"perf", "local-thr", ep, "100", "10", "1", "--curve-server"},
		{"perf", "local-lat", ep, "100", "10", "1"},
		{"perf", "remote-lat", ep, "100", "10", "extra"},
		{"perf", "local-lat", "", "1", "10"},
		{"perf", "remote-thr", "inproc://x", "1", "10"},
		{"perf", "local-lat", "tcp://no-port", "1", "10"},
		{"perf", "remote-lat", "udp://127.0.0.1:5555", "1", "10"},
		{"perf", "remote-lat", "nonsense", "1", "10"},
		{"perf", "local-thr", "--bind", ep, ep, "1", "10"},
		{"perf", "local-thr", ep, "1", "10", "-o", "NOSUCH=1"},
	} {
		var out, errOut bytes.Buffer
		if err := Run(context.Background(), args, nil, &out, &errOut); !errors.Is(err, ErrUsage) {
			t.Errorf("Run(%q) = %v, want ErrUsage", args, err)
		}
		if out.Len() != 0 {
			t.Errorf("Run(%q) printed %q", args, out.String())
		}
	}
}

// TestPerfOutput: the lines of libzmq's local_thr and remote_lat, with their arithmetic (whole
// microseconds; the rate counts all messages though the clock spans one fewer).
func TestPerfOutput(t *testing.T) {
	for _, tc := range []struct {
		size, count int
		elapsed     time.Duration
		thr, lat    string
	}{
		{100, 1000, 2 * time.Millisecond,
			"message size: 100 [B]\nmessage count: 1000\nmean throughput: 500000 [msg/s]\nmean throughput: 400.000 [Mb/s]\n",
			"message size: 100 [B]\nroundtrip count: 1000\naverage latency: 1.000 [us]\n"},
		{1, 3, 7*time.Microsecond + 999*time.Nanosecond,
			"message size: 1 [B]\nmessage count: 3\nmean throughput: 428571 [msg/s]\nmean throughput: 3.429 [Mb/s]\n",
			"message size: 1 [B]\nroundtrip count: 3\naverage latency: 1.167 [us]\n"},
		{0, 1, 0, // a single message: no time at all, which local_thr counts as 1 µs
			"message size: 0 [B]\nmessage count: 1\nmean throughput: 1000000 [msg/s]\nmean throughput: 0.000 [Mb/s]\n",
			"message size: 0 [B]\nroundtrip count: 1\naverage latency: 0.000 [us]\n"},
	} {
		var thr, lat bytes.Buffer
		writeThroughput(&thr, tc.size, tc.count, tc.elapsed)
		writeLatency(&lat, tc.size, tc.count, tc.elapsed)
		if thr.String() != tc.thr {
			t.Errorf("throughput %d×%d B in %v:\n%s\nwant\n%s", tc.count, tc.size, tc.elapsed, thr.String(), tc.thr)
		}
		if lat.String() != tc.lat {
			t.Errorf("latency %d×%d B in %v:\n%s\nwant\n%s", tc.count, tc.size, tc.elapsed, lat.String(), tc.lat)
		}
	}
}

// The lines a script reads from libzmq's tools, as their printf formats make them.
var (
	thrLines = []*regexp.Regexp{
		regexp.MustCompile(`^message size: (\d+) \[B\]$`),
		regexp.MustCompile(`^message count: (\d+)$`),
		regexp.MustCompile(`^mean throughput: (\d+) \[msg/s\]$`),
		regexp.MustCompile(`^mean throughput: (\d+\.\d{3}) \[Mb/s\]$`),
	}
	latLines = []*regexp.Regexp{
		regexp.MustCompile(`^message size: (\d+) \[B\]$`),
		regexp.MustCompile(`^roundtrip count: (\d+)$`),
		regexp.MustCompile(`^average latency: (\d+\.\d{3}) \[us\]$`),
	}
)

// parsePerf reads a tool's output line by line against formats, returning each line's figure.
func parsePerf(t *testing.T, out string, formats []*regexp.Regexp) []float64 {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(formats) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(formats), out)
	}
	var figures []float64
	for i, l := range lines {
		m := formats[i].FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %q does not match %s", l, formats[i])
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		figures = append(figures, v)
	}
	return figures
}

// perfPair runs a local and a remote end in this process, each in its own session, and returns
// what each printed on stdout and stderr.
func perfPair(t *testing.T, ctx context.Context, local, remote []string) (localOut, remoteOut, stderr string) {
	t.Helper()
	type res struct {
		out, errOut bytes.Buffer
		err         error
	}
	run := func(args []string) chan *res {
		c := make(chan *res, 1)
		go func() {
			r := &res{}
			r.err = Perf(ctx, args, nil, &r.out, &r.errOut)
			c <- r
		}()
		return c
	}
	lc, rc := run(local), run(remote)
	l, r := <-lc, <-rc
	if l.err != nil || r.err != nil {
		t.Fatalf("%q: %v\n%q: %v", local, l.err, remote, r.err)
	}
	return l.out.String(), r.out.String(), l.errOut.String() + r.errOut.String()
}

func tcpEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "tcp://" + l.Addr().String()
}

func TestPerfPairs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tc := range []struct {
		name, transport string
		size, count     int
		curve           []string
	}{
		{"ipc", "ipc", 100, 5000, nil},
		{"tcp", "tcp", 1, 3000, nil},
		{"tcp big", "tcp", 70000, 50, nil},
		{"one message", "ipc", 8, 1, nil},
		{"empty messages", "tcp", 0, 100, nil},
		{"libzmq's CURVE keys", "tcp", 64, 500, []string{"1"}},
		{"CURVE off", "ipc", 64, 500, []string{"0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			local, remote := tcpEndpoint(t), ""
			if tc.transport == "ipc" {
				local = "ipc://" + filepath.Join(t.TempDir(), "perf")
			}
			remote = local
			size, count := strconv.Itoa(tc.size), strconv.Itoa(tc.count)

			out, rout, stderr := perfPair(t, ctx,
				append([]string{"local-thr", local, size, count}, tc.curve...),
				append([]string{"remote-thr", remote, size, count}, tc.curve...))
			if rout != "" || stderr != "" {
				t.Errorf("remote-thr printed %q, stderr %q", rout, stderr)
			}
			f := parsePerf(t, out, thrLines)
			if int(f[0]) != tc.size || int(f[1]) != tc.count || f[2] <= 0 || tc.size > 0 && f[3] <= 0 {
				t.Errorf("local-thr of %d×%d B printed:\n%s", tc.count, tc.size, out)
			}
			if tc.curve != nil {
				return // libzmq's latency tools take no ENABLE-CURVE
			}

			lout, out, stderr := perfPair(t, ctx,
				[]string{"local-lat", local, size, count},
				[]string{"remote-lat", remote, size, count})
			if lout != "" || stderr != "" {
				t.Errorf("local-lat printed %q, stderr %q", lout, stderr)
			}
			f = parsePerf(t, out, latLines)
			if int(f[0]) != tc.size || int(f[1]) != tc.count || f[2] < 0 {
				t.Errorf("remote-lat of %d×%d B printed:\n%s", tc.count, tc.size, out)
			}
		})
	}
}

// TestPerfSizeMismatch: a peer sending another size fails the receiving end, as in libzmq.
func TestPerfSizeMismatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ep := "ipc://" + filepath.Join(t.TempDir(), "perf")
	remote := make(chan error, 1)
	go func() { remote <- Perf(ctx, []string{"remote-thr", ep, "99", "10"}, nil, io.Discard, io.Discard) }()
	err := Perf(ctx, []string{"local-thr", ep, "100", "10"}, nil, io.Discard, io.Discard)
	if !errors.Is(err, perf.ErrSize) {
		t.Errorf("local-thr of 100 B took 99 B messages: %v", err)
	}
	cancel() // remote-thr may linger on for messages local-thr never took
	if err := <-remote; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("remote-thr: %v", err)
	}
}

// TestPerfInterrupt: an interrupt stops each end at once, though no peer came and what was
// queued lingers forever by default. The progress line tells where each end is: waiting for
// its first message, or (the line cleared) done sending and lingering.
func TestPerfInterrupt(t *testing.T) {
	old := isTerminal
	isTerminal = func(io.Writer) bool { return true }
	defer func() { isTerminal = old }()
	for _, tc := range []struct {
		args  []string
		ready string // the stderr write after which to interrupt
	}{
		{[]string{"local-thr", "", "100", "10"}, "0 of 10 received"},
		{[]string{"local-lat", "", "100", "10"}, "0 of 10 echoed"},
		{[]string{"remote-lat", "", "1", "10"}, "0 of 10 round trips"},
		{[]string{"remote-thr", "", "100", "10"}, "\r\x1b[K"}, // queued all 10, lingering
	} {
		tc.args[1] = "ipc://" + filepath.Join(t.TempDir(), "nobody")
		ctx, cancel := context.WithCancel(context.Background())
		writes := writeChan(make(chan string, 16))
		done := make(chan error, 1)
		go func() { done <- Perf(ctx, tc.args, nil, io.Discard, writes) }()
		for w := ""; !strings.HasSuffix(w, tc.ready); {
			w = <-writes
		}
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%q interrupted: %v, want context.Canceled", tc.args, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%q did not stop on an interrupt", tc.args)
		}
	}
}

// writeChan passes each write on as a string.
type writeChan chan string

func (w writeChan) Write(b []byte) (int, error) { w <- string(b); return len(b), nil }

// TestPerfProgress: on a terminal a progress line is drawn on stderr and cleared before the
// result; stdout stays libzmq's lines.
func TestPerfProgress(t *testing.T) {
	old := isTerminal
	isTerminal = func(io.Writer) bool { return true }
	defer func() { isTerminal = old }()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ep := "ipc://" + filepath.Join(t.TempDir(), "perf")
	out, _, stderr := perfPair(t, ctx, []string{"local-thr", ep, "10", "3000"}, []string{"remote-thr", ep, "10", "3000"})
	parsePerf(t, out, thrLines)
	for _, want := range []string{"zmq perf local-thr: 0 of 3000 received", "zmq perf remote-thr: 0 of 3000 sent"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q has no %q", stderr, want)
		}
	}
	if n := strings.Count(stderr, "\r\033[K"); n < 4 || !strings.HasSuffix(stderr, "\r\033[K") {
		t.Errorf("progress lines not cleared: %q", stderr)
	}
}
