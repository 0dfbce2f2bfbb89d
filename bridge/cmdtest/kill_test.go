package cmdtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	zmq "github.com/purezmq/zmq"
)

// testTimeout bounds each test: a bridge that loses a message makes it fail, not hang.
const testTimeout = 2 * time.Minute

// retryAfter is the sender's retry timer: unanswered messages are sent again after this long
// without an answer.
const retryAfter = time.Second

// bridgeProc is a running `zmq bridge`.
type bridgeProc struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan error
	exited chan struct{} // closed when the process has ended
}

func startBridge(t *testing.T, args ...string) *bridgeProc {
	t.Helper()
	p := &bridgeProc{stderr: newLockedBuffer("metrics at "), done: make(chan error, 1), exited: make(chan struct{})}
	p.cmd = exec.Command(zmqBin, append([]string{"bridge"}, args...)...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := p.cmd.Wait()
		close(p.exited)
		p.done <- err
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		p.done <- nil
	})
	return p
}

// wait waits for the process's end and returns its exit status.
func (p *bridgeProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		if err == nil {
			return 0
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		t.Fatal(err)
	case <-time.After(testTimeout):
		t.Fatalf("zmq bridge did not end; stderr:\n%s", p.stderr)
	}
	return -1
}

// lockedBuffer keeps a process's stderr, and the first complete line starting with want.
type lockedBuffer struct {
	mu   sync.Mutex
	b    strings.Builder
	want string
	line chan string // the line, once
	seen bool
}

func newLockedBuffer(want string) *lockedBuffer {
	return &lockedBuffer{want: want, line: make(chan string, 1)}
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.b.WriteString(string(p))
	if !b.seen {
		for _, l := range strings.SplitAfter(b.b.String(), "\n") {
			if strings.HasPrefix(l, b.want) && strings.HasSuffix(l, "\n") {
				b.seen = true
				b.line <- strings.TrimSuffix(l, "\n")
				break
			}
		}
	}
	return n, err
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// declareQueue makes a durable queue of its own for a test.
func declareQueue(t *testing.T, name string) {
	t.Helper()
	conn, err := amqp.Dial(broker.AMQPURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare(name, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
}

// writeConfig writes a bridge configuration: ROUTER in (ipc) → queue → DEALER out (ipc) with
// peer acknowledgements, so both directions are at least once.
func writeConfig(t *testing.T, dir, queue string) (path, in, out string) {
	t.Helper()
	in, out = "ipc://"+filepath.Join(dir, "in"), "ipc://"+filepath.Join(dir, "out")
	cfg := fmt.Sprintf(`brokers:
  rabbit: {protocol: amqp091, url: %q}
routes:
  - name: in
    direction: to-broker
    broker: rabbit
    address: queue/%s
    socket: {type: ROUTER, bind: [%q]}
    window: 50
  - name: out
    direction: from-broker
    broker: rabbit
    address: queue/%s
    socket: {type: DEALER, bind: [%q]}
    peer_ack: true
    window: 50
metrics: 127.0.0.1:0
`, broker.AMQPURL(), queue, in, queue, out)
	path = filepath.Join(dir, "bridge.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, in, out
}

// sender sends messages "0".."n-1" through a DEALER to the bridge's ROUTER, each with its
// number as envelope, keeps those the bridge has not answered OK (the broker has not confirmed
// them) and sends them again on resend. It never has more than window unanswered.
type sender struct {
	s        *zmq.Socket
	mu       sync.Mutex
	pending  map[int]bool
	answered int
	next     int
}

func (sd *sender) send(ctx context.Context, i int) error {
	seq := []byte(strconv.Itoa(i))
	return sd.s.Send(ctx, zmq.NewMsg(seq, nil, []byte("kill"), seq))
}

// receiver answers every delivery of the bridge's DEALER with its id and counts the numbers.
type receiver struct {
	mu   sync.Mutex
	seen map[int]int
	n    int
	all  chan struct{} // closed once every number of 0..n-1 arrived
}

func (r *receiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

func (r *receiver) run(ctx context.Context, s *zmq.Socket) error {
	for {
		m, err := s.Recv(ctx)
		if err != nil {
			return err
		}
		// [routing id, bridge's id, subject, body]
		if len(m.Frames) != 4 || string(m.Frames[2]) != "kill" {
			return fmt.Errorf("delivery %q: want [routing id, id, kill, number]", m.Frames)
		}
		n, err := strconv.Atoi(string(m.Frames[3]))
		if err != nil {
			return fmt.Errorf("delivery body %q", m.Frames[3])
		}
		r.mu.Lock()
		r.seen[n]++
		if r.seen[n] == 1 && len(r.seen) == r.n {
			close(r.all)
		}
		r.mu.Unlock()
		if err := s.Send(ctx, zmq.NewMsg(m.Frames[0], m.Frames[1])); err != nil {
			return err
		}
	}
}

// TestBridgeKilledAndStopped: messages stream ZeroMQ → RabbitMQ → ZeroMQ through `zmq bridge`;
// the bridge is killed (SIGKILL) mid-stream and started again, later stopped (SIGTERM, exit 0)
// mid-stream and started again. Every message arrives at least once, counted end to end, and
// the duplicates are reported.
func TestBridgeKilledAndStopped(t *testing.T) {
	needBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	dir := t.TempDir()
	queue := "cmdtest-kill"
	declareQueue(t, queue)
	cfg, in, out := writeConfig(t, dir, queue)

	zc := zmq.NewContext()
	defer zc.Close()
	dealer, err := zc.NewSocket(zmq.DEALER, zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	router, err := zc.NewSocket(zmq.ROUTER, zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	const n, window = 3000, 200
	sd := &sender{s: dealer, pending: map[int]bool{}}
	rc := &receiver{seen: map[int]int{}, n: n, all: make(chan struct{})}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	recvErr := make(chan error, 1)
	wg.Go(func() { recvErr <- rc.run(ctx, router) })

	bridge := startBridge(t, "--config", cfg)
	if err := dealer.Connect(in); err != nil {
		t.Fatal(err)
	}
	if err := router.Connect(out); err != nil {
		t.Fatal(err)
	}
	resend := func() {
		t.Helper()
		for i := range sd.pending {
			if err := sd.send(ctx, i); err != nil {
				t.Fatal(err)
			}
		}
	}

	// pump sends new messages while fewer than window are unanswered, and reads answers, until
	// stopAt messages were answered.
	pump := func(stopAt int) {
		t.Helper()
		// A bridge that exits by itself fails the test at once, with its stderr.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		exited := bridge.exited
		go func() {
			select {
			case <-exited:
				cancel()
			case <-ctx.Done():
			}
		}()
		for sd.answered < stopAt {
			for sd.next < n && len(sd.pending) < window {
				sd.pending[sd.next] = true
				if err := sd.send(ctx, sd.next); err != nil {
					t.Fatal(err)
				}
				sd.next++
			}
			// The sender's retry timer, as any at-least-once sender has: what it sent while the
			// bridge was going away may be lost on the ZeroMQ side, so unanswered messages are
			// sent again when no answer comes for a while.
			wait, stopWait := context.WithTimeout(ctx, retryAfter)
			m, err := dealer.Recv(wait)
			stopWait()
			if err != nil && ctx.Err() == nil {
				resend()
				continue
			}
			if err != nil {
				t.Fatalf("waiting for the bridge's answers (%d of %d answered): %v; bridge stderr:\n%s",
					sd.answered, n, err, bridge.stderr)
			}
			if len(m.Frames) != 3 || len(m.Frames[1]) != 0 {
				t.Fatalf("answer %q: want [number, empty, OK]", m.Frames)
			}
			i, _ := strconv.Atoi(string(m.Frames[0]))
			if string(m.Frames[2]) != "OK" {
				t.Fatalf("message %d answered %q", i, m.Frames[2])
			}
			if sd.pending[i] {
				delete(sd.pending, i)
				sd.answered++
			}
		}
	}

	pump(n / 3)
	_ = bridge.cmd.Process.Signal(syscall.SIGKILL)
	bridge.wait(t)
	bridge = startBridge(t, "--config", cfg)
	resend() // what the killed bridge took without answering

	pump(2 * n / 3)
	var metricsAddr string
	select {
	case line := <-bridge.stderr.line: // "metrics at http://ADDR/metrics"
		metricsAddr = strings.TrimSuffix(strings.TrimPrefix(line, "metrics at http://"), "/metrics")
	case <-ctx.Done():
		t.Fatalf("the bridge did not say where its metrics are; stderr:\n%s", bridge.stderr)
	}
	scrape := scrapeMetrics(t, metricsAddr)
	if !strings.Contains(scrape, `zmq_bridge_`) || !strings.Contains(scrape, `route="in"`) {
		t.Errorf("metrics at %s lack the bridge's counters:\n%.2000s", metricsAddr, scrape)
	}
	_ = bridge.cmd.Process.Signal(syscall.SIGTERM)
	if code := bridge.wait(t); code != 0 || !strings.Contains(bridge.stderr.String(), "bridge stopped") {
		t.Fatalf("SIGTERM: exit %d, want 0 and \"bridge stopped\"; stderr:\n%s", code, bridge.stderr)
	}
	bridge = startBridge(t, "--config", cfg)
	resend()

	pump(n)
	select {
	case <-rc.all:
	case err := <-recvErr:
		t.Fatalf("receiver: %v (%d of %d arrived)", err, rc.distinct(), n)
	case <-ctx.Done():
		t.Fatalf("%d of %d messages arrived; missing e.g. %v; bridge stderr:\n%s",
			rc.distinct(), n, rc.missing(n, 10), bridge.stderr)
	}
	dups := 0
	rc.mu.Lock()
	for _, c := range rc.seen {
		dups += c - 1
	}
	rc.mu.Unlock()
	t.Logf("%d messages, all arrived; %d duplicates (at least once across a kill and a stop)", n, dups)
}

func (r *receiver) missing(n, max int) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int
	for i := 0; i < n && len(out) < max; i++ {
		if r.seen[i] == 0 {
			out = append(out, i)
		}
	}
	return out
}

func scrapeMetrics(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(bufio.NewReader(resp.Body))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
