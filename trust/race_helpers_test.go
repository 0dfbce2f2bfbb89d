package trust_test

import (
	"context"
	"errors"
	"flag"
	"net"
	"runtime"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/parked"
	"go.uber.org/goleak"
)

// The close and shutdown races (race_*_test.go) each repeat one scenario: 100 rounds in make
// test, 1,000 in make soak (-trust.iterations=1000).
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

// Where the race scenarios' calls block.
var (
	inSelect = parked.Select
	inRead   = parked.IOWait
)

func allStacks() []byte { return parked.Stacks() }

var goid = parked.ID

// waitBlocked waits until enough(the goroutines blocked in fn, in one of states), failing the
// test after waitLong.
func waitBlocked(t testing.TB, what string, states []string, fn string, enough func(map[uint64]bool) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if err := parked.Until(ctx, parked.Where{Func: fn, States: states}, enough); err != nil {
		t.Fatalf("%s: %v", what, err)
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
