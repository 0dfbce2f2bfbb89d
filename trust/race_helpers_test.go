package trust_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"go.uber.org/goleak"
)

// The close and shutdown races (race_*_test.go) each repeat one scenario; make test runs a few
// hundred rounds in all, make soak a thousand of each (-trust.iterations=1000).
var iterationsFlag = flag.Int("trust.iterations", 0,
	"rounds of each close/shutdown race scenario (0: the scenario's short default)")

// rounds is how many times a scenario runs: the flag when given, else short.
func rounds(short int) int {
	if *iterationsFlag > 0 {
		return *iterationsFlag
	}
	return short
}

// repeat runs round n times, stopping at the first failure, and then checks that the rounds
// left no goroutine behind: goleak against what ran before the loop (it retries while the last
// round's goroutines are exiting), and the count, logged.
func repeat(t *testing.T, n int, round func(t *testing.T, i int)) {
	t.Helper()
	before := runtime.NumGoroutine()
	opts := goleak.IgnoreCurrent()
	start := time.Now()
	var slowest time.Duration
	for i := 0; i < n && !t.Failed(); i++ {
		r := time.Now()
		round(t, i)
		slowest = max(slowest, time.Since(r))
	}
	if t.Failed() {
		return
	}
	goleak.VerifyNone(t, opts)
	t.Logf("%d rounds in %v (slowest %v); goroutines %d before, %d after", n,
		time.Since(start).Round(time.Millisecond), slowest.Round(time.Millisecond), before, runtime.NumGoroutine())
}

// await waits for c, failing the test with what the scenario was doing (and every goroutine's
// stack) when it takes longer than waitLong: each step of a race scenario is bounded, so a
// hang is a failure with a name rather than a test timeout.
func await[T any](t testing.TB, what string, c <-chan T) T {
	t.Helper()
	tm := time.NewTimer(waitLong)
	defer tm.Stop()
	select {
	case v := <-c:
		return v
	case <-tm.C:
		t.Fatalf("%s: not done after %v\n%s", what, waitLong, allStacks())
	}
	var zero T
	return zero
}

// async runs f in a goroutine and returns the channel its result arrives on.
func async[T any](f func() T) <-chan T {
	c := make(chan T, 1)
	go func() { c <- f() }()
	return c
}

// closeWithin closes s, failing the test unless Close returns within waitLong.
func closeWithin(t testing.TB, what string, s interface{ Close() error }) error {
	t.Helper()
	return await(t, what+": Close", async(s.Close))
}

// isClosedErr reports whether err is what a call cut short by Close returns.
func isClosedErr(err error) bool {
	return errors.Is(err, zmq.ErrClosed) && errors.Is(err, net.ErrClosed)
}

func allStacks() []byte {
	b := make([]byte, 1<<16)
	for {
		n := runtime.Stack(b, true)
		if n < len(b) {
			return b[:n]
		}
		b = make([]byte, 2*len(b))
	}
}

// goid is the calling goroutine's id, as its stack trace heads it.
func goid() uint64 {
	var b [64]byte
	n := runtime.Stack(b[:], false)
	f := strings.Fields(string(b[:n]))
	id, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		panic(fmt.Sprintf("goid: %q", b[:n]))
	}
	return id
}

// Wait reasons, as goroutine stack traces head them.
var (
	inSelect = []string{"select"}
	inRead   = []string{"IO wait"}
)

// blockedIn returns the goroutines blocked with fn on their stack, their wait reason starting
// with one of states.
func blockedIn(states []string, fn string) map[uint64]bool {
	ids := map[uint64]bool{}
	for g := range bytes.SplitSeq(allStacks(), []byte("\n\n")) {
		head, _, _ := bytes.Cut(g, []byte("\n"))
		var id uint64
		if _, err := fmt.Sscanf(string(head), "goroutine %d [", &id); err != nil {
			continue
		}
		_, state, _ := bytes.Cut(head, []byte("["))
		if !bytes.Contains(g, []byte(fn+"(")) {
			continue
		}
		for _, s := range states {
			if bytes.HasPrefix(state, []byte(s)) {
				ids[id] = true
			}
		}
	}
	return ids
}

// waitBlocked waits until enough(blockedIn(states, fn)). The runtime announces no goroutine
// parking, so it looks at the stacks until it sees it, yielding in between, and fails the test
// after waitLong.
func waitBlocked(t testing.TB, what string, states []string, fn string, enough func(map[uint64]bool) bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for i := 0; !enough(blockedIn(states, fn)); i++ {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not blocked in %s (%v) after %v\n%s", what, fn, states, waitLong, allStacks())
		}
		if i < 20 {
			runtime.Gosched()
		} else {
			time.Sleep(50 * time.Microsecond) // a poll interval: the next look decides
		}
	}
}

// waitParked waits until each goroutine of ids is blocked in fn.
func waitParked(t testing.TB, what string, ids []uint64, states []string, fn string) {
	t.Helper()
	waitBlocked(t, what, states, fn, func(got map[uint64]bool) bool {
		for _, id := range ids {
			if !got[id] {
				return false
			}
		}
		return true
	})
}

// waitCount waits until at least n goroutines are blocked in fn.
func waitCount(t testing.TB, what string, n int, states []string, fn string) {
	t.Helper()
	waitBlocked(t, what, states, fn, func(got map[uint64]bool) bool { return len(got) >= n })
}
