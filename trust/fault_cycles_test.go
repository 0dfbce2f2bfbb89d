package trust_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

const cycles = 1000

// What 1,000 cycles may leave behind, once everything has settled: a few goroutines and
// descriptors the runtime may hold at the moment of counting; 256 bytes of live heap per cycle
// (a connection's smallest buffer is 8 KiB, so a leaked connection shows 30 times over); and
// resident memory for the runtime's own growth. Under -race the detector's bookkeeping grows
// with every goroutine started and is never given back (measured: about 10 MiB per 1,000
// connections), so there resident memory gets a wide margin and the heap is the sharp measure.
const (
	tolGoroutines = 5
	tolFDs        = 5
	tolHeap       = 256 * cycles
)

func tolRSS() int64 {
	if raceEnabled {
		return 64 << 20
	}
	return 16 << 20
}

// usage is what the process holds.
type usage struct {
	goroutines, fds int
	heap, rss       int64 // live heap after a GC; resident set
}

func measure(t *testing.T) usage {
	t.Helper()
	u, err := readUsage()
	if err != nil {
		t.Skipf("cannot measure: %v", err)
	}
	return u
}

// readUsage measures what the process holds, after a garbage collection.
func readUsage() (usage, error) {
	debug.FreeOSMemory() // runs a GC first
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return usage{}, err
	}
	rss, err := vmRSS()
	return usage{goroutines: runtime.NumGoroutine(), fds: len(fds), heap: int64(ms.HeapAlloc), rss: rss}, err
}

func vmRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}

// settled measures once the goroutines and descriptors of what was closed are gone. Nothing
// announces that a goroutine has exited, so this polls, as goleak does, up to waitLong.
func settled(t *testing.T, base usage) usage { t.Helper(); return settledAt(t, base, tolGoroutines) }

// settledAt is settled with a tolerance of tol goroutines and descriptors.
func settledAt(t *testing.T, base usage, tol int) usage {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		u := measure(t)
		if u.goroutines <= base.goroutines+tol && u.fds <= base.fds+tol || time.Now().After(deadline) {
			return u
		}
		time.Sleep(wait)
	}
}

// TestFaultConnectCycles connects and disconnects 1,000 times, and opens and closes 1,000
// sockets, each time through a full handshake and one message, and checks that goroutines,
// file descriptors and resident memory come back to where they were.
func TestFaultConnectCycles(t *testing.T) {
	for _, v := range []struct {
		name  string
		cycle func(t *testing.T, push, pull *zmq.Socket, ep string, i int)
	}{
		{"Connect-Disconnect", func(t *testing.T, push, pull *zmq.Socket, ep string, i int) {
			connectTCP(t, push, ep)
			sendOne(t, push, i)
			recvOne(t, pull, i) // before Disconnect, which drops what is queued
			if err := push.Disconnect("tcp://" + ep); err != nil {
				t.Fatal(err)
			}
		}},
		{"NewSocket-Close", func(t *testing.T, _, pull *zmq.Socket, ep string, i int) {
			s, err := zmq.NewSocket(zmq.PUSH, zmq.WithLinger(0))
			if err != nil {
				t.Fatal(err)
			}
			connectTCP(t, s, ep)
			sendOne(t, s, i)
			recvOne(t, pull, i) // before Close, which with LINGER 0 drops what is queued
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(v.name, func(t *testing.T) {
			pull := newSocket(t, zmq.PULL)
			ep := bindTCP(t, pull)
			push := newSocket(t, zmq.PUSH)
			bound := watch(t, pull)
			run := func(from, to int) {
				for i := from; i < to; i++ {
					v.cycle(t, push, pull, ep, i)
				}
				// The bound side has seen every connection go.
				bound.waitFor(t, zmq.EventDisconnected, to, waitLong)
			}
			run(0, 50) // warm up: pools, buffers and the runtime's own structures
			before := settled(t, measure(t))
			start := time.Now()
			run(50, 50+cycles)
			took := time.Since(start)
			after := settled(t, before)
			t.Logf("%d cycles in %v: goroutines %d -> %d, fds %d -> %d, heap %.1f -> %.1f KiB, RSS %.1f -> %.1f MiB",
				cycles, took, before.goroutines, after.goroutines, before.fds, after.fds,
				float64(before.heap)/(1<<10), float64(after.heap)/(1<<10),
				float64(before.rss)/(1<<20), float64(after.rss)/(1<<20))
			if after.goroutines > before.goroutines+tolGoroutines {
				t.Errorf("goroutines grew by %d over %d cycles", after.goroutines-before.goroutines, cycles)
			}
			if after.fds > before.fds+tolFDs {
				t.Errorf("file descriptors grew by %d over %d cycles", after.fds-before.fds, cycles)
			}
			if after.heap > before.heap+tolHeap {
				t.Errorf("live heap grew by %.1f KiB over %d cycles", float64(after.heap-before.heap)/(1<<10), cycles)
			}
			if after.rss > before.rss+tolRSS() {
				t.Errorf("RSS grew by %.1f MiB over %d cycles", float64(after.rss-before.rss)/(1<<20), cycles)
			}
		})
	}
}

func sendOne(t *testing.T, s *zmq.Socket, i int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if err := s.Send(ctx, zmq.NewMsg([]byte(strconv.Itoa(i)))); err != nil {
		t.Fatalf("cycle %d: Send: %v", i, err)
	}
}

func recvOne(t *testing.T, s *zmq.Socket, i int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	m, err := s.Recv(ctx)
	if err != nil {
		t.Fatalf("cycle %d: Recv: %v\nevery goroutine:\n%s", i, err, allStacks())
	}
	if len(m.Frames) != 1 || !bytes.Equal(m.Frames[0], []byte(strconv.Itoa(i))) {
		t.Fatalf("cycle %d: received %q", i, m.Frames)
	}
}
