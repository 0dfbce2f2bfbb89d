// Package parked lets a test wait until goroutines are blocked where it expects them: a Recv
// parked in its connection's read, a Close parked in its linger, a Poll parked in its select.
// The runtime announces no such thing, so it reads the goroutines' stack traces (their wait
// reason and their functions) until it sees it. Tests only; nothing in the library imports it.
package parked

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strconv"
	"time"
)

// Where is a place a goroutine blocks: a function on its stack ("socket.(*Socket).Recv",
// package-qualified as stack traces print it) and the wait reasons that count, as stack traces
// head them ("select", "IO wait", "sync.Cond.Wait", ...).
type Where struct {
	Func   string
	States []string
}

// Wait reasons.
var (
	Select = []string{"select"}
	IOWait = []string{"IO wait"}
)

// ID is the calling goroutine's id, as its stack trace heads it.
func ID() uint64 {
	var b [64]byte
	n := runtime.Stack(b[:], false)
	f := bytes.Fields(b[:n])
	id, err := strconv.ParseUint(string(f[1]), 10, 64)
	if err != nil {
		panic(fmt.Sprintf("parked: %q", b[:n]))
	}
	return id
}

// Stacks returns every goroutine's stack trace.
func Stacks() []byte {
	b := make([]byte, 1<<16)
	for {
		n := runtime.Stack(b, true)
		if n < len(b) {
			return b[:n]
		}
		b = make([]byte, 2*len(b))
	}
}

// Blocked returns the ids of the goroutines blocked at w now.
func Blocked(w Where) map[uint64]bool {
	ids := map[uint64]bool{}
	fn := []byte(w.Func + "(")
	for g := range bytes.SplitSeq(Stacks(), []byte("\n\n")) {
		head, _, _ := bytes.Cut(g, []byte("\n"))
		var id uint64
		if _, err := fmt.Sscanf(string(head), "goroutine %d [", &id); err != nil {
			continue
		}
		_, state, _ := bytes.Cut(head, []byte("["))
		if !bytes.Contains(g, fn) {
			continue
		}
		for _, s := range w.States {
			if bytes.HasPrefix(state, []byte(s)) {
				ids[id] = true
			}
		}
	}
	return ids
}

// Until looks at the goroutines blocked at w until enough says so, and returns nil then, or
// an error naming w, with every goroutine's stack, once ctx ends.
func Until(ctx context.Context, w Where, enough func(blocked map[uint64]bool) bool) error {
	for i := 0; !enough(Blocked(w)); i++ {
		if ctx.Err() != nil {
			return fmt.Errorf("not blocked in %s (%v): %w\n%s", w.Func, w.States, ctx.Err(), Stacks())
		}
		if i < 20 {
			runtime.Gosched()
		} else {
			time.Sleep(50 * time.Microsecond) // a poll interval: the next look decides
		}
	}
	return nil
}

// All waits until each goroutine of ids is blocked at w.
func All(ctx context.Context, w Where, ids ...uint64) error {
	return Until(ctx, w, func(blocked map[uint64]bool) bool {
		for _, id := range ids {
			if !blocked[id] {
				return false
			}
		}
		return true
	})
}

// AtLeast waits until n goroutines are blocked at w.
func AtLeast(ctx context.Context, w Where, n int) error {
	return Until(ctx, w, func(blocked map[uint64]bool) bool { return len(blocked) >= n })
}
