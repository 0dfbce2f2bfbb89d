package notify

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// Two pools each get one copy of every notification of two notifiers; within a pool its two
// members compete and each message is handled exactly once (counted by message_id); a listener
// outside the pools gets its own copy of each. Redis discovery, direct and through a hub.
func TestPoolsOneCopyEach(t *testing.T) {
	const perNotifier = 300
	const total = 2 * perNotifier
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			w := redisWorld(t, mode)
			n1, n2 := w.notifier("p1"), w.notifier("p2")
			pools := map[string]*tally{"a": newTally(total), "b": newTally(total)}
			var members [4]atomic.Int64
			for i, name := range []string{"a", "a", "b", "b"} {
				c, i := pools[name], i
				w.listener(func(_ context.Context, n *Notification) Result {
					members[i].Add(1)
					c.add(n)
					return Handled
				}, WithPool(name), WithWorkers(2))
			}
			own := newTally(total)
			w.listener(own.handler(Handled))
			ctx := testCtx(t)
			for i := range perNotifier {
				for _, n := range []*Notifier{n1, n2} {
					if err := n.Info(ctx, "flood", map[string]int{"n": i}); err != nil {
						t.Fatal(err)
					}
				}
			}
			for name, c := range pools {
				c.wait(t, "pool "+name)
			}
			own.wait(t, "listener outside pools")
			for name, c := range map[string]*tally{"a": pools["a"], "b": pools["b"], "own": own} {
				ids := c.snapshot()
				if len(ids) != total {
					t.Errorf("%s: %d distinct message_ids, want %d", name, len(ids), total)
				}
				for id, k := range ids {
					if k != 1 {
						t.Errorf("%s: message %s handled %d times", name, id, k)
					}
				}
			}
			for i := range members {
				if members[i].Load() == 0 {
					t.Errorf("member %d of its pool handled nothing: they do not compete", i)
				}
			}
		})
	}
}

// Requeue hands a notification to another member: a member that requeues everything never
// keeps one, the other handles each once.
func TestRequeueToAnotherMember(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			const total = 200
			w := memoryWorld(t, mode)
			n := w.notifier("p1")
			picky := newTally(-1)
			good := newTally(total)
			pl := w.listener(picky.handler(Requeue), WithPool("q"))
			w.listener(good.handler(Handled), WithPool("q"))
			ctx := testCtx(t)
			for i := range total {
				if err := n.Info(ctx, "requeue", map[string]int{"n": i}); err != nil {
					t.Fatal(err)
				}
			}
			good.wait(t, "handled")
			for id, k := range good.snapshot() {
				if k != 1 {
					t.Errorf("message %s handled %d times", id, k)
				}
			}
			if pl.Stats().Requeued == 0 {
				t.Errorf("the picky member requeued nothing: %+v", pl.Stats())
			}
		})
	}
}

// A lone member that requeues gets the notification again, up to the dispatcher's attempts.
func TestRequeueAttempts(t *testing.T) {
	w := memoryWorld(t, "direct")
	n := w.notifier("p1", WithMaxAttempts(3))
	var mu sync.Mutex
	seen := map[string]int{}
	done := make(chan struct{})
	w.listener(func(_ context.Context, x *Notification) Result {
		mu.Lock()
		defer mu.Unlock()
		seen[x.MessageID]++
		if seen[x.MessageID] == 3 {
			close(done)
		}
		return Requeue
	}, WithPool("q"))
	ctx := testCtx(t)
	if err := n.Info(ctx, "again", nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("not delivered 3 times: %v", seen)
	}
	waitStats(t, n.disp, func() bool { return n.Stats().Exhausted == 1 }, "the third requeue drops it")
	if s := n.Stats(); s.Delivered != 3 || s.Requeued != 3 {
		t.Errorf("stats %+v: want 3 deliveries, 3 requeues", s)
	}
}

// A member that stops mid-flood (Stop: it finishes and acknowledges what it took, then
// leaves) loses nothing and duplicates nothing: the pool still handles each exactly once.
func TestMemberLeavesMidFlood(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			const total = 600
			w := memoryWorld(t, mode)
			n := w.notifier("p1")
			c := newTally(total)
			half := make(chan struct{})
			var once sync.Once
			var handled atomic.Int64
			h := func(_ context.Context, x *Notification) Result {
				c.add(x)
				if handled.Add(1) == total/4 {
					once.Do(func() { close(half) })
				}
				return Handled
			}
			leaver := w.listener(h, WithPool("q"), WithWorkers(4))
			w.listener(h, WithPool("q"), WithWorkers(4))
			ctx := testCtx(t)
			sent := make(chan error, 1)
			go func() {
				for i := range total {
					if err := n.Info(ctx, "flood", map[string]int{"n": i}); err != nil {
						sent <- err
						return
					}
				}
				sent <- nil
			}()
			<-half
			stopOK(t, leaver.Stop)
			if err := <-sent; err != nil {
				t.Fatal(err)
			}
			c.wait(t, "pool")
			for id, k := range c.snapshot() {
				if k != 1 {
					t.Errorf("message %s handled %d times", id, k)
				}
			}
			if t.Failed() {
				if w.hub {
					t.Logf("hub %+v", w.hubs[0].Stats())
				} else {
					t.Logf("notifier %+v", n.Stats())
				}
				t.Logf("leaver %+v", leaver.Stats())
			}
		})
	}
}

// waitStats waits for cond on a dispatcher's counters, checking it at each change.
func waitStats(t testing.TB, d *dispatcher, cond func() bool, what string) {
	t.Helper()
	ctx := testCtx(t)
	for {
		ch := d.changes() // before checking, so that a change in between is seen
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("timed out waiting: %s", what)
		}
	}
}

// A pool's queue is bounded in notifications and in bytes: when full, the oldest goes, and
// is counted.
func TestPoolQueueBounded(t *testing.T) {
	const sent = 30
	body, _ := encodeBody(&Notification{MessageID: newMessageID(), PublisherID: "p1", EventType: "full",
		Priority: "INFO", Payload: []byte(`{"n":10}`), Time: "2026-12-06 08:00:00.000000"})
	size := len(body) // every body of this test has this size, n < 100 being two digits or one
	for _, tc := range []struct {
		name string
		opt  Option
	}{
		{"count", WithPoolQueue(10, 1<<20)},
		{"bytes", WithPoolQueue(1000, 10*size+size/2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := memoryWorld(t, "direct")
			n := w.notifier("p1", tc.opt)
			release := make(chan struct{})
			var mu sync.Mutex
			var got []int
			done := make(chan struct{})
			w.listener(func(hctx context.Context, x *Notification) Result {
				select {
				case <-release:
				case <-hctx.Done():
				}
				mu.Lock()
				defer mu.Unlock()
				got = append(got, payloadN(t, x))
				if len(got) == 11 {
					close(done)
				}
				return Handled
			}, WithPool("q"))
			ctx := testCtx(t)
			for i := range sent {
				if err := n.Info(ctx, "full", map[string]int{"n": 10 + i}); err != nil {
					t.Fatal(err)
				}
			}
			// One in flight to the member (its credit), ten queued, the rest dropped oldest first.
			if s := n.Stats(); s.Overflow != sent-11 || s.Pools[0].Queued != 10 || s.Pools[0].InFlight != 1 {
				t.Errorf("stats %+v: want %d overflow, 10 queued, 1 in flight", s, sent-11)
			}
			close(release)
			select {
			case <-done:
			case <-ctx.Done():
				t.Fatal("the queued notifications never came")
			}
			mu.Lock()
			defer mu.Unlock()
			want := []int{10}
			for i := sent - 10; i < sent; i++ {
				want = append(want, 10+i)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("handled %v, want %v (the first, then the newest ten)", got, want)
			}
		})
	}
}
