package trust_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	soakFaults = flag.Duration("trust.soakfaults", 0, "how long TestSoakFaults runs its traffic (make soak-faults); 0 skips it")
	soakSample = flag.Duration("trust.soaksample", 30*time.Second, "how often TestSoakFaults samples goroutines, FDs, RSS and heap")
)

// Bounds on every wait of the soak, so that a hang is a failure with a seed, never a stuck run.
// They are generous: the soak runs under -race on two shared cores.
const (
	stallBound   = 2 * time.Minute  // a lane receives nothing, or a Send blocks, this long: a hang
	faultBound   = time.Minute      // an armed cut or corruption that nothing reaches: the stream stalled
	recoverBound = time.Minute      // the stream resumes after a fault is lifted
	drainBound   = 3 * time.Minute  // every sender's last messages arrive once the faults stop
	soakSlack    = 15 * time.Minute // past the traffic time, the whole test panics with every stack
)

// TestSoakFaults runs every pattern family at once for -trust.soakfaults: PUSH-PULL, PUB-SUB,
// DEALER-ROUTER (the ROUTER echoes), REQ-REP (a lazy pirate: after waiting in vain the client
// closes its REQ, opens a new one and asks again, waiting twice as long each time) and PAIR (the
// bound side echoes), each over tcp through a faultnet relay under NULL, again under CURVE, and
// over ipc and inproc without faults as controls: twenty lanes, each sending at most laneRate.
// Each relay has a fault schedule drawn from the seed (-trust.seed): at random times it cuts
// the stream (FIN) or resets it (RST) after a random number of bytes, mostly inside a frame;
// blackholes it until heartbeats (100 ms, timeout 1 s) have dropped the connection on both
// sides; throttles or delays it for a while; or corrupts it: under CURVE random bits anywhere in
// either direction (the MAC must catch them), under NULL a byte of each new connection's
// greeting that the handshake must refuse (NULL cannot detect damage to a body, and no other
// byte has a known offset). One fault at a time per relay, and after each the stream must
// resume; a connect side that a protocol error made give up its endpoint (as libzmq does) is
// connected again, as an application would. Every receiver checks every byte of every message
// (codec_test.go) and tallies what arrived per stream (fault_stream_test.go).
//
// The run FAILS on:
//   - a corrupted message delivered, on any lane;
//   - a message delivered twice, except a request REP sees again after the client's retry;
//   - loss beyond what the pattern allows, counted over the sequence numbers a stream's sender
//     sent (an echo stream sends back the requests that reached it), a gap being a run of them
//     lost back to back, a missing tail included. On a control lane: nothing lost, in order.
//     On a relay lane, where a stream's sender has had C connections ready for messages
//     (handshakes that succeeded on its side), C-1 of them broken:
//     PUSH→PULL, DEALER→ROUTER and PAIR both ways are reliable pipes, which lose only what a
//     broken connection held: at most C-1 gaps; PUB→SUB and the ROUTER's echoes may lose
//     anything (both drop what they cannot deliver); REQ-REP loses nothing: every request is
//     answered, once, in order, and REP saw each at least once. Everywhere the arrival order
//     splits into at most C increasing runs: order holds per connection;
//   - a damaged NULL greeting not refused, or any handshake succeeding while greetings are
//     damaged; a blackhole not detected within 20 heartbeat timeouts; a stream that does not
//     resume within recoverBound of a fault lifted; a lane that receives nothing for
//     stallBound, a Send blocked that long, an armed cut that never comes, a drain not done
//     within drainBound;
//   - growth between the samples taken with every lane connected and idle, before the traffic
//     and after it: goroutines or file descriptors by more than soakTolCount, live heap by more
//     than soakTolHeap plus what the sockets' pools may keep (poolMax each); and between the
//     start and the end, everything closed: the same, without the pools.
func TestSoakFaults(t *testing.T) {
	if *soakFaults <= 0 {
		t.Skip("a long run: -trust.soakfaults=10m (make soak-faults)")
	}
	sk := newSoak(t, *seedFlag)
	t.Logf("seed %d; replay the schedules: go test -race -run '^TestSoakFaults$' -v ./trust -trust.soakfaults=%v -trust.seed=%d",
		sk.seed, *soakFaults, sk.seed)
	watchdog := time.AfterFunc(*soakFaults+soakSlack, func() {
		panic(fmt.Sprintf("TestSoakFaults (seed %d) still running %v after it began:\n%s", sk.seed, *soakFaults+soakSlack, allStacks()))
	})
	defer watchdog.Stop()

	start := sk.mark("start", measure(t))
	sk.open()
	defer sk.close() // on a failure of the test goroutine; a second close does nothing
	idle := sk.mark("connected, idle", measure(t))
	if !sk.failed() {
		sk.run(*soakFaults)
	}
	sk.drain()
	if !sk.failed() { // after a failure the drain was cut short: the counts say little
		sk.checkLanes()
	}
	after := sk.mark("traffic stopped", settledAt(t, idle, soakTolCount))
	sockets := sk.sockets()
	sk.close()
	sk.reportStreams()
	sk.reportFaults()
	// The monitors' stop functions keep the closed sockets, and what their pools hold,
	// reachable: let all of it go before measuring.
	sk.lanes = nil
	end := settledAt(t, start, soakTolCount)
	// What only a finalizer kept (a closed connection's descriptor, and what hangs off it)
	// goes at the collection after the one that ran the finalizer: measure again a few times,
	// as settled polls for goroutines.
	for i := 0; i < 5 && end.heap > start.heap+soakTolHeap; i++ {
		end = measure(t)
	}
	sk.mark("closed", end)
	sk.reportSamples()
	if !sk.failed() { // after a failure the lanes did not end in the state they began in
		sk.checkGrowth("after the traffic, against before it", idle, after, soakTolHeap+int64(sockets)*poolMax)
		sk.checkGrowth("after closing, against the start", start, end, soakTolHeap)
	}
}

// soak is one run: its lanes and what it has seen.
type soak struct {
	t      *testing.T
	seed   uint64
	start  time.Time
	lanes  []*lane
	ctx    context.Context // ends on a failure, and when the lanes close
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine of every lane

	mu       sync.Mutex
	failures int
	samples  []sample
	closed   bool
}

func newSoak(t *testing.T, seed uint64) *soak {
	sk := &soak{t: t, seed: seed, start: time.Now()}
	sk.ctx, sk.cancel = context.WithCancel(context.Background())
	return sk
}

// spawn runs f as one of the soak's goroutines, labelled with what it serves: a hang's
// goroutine profile groups the stacks under their lanes (with the goroutines they started).
func (sk *soak) spawn(label string, f func()) {
	sk.wg.Add(1)
	go pprof.Do(context.Background(), pprof.Labels("lane", label), func(context.Context) {
		defer sk.wg.Done()
		f()
	})
}

const maxSoakFailures = 12

// fail records a failure and ends the run: later ones are often consequences.
func (sk *soak) fail(format string, args ...any) {
	sk.mu.Lock()
	sk.failures++
	n := sk.failures
	sk.mu.Unlock()
	if n <= maxSoakFailures {
		sk.t.Errorf("%7.1fs "+format, append([]any{time.Since(sk.start).Seconds()}, args...)...)
	}
	sk.cancel()
}

func (sk *soak) failed() bool {
	sk.mu.Lock()
	defer sk.mu.Unlock()
	return sk.failures > 0
}

// hang fails the run for something that took longer than its bound, with every goroutine's
// stack written to a file: where the engine waits is the first clue.
func (sk *soak) hang(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	var b strings.Builder
	b.WriteString(msg + "\n\nlanes:\n")
	for _, l := range sk.lanes {
		b.WriteString(l.status() + "\n")
	}
	b.WriteString("\ngoroutines by lane:\n")
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	b.WriteString("\nevery goroutine:\n" + string(allStacks()))
	name := filepath.Join(os.TempDir(), fmt.Sprintf("trust-soak-hang-%d-%d.txt", sk.seed, time.Now().UnixNano()))
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err == nil {
		msg += "\n    every lane's state and goroutine at the time: " + name
	}
	sk.fail("HANG: %s", msg)
}

// sleep waits d unless the run fails first; false if it did.
func (sk *soak) sleep(d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-sk.ctx.Done():
		return false
	}
}
