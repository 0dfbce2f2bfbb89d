package notify

import (
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// A slow listener during a flood loses only its own copies, at its HWM, and counts them; a
// listener keeping up gets everything; and the memory the slow one costs stays within what
// its HWMs allow, though the flood is forty times the HWM.
func TestSlowListenerFlood(t *testing.T) {
	const (
		hwm     = 64
		flood   = 40 * hwm
		batch   = hwm / 4
		payload = 2 << 10
	)
	// Small kernel buffers, so that the HWMs are what fills (loopback's can hold megabytes).
	small := withSocketOptions(zmq.WithSendBuffer(16<<10), zmq.WithRecvBuffer(16<<10))
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			// The in-memory registry: the heap measured is the notification path's alone (a
			// Redis client's connection pool grows with the process's concurrency, and would
			// blur it); discovery through Redis is what the other tests use.
			reg := memoryWorld(t, "direct").reg
			w := newWorld(t, "direct", reg)
			if mode == "hub" {
				w.hub = true
				w.startHub(WithHWM(hwm), small)
			}
			n := w.notifier("p1", WithHWM(hwm), small)
			ctx := testCtx(t)

			var fastGot atomic.Int64
			fastCh := make(chan struct{}, 1)
			fast := w.listener(func(context.Context, *Notification) Result {
				fastGot.Add(1)
				select {
				case fastCh <- struct{}{}:
				default:
				}
				return Handled
			})
			release := make(chan struct{})
			marker := make(chan struct{})
			slow := w.listener(func(_ context.Context, x *Notification) Result {
				<-release
				if payloadN(t, x) == -1 {
					close(marker)
				}
				return Handled
			}, WithHWM(hwm), small)

			// sendPaced sends one batch at a time, waiting for the fast listener to have it
			// all, so that only the slow one falls behind.
			body := strings.Repeat("x", payload)
			sent := 0
			send := func(i int) {
				if err := n.Info(ctx, "flood", map[string]any{"n": i, "pad": body}); err != nil {
					t.Fatal(err)
				}
				sent++
			}
			waitFast := func() {
				for fastGot.Load() < int64(sent) {
					select {
					case <-fastCh:
					case <-ctx.Done():
						t.Fatalf("the fast listener got %d of %d", fastGot.Load(), sent)
					}
				}
			}
			before := liveHeap()
			for i := 0; i < flood; i += batch {
				for j := range batch {
					send(i + j)
				}
				waitFast()
			}
			during := liveHeap()
			grew := int64(during) - int64(before)
			// Each queue holding the slow listener's copies is bounded by the HWM: the
			// publisher's, the listener's, one in the handler, one on its way to it; twice
			// for the codec's buffers, plus a margin for the rest of the process.
			bound := int64(4*hwm*payload + 1<<20)
			t.Logf("%s: live heap %+d KiB during a flood of %d × %d KiB (bound %d KiB)", mode, grew>>10, flood, payload>>10, bound>>10)
			if grew > bound {
				t.Errorf("the live heap grew %d KiB with a slow listener, more than %d KiB", grew>>10, bound>>10)
			}

			close(release)
			// Everything queued for the slow listener is read before the marker goes, so
			// that the marker is not dropped at a full HWM, and lands after every gap.
			if err := slow.barrier(ctx); err != nil {
				t.Fatal(err)
			}
			send(-1)
			waitFast()
			select {
			case <-marker:
			case <-ctx.Done():
				t.Fatal("the slow listener never got the notification sent after the flood")
			}
			fs, ss := fast.Stats(), slow.Stats()
			if fs.Received != flood+1 || fs.Dropped != 0 {
				t.Errorf("fast listener %+v: want all %d, none dropped", fs, flood+1)
			}
			if ss.Dropped == 0 || ss.Received+ss.Dropped != flood+1 {
				t.Errorf("slow listener %+v: want received + dropped = %d, some dropped", ss, flood+1)
			}
			t.Logf("%s: slow listener received %d, dropped %d (counted from the sequence)", mode, ss.Received, ss.Dropped)
		})
	}
}

// liveHeap is the heap in use once the sockets' buffer pools have let go of what nobody asks
// for: they keep buffers until two collection cycles pass unused (see wirefuzz's liveHeap), so
// the heap is read after three, each waited for until its finalizers ran.
func liveHeap() uint64 {
	for range 3 {
		collected := make(chan struct{})
		runtime.SetFinalizer(&struct{ p *int }{new(int)}, func(*struct{ p *int }) { close(collected) })
		runtime.GC()
		select {
		case <-collected:
		case <-time.After(10 * time.Second):
		}
		runtime.Gosched()
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
