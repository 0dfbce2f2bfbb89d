package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

func TestParseEndpointList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []endpointSpec
	}{
		{"tcp://*:5555", []endpointSpec{{"tcp://*:5555", true}}},
		{"@tcp://*:5555", []endpointSpec{{"tcp://*:5555", true}}},
		{">tcp://h:5555", []endpointSpec{{"tcp://h:5555", false}}},
		{"@ipc:///a,>tcp://h:1, inproc://x", []endpointSpec{{"ipc:///a", true}, {"tcp://h:1", false}, {"inproc://x", true}}},
		{"", nil}, {"@", nil}, {">", nil}, {"tcp://a:1,", nil}, {",tcp://a:1", nil}, {"a,,b", nil},
	} {
		got, err := parseEndpointList(tc.in, true)
		if tc.want == nil {
			if !errors.Is(err, ErrUsage) {
				t.Errorf("parseEndpointList(%q) = %v, %v; want ErrUsage", tc.in, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("parseEndpointList(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if got, _ := parseEndpointList("tcp://h:1", false); got[0].bind {
		t.Error("no prefix with connect by default: bound")
	}
}

func TestParseProxyArgs(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		stats time.Duration
		want  [2]zmq.Type
		ok    bool
	}{
		{[]string{"queue", "tcp://*:1", "tcp://*:2"}, 0, [2]zmq.Type{zmq.ROUTER, zmq.DEALER}, true},
		{[]string{"Forwarder", "tcp://*:1", "tcp://*:2"}, time.Second, [2]zmq.Type{zmq.XSUB, zmq.XPUB}, true},
		{[]string{"streamer", ">tcp://h:1", "@tcp://*:2"}, 0, [2]zmq.Type{zmq.PULL, zmq.PUSH}, true},
		{[]string{"broker", "tcp://*:1", "tcp://*:2"}, 0, [2]zmq.Type{}, false},
		{[]string{"queue", "", "tcp://*:2"}, 0, [2]zmq.Type{}, false},
		{[]string{"queue", "tcp://*:1", ">"}, 0, [2]zmq.Type{}, false},
		{[]string{"queue", "tcp://*:1", "tcp://*:2"}, -time.Second, [2]zmq.Type{}, false},
	} {
		p, err := parseProxyArgs(tc.args, &proxyFlags{stats: tc.stats})
		if tc.ok && (err != nil || p.types != tc.want) {
			t.Errorf("parseProxyArgs(%q) = %v, %v; want %v", tc.args, p.types, err, tc.want)
		}
		if !tc.ok && !errors.Is(err, ErrUsage) {
			t.Errorf("parseProxyArgs(%q) = %v; want ErrUsage", tc.args, err)
		}
	}
}

func TestFormatStats(t *testing.T) {
	got := formatStats("proxy:", [8]uint64{1, 2, 3, 4, 5, 6, 7, 8})
	want := "proxy: frontend in 1 msgs 2 B, out 3 msgs 4 B; backend in 5 msgs 6 B, out 7 msgs 8 B"
	if got != want {
		t.Errorf("formatStats = %q\nwant %q", got, want)
	}
}

// linesOut hands each line written to it to a channel, and keeps them all.
type linesOut struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	all   []string
	lines chan string
}

func newLinesOut() *linesOut { return &linesOut{lines: make(chan string, 1024)} }

func (w *linesOut) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			return len(p), nil
		}
		line = strings.TrimSuffix(line, "\n")
		w.all = append(w.all, line)
		select {
		case w.lines <- line:
		default:
		}
	}
}

func (w *linesOut) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.all, "\n")
}

// runInBackground runs the command line in the background; wait cancels it and returns its error.
func runInBackground(t *testing.T, args []string, stdout, stderr *linesOut) (wait func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, args, nil, stdout, stderr) }()
	t.Cleanup(func() { cancel(); <-done })
	return func() error {
		cancel()
		select {
		case err := <-done:
			done <- err // for the cleanup
			return err
		case <-time.After(time.Minute):
			t.Fatal("the command did not return after its context ended")
		}
		return nil
	}
}

// waitForLine waits until w gets the line want.
func waitForLine(t *testing.T, w *linesOut, want string) {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		select {
		case line := <-w.lines:
			if line == want {
				return
			}
		case <-deadline:
			t.Fatalf("no line %q in a minute; got:\n%s", want, w.String())
		}
	}
}

func connectedSocket(t *testing.T, typ zmq.Type, connect string) *zmq.Socket {
	t.Helper()
	s, err := zmq.NewSocket(typ, zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Connect(connect); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestProxyStreamerMovesAndStops(t *testing.T) {
	dir := t.TempDir()
	in, out := "ipc://"+filepath.Join(dir, "in"), "ipc://"+filepath.Join(dir, "out")
	stdout, stderr := newLinesOut(), newLinesOut()
	wait := runInBackground(t, []string{"proxy", "streamer", "@" + in, out, "--stats", "5ms"}, stdout, stderr)
	src, sink := connectedSocket(t, zmq.PUSH, in), connectedSocket(t, zmq.PULL, out)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const n = 100
	size := 0
	for i := range n {
		m := zmq.NewMsg(fmt.Appendf(nil, "msg %d", i), []byte("frame"))
		size += m.Size()
		if err := src.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		m, err := sink.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(m.Frames[0]), fmt.Sprintf("msg %d", i); got != want || len(m.Frames) != 2 {
			t.Fatalf("message %d: %q (%d frames), want %q and a second frame", i, got, len(m.Frames), want)
		}
	}
	want := formatStats("proxy:", [8]uint64{n, uint64(size), 0, 0, 0, 0, n, uint64(size)})
	waitForLine(t, stderr, want)
	if err := wait(); err != nil {
		t.Fatalf("proxy after its context ended: %v", err)
	}
	final := strings.Replace(want, "proxy:", "proxy stopped:", 1)
	if lines := strings.Split(stderr.String(), "\n"); lines[len(lines)-1] != final {
		t.Errorf("stderr ends with %q, want %q", lines[len(lines)-1], final)
	}
	if stdout.String() != "" {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}

func TestProxyErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	ipc := "ipc://" + filepath.Join(t.TempDir(), "x")
	for _, tc := range []struct {
		args  []string
		usage bool
	}{
		{[]string{"proxy", "streamer", "tcp://" + busy.Addr().String(), ipc}, false},
		{[]string{"proxy", "streamer", ipc, "nosuch://x"}, true},
		{[]string{"proxy", "streamer", ipc, "tcp://no-port"}, true},
		{[]string{"proxy", "relay", ipc, ipc}, true},
		{[]string{"proxy", "streamer", ipc}, true},
		{[]string{"proxy", "queue", ipc, ipc + "2", "-o", "NOSUCH=1"}, true},
		{[]string{"proxy", "queue", ipc, ipc + "2", "-o", "ROUTER_MANDATORY=1"}, true}, // the DEALER refuses it
		{[]string{"proxy", "queue", ipc, ipc + "2", "--backend-option", "ROUTER_MANDATORY=1"}, true},
		{[]string{"proxy", "forwarder", ipc, ipc + "2", "--frontend-option", "XPUB_VERBOSE=1"}, true}, // the XSUB refuses it
		{[]string{"proxy", "streamer", ipc, ipc + "2", "--capture", ">"}, true},
	} {
		var out, errOut bytes.Buffer
		err := Run(context.Background(), tc.args, nil, &out, &errOut)
		if err == nil || errors.Is(err, ErrUsage) != tc.usage {
			t.Errorf("Run(%q) = %v; want an error, usage %v", tc.args, err, tc.usage)
		}
	}
}

// TestProxyStopsWhileStuck: a streamer whose backend has no peer holds the message it took,
// and the STATISTICS asked meanwhile waits for it; the stop must not.
func TestProxyStopsWhileStuck(t *testing.T) {
	dir := t.TempDir()
	in := "ipc://" + filepath.Join(dir, "in")
	stdout, stderr := newLinesOut(), newLinesOut()
	wait := runInBackground(t, []string{"proxy", "streamer", "@" + in, "ipc://" + filepath.Join(dir, "out"), "--stats", "1ms"}, stdout, stderr)
	waitForLine(t, stderr, formatStats("proxy:", [8]uint64{})) // it answers while idle
	src := connectedSocket(t, zmq.PUSH, in)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := src.Send(ctx, zmq.NewMsg([]byte("nowhere to go"))); err != nil {
		t.Fatal(err)
	}
	if err := wait(); err != nil {
		t.Fatalf("proxy after its context ended: %v", err)
	}
	lines := strings.Split(stderr.String(), "\n")
	if last := lines[len(lines)-1]; last != formatStats("proxy stopped:", [8]uint64{}) {
		t.Errorf("last line %q, want the final counts, all 0", last)
	}
}

// TestSteerStuckProxy drives steer with a stand-in for SteerableProxy that, like it while a
// Send of its is blocked, answers STATISTICS only once its context ends: steer must cancel it
// after stopWait and still print the counts it then gives.
func TestSteerStuckProxy(t *testing.T) {
	defer func(d time.Duration) { stopWait = d }(stopWait)
	stopWait = 10 * time.Millisecond
	zc := zmq.NewContext()
	defer zc.Close()
	control, client, err := controlPair(&session{zc: zc})
	if err != nil {
		t.Fatal(err)
	}
	asked := make(chan struct{})
	stuck := func(ctx context.Context) error {
		m, err := control.Recv(ctx)
		if err != nil || string(m.Frames[0]) != "STATISTICS" {
			return fmt.Errorf("first command %q, %v; want STATISTICS", m.Frames, err)
		}
		close(asked)
		<-ctx.Done()
		reply := zmq.Msg{}
		for i := range 8 {
			reply.Frames = append(reply.Frames, binary.LittleEndian.AppendUint64(nil, uint64(i+1)))
		}
		if err := control.Send(ctx, reply); err != nil {
			return err
		}
		return ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	stderr := newLinesOut()
	result := make(chan error, 1)
	go func() { result <- steer(ctx, time.Millisecond, stderr, client, stuck) }()
	select {
	case <-asked:
	case err := <-result:
		t.Fatalf("steer returned before it asked: %v", err)
	}
	cancel()
	if err := <-result; err != nil {
		t.Fatalf("steer = %v, want nil", err)
	}
	if got, want := stderr.String(), formatStats("proxy stopped:", [8]uint64{1, 2, 3, 4, 5, 6, 7, 8}); got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// TestProxySocketOptions: an option of one socket type goes to the side that takes it; a
// queue moves requests and replies with ROUTER_MANDATORY on its frontend.
func TestProxySocketOptions(t *testing.T) {
	dir := t.TempDir()
	front, back := "ipc://"+filepath.Join(dir, "front"), "ipc://"+filepath.Join(dir, "back")
	stdout, stderr := newLinesOut(), newLinesOut()
	wait := runInBackground(t, []string{"proxy", "queue", front, back, "--stats", "0",
		"--frontend-option", "ROUTER_MANDATORY=1", "--backend-option", "SNDHWM=10", "-o", "LINGER=0"}, stdout, stderr)
	req, rep := connectedSocket(t, zmq.REQ, front), connectedSocket(t, zmq.REP, back)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := req.Send(ctx, zmq.NewMsg([]byte("ping"))); err != nil {
		t.Fatal(err)
	}
	m, err := rep.Recv(ctx)
	if err != nil || string(m.Frames[0]) != "ping" {
		t.Fatalf("worker got %q, %v", m.Frames, err)
	}
	if err := rep.Send(ctx, zmq.NewMsg([]byte("pong"))); err != nil {
		t.Fatal(err)
	}
	if m, err = req.Recv(ctx); err != nil || string(m.Frames[0]) != "pong" {
		t.Fatalf("client got %q, %v", m.Frames, err)
	}
	if err := wait(); err != nil {
		t.Fatalf("proxy after its context ended: %v", err)
	}
}
