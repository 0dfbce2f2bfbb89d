package compare

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

// heldRoles are the roles that, under -hold, stay open until the measuring side is done: they
// wait for EOF on stdin (peer -hold, the C peers' "hold" argument). Without it, close-time
// losses fail runs: libzmq's receiver drops what it had not read when an ipc peer goes
// (libzmq issue #4660), mangos's PUSH drops its send queue, a REP may lose its last reply.
var heldRoles = map[string]bool{"thr_send": true, "lat_rep": true, "push_fair": true}

// errTimeout marks a run whose processes were killed at the timeout.
var errTimeout = errors.New("timed out")

// runner starts peer processes.
type runner struct {
	bin     string // directory of the built peers
	ipcDir  string // where ipc endpoints live
	timeout time.Duration
	hold    bool  // see heldRoles
	pins    *pins // the processors of pinned contenders; nil: none (pins.go)
	seq     int
}

// proc is one running peer.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr *watcher
	stdin  io.WriteCloser // set for a held peer
	done   chan struct{}  // closed when Wait returned; err is then set
	err    error
}

// watcher collects a peer's stderr and signals its "ready" line.
type watcher struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	seen  bool
}

func (w *watcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.seen && bytes.Contains(w.buf.Bytes(), []byte("ready\n")) {
		w.seen = true
		close(w.ready)
	}
	return len(p), nil
}

// summary is what the peer said on stderr, less the ready line, in one line of at most a few
// hundred bytes. Of a Go runtime crash it keeps the message and the first frame outside the
// runtime, not the whole traceback.
func (w *watcher) summary() string {
	w.mu.Lock()
	text := w.buf.String()
	w.mu.Unlock()
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimRight(l, " \r"); l != "" && l != "ready" {
			lines = append(lines, l)
		}
	}
	crash := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") || strings.HasPrefix(l, "runtime: ") {
			crash = i
			break
		}
	}
	if crash >= 0 {
		var keep []string
		for _, l := range lines[crash:] {
			if strings.HasPrefix(l, "goroutine ") || strings.HasPrefix(l, "runtime stack:") || strings.HasPrefix(l, "[signal") {
				break
			}
			keep = append(keep, l)
		}
		for _, l := range lines[crash:] {
			if f, _, ok := strings.Cut(l, "("); ok && !strings.HasPrefix(l, "\t") && strings.Contains(f, ".") &&
				!strings.HasPrefix(f, "runtime.") && !strings.HasPrefix(l, "panic") && !strings.HasPrefix(l, "created by") {
				keep = append(keep, "in "+strings.TrimSuffix(l[:strings.LastIndex(l, "(")], ")"))
				break
			}
		}
		lines = keep
	}
	s := inUse.ReplaceAllString(strings.Join(lines, " / "), "")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// inUse is the part of Go's out-of-memory message that differs from run to run.
var inUse = regexp.MustCompile(` \(\d+ in use\)`)

// command is the command line of impl playing role, secured by CURVE when curve (the bound side
// the server).
func (r *runner) command(impl, role string, bind bool, endpoint string, size, count int, curve bool) (string, []string) {
	mode := "connect"
	if bind {
		mode = "bind"
	}
	if impl == "libzmq" {
		args := []string{mode, endpoint, fmt.Sprint(size), fmt.Sprint(count)}
		if strings.HasSuffix(role, "_inproc") {
			args = args[1:]
		}
		if r.held(role) {
			args = append(args, "hold")
		}
		if curve {
			args = append(args, "curve")
		}
		return filepath.Join(r.bin, role), args
	}
	args := []string{"-impl", impl, "-role", role, "-mode", mode, "-endpoint", endpoint,
		"-size", fmt.Sprint(size), "-count", fmt.Sprint(count)}
	if r.held(role) {
		args = append(args, "-hold")
	}
	if curve {
		args = append(args, "-curve")
	}
	return filepath.Join(r.bin, "peer"), args
}

func (r *runner) held(role string) bool { return rpcHeld[role] || r.hold && heldRoles[role] }

func (r *runner) start(ctx context.Context, impl, role string, bind bool, endpoint string, size, count int, curve bool) (*proc, error) {
	path, args := r.command(impl, role, bind, endpoint, size, count, curve)
	return r.launch(ctx, impl+" "+role, role, path, args)
}

// launch starts the peer at path, named name, playing role (held when r.held says so).
func (r *runner) launch(ctx context.Context, name, role, path string, args []string) (*proc, error) {
	p := &proc{name: name, stderr: &watcher{ready: make(chan struct{})}, done: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, path, args...)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = p.stderr
	p.cmd.WaitDelay = 2 * time.Second
	if r.held(role) {
		var err error
		if p.stdin, err = p.cmd.StdinPipe(); err != nil {
			return nil, err
		}
	}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// awaitReady waits until p said ready, or fails when it ended without.
func (p *proc) awaitReady(ctx context.Context, timeout time.Duration) error {
	select {
	case <-p.stderr.ready:
	case <-p.done:
		// A server that said ready and ended at once (done too by the time select looked;
		// select picks either) goes on; one that ended without saying ready failed.
		select {
		case <-p.stderr.ready:
		default:
			return p.failure(ctx, timeout)
		}
	}
	return nil
}

// release lets a held peer close (EOF on its stdin).
func (p *proc) release() {
	if p.stdin != nil {
		p.stdin.Close()
	}
}

// failure describes why p failed: its exit status and the end of its stderr.
func (p *proc) failure(ctx context.Context, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w after %v and was killed", p.name, errTimeout, timeout)
	}
	msg := p.stderr.summary()
	if msg == "" {
		msg = "no output on stderr"
	}
	return fmt.Errorf("%s: %v: %s", p.name, p.err, msg)
}

// endpoint returns a fresh endpoint for one run: a port free a moment ago, an ipc path of its
// own, an inproc name.
func (r *runner) endpoint(transport string) (string, error) {
	r.seq++
	switch transport {
	case "tcp", CurveTransport:
		port, err := freePort()
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("tcp://127.0.0.1:%d", port), nil
	case "ipc":
		return "ipc://" + filepath.Join(r.ipcDir, fmt.Sprintf("%d.ipc", r.seq)), nil
	case "inproc":
		return fmt.Sprintf("inproc://bench-%d", r.seq), nil
	}
	return "", fmt.Errorf("compare: unknown transport %q", transport)
}

// Measurement is what one run gives.
type Measurement struct {
	Value   float64       // msgs/s or µs, as the cell's metric
	Elapsed time.Duration // the measured part of the run
}

// run measures contender c once on cell with count messages (or round trips). grace is how long
// the measuring side may still run after its partner exited on its own: a partner exits only
// once its linger has written everything, so a measuring side still waiting long after that was
// sent less than it was promised (messages lost at close), and the run fails at once rather than
// at the timeout.
func (r *runner) run(ctx context.Context, cell Cell, c Contender, count int, grace time.Duration) (Measurement, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	ep, err := r.endpoint(cell.Transport)
	if err != nil {
		return Measurement{}, err
	}
	thr := cell.Metric == report.MsgsPerS
	if cell.Transport == "inproc" {
		role := "lat_inproc"
		if thr {
			role = "thr_inproc"
		}
		p, err := r.start(ctx, c.Client, role, true, ep, cell.Size, count, false)
		if err != nil {
			return Measurement{}, err
		}
		<-p.done
		if p.err != nil {
			return Measurement{}, p.failure(ctx, r.timeout)
		}
		return parseResult(p, cell)
	}

	// The handshake rate's server is the latency test's echo, answering one request on each of
	// count connections.
	serverRole, clientRole := "lat_rep", "lat_req"
	switch cell.Metric {
	case report.MsgsPerS:
		serverRole, clientRole = "thr_recv", "thr_send"
	case report.HandshakesPerS:
		clientRole = "hs_req"
	}
	curve := IsCurve(cell.Transport)
	path, args := r.command(c.Server, serverRole, true, ep, cell.Size, count, curve)
	if c.NoRecycle {
		args = append(args, "-norecycle")
	}
	server, err := r.launch(ctx, c.Server+" "+serverRole, serverRole, path, args)
	if err != nil {
		return Measurement{}, err
	}
	// Whatever happens, neither process outlives this run.
	defer func() { cancel(); <-server.done }()
	if err := server.awaitReady(ctx, r.timeout); err != nil {
		return Measurement{}, err
	}
	client, err := r.start(ctx, c.Client, clientRole, false, ep, cell.Size, count, curve)
	if err != nil {
		return Measurement{}, err
	}
	defer func() { cancel(); <-client.done }()

	measuring, other := server, client
	if !thr {
		measuring, other = client, server
	}
	select {
	case <-measuring.done:
	case <-other.done:
		if other.err != nil {
			return Measurement{}, other.failure(ctx, r.timeout)
		}
		select {
		case <-measuring.done:
		case <-time.After(grace):
			what := "the receiver had not got all messages"
			if !thr {
				what = "the requester still waited for a reply"
			}
			return Measurement{}, fmt.Errorf("%s exited, and %v later %s: lost at close", other.name, grace, what)
		}
	}
	if measuring.err != nil {
		return Measurement{}, measuring.failure(ctx, r.timeout)
	}
	m, err := parseResult(measuring, cell)
	if err != nil {
		return Measurement{}, err
	}
	other.release()
	<-other.done
	if other.err != nil {
		return Measurement{}, other.failure(ctx, r.timeout)
	}
	return m, nil
}

// result is the part of a peer's JSON line the driver reads.
type result struct {
	Size      int     `json:"size"`
	Count     int     `json:"count"`
	ElapsedS  float64 `json:"elapsed_s"`
	MsgsPerS  float64 `json:"msgs_per_s"`
	LatencyUS float64 `json:"latency_us"`
	HsPerS    float64 `json:"handshakes_per_s"`
}

func parseResult(p *proc, cell Cell) (Measurement, error) {
	var res result
	found := false
	for _, line := range strings.Split(p.stdout.String(), "\n") {
		if strings.HasPrefix(line, "{") {
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				return Measurement{}, fmt.Errorf("%s: result %q: %w", p.name, line, err)
			}
			found = true
		}
	}
	if !found {
		return Measurement{}, fmt.Errorf("%s: printed no result line (stdout %q)", p.name, p.stdout.String())
	}
	v := res.MsgsPerS
	switch cell.Metric {
	case report.LatencyUS:
		v = res.LatencyUS
	case report.HandshakesPerS:
		v = res.HsPerS
	}
	if res.Size != cell.Size || !(v > 0) || math.IsInf(v, 0) || !(res.ElapsedS > 0) {
		return Measurement{}, fmt.Errorf("%s: implausible result %+v for %v", p.name, res, cell)
	}
	return Measurement{Value: v, Elapsed: time.Duration(res.ElapsedS * float64(time.Second))}, nil
}
