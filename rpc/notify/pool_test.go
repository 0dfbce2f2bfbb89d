package notify

import (
	"context"
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
