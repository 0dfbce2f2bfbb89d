package notify

import (
	"context"
	"slices"
	"testing"
)

// waitEndpoints waits until the listener is connected to exactly want.
func waitEndpoints(t testing.TB, l *Listener, want ...string) {
	t.Helper()
	slices.Sort(want)
	ctx := testCtx(t)
	for {
		eps, ch := l.endpoints()
		slices.Sort(eps)
		if slices.Equal(eps, want) {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("listener connected to %v, want %v", eps, want)
		}
	}
}

// A listener follows the registry: notifiers that start after it are joined, and those that
// stop are left. Redis discovery.
func TestListenerFollowsRegistry(t *testing.T) {
	for _, pooled := range []bool{false, true} {
		name := "own copy"
		if pooled {
			name = "pool"
		}
		t.Run(name, func(t *testing.T) {
			w := redisWorld(t, "direct")
			got := make(chan string, 16)
			var opts []Option
			if pooled {
				opts = append(opts, WithPool("late"))
			}
			l := w.listener(func(_ context.Context, n *Notification) Result { got <- n.PublisherID; return Handled }, opts...)
			waitEndpoints(t, l)
			ctx := testCtx(t)
			for _, id := range []string{"first", "second"} {
				n := w.notifier(id)
				ep := n.PubEndpoint()
				if pooled {
					ep = n.PoolEndpoint()
				}
				waitEndpoints(t, l, ep)
				l.mu.Lock()
				c := l.conns[ep]
				l.mu.Unlock()
				if err := c.handshake(ctx); err != nil {
					t.Fatal(err)
				}
				if err := n.Info(ctx, "hello", nil); err != nil {
					t.Fatal(err)
				}
				select {
				case p := <-got:
					if p != id {
						t.Fatalf("got %q's notification, want %q's", p, id)
					}
				case <-ctx.Done():
					t.Fatalf("nothing from %s", id)
				}
				stopOK(t, n.Stop)
				waitEndpoints(t, l)
			}
		})
	}
}

// Two hubs: a notifier sends each notification through one of them, and a listener connected
// to both gets each once; a pool gets each once.
func TestTwoHubs(t *testing.T) {
	w := redisWorld(t, "hub")
	w.startHub()
	n := w.notifier("p1")
	const total = 200
	own, pool := newTally(total), newTally(total)
	warm := make(chan struct{}, 1)
	count := func(c *tally) Handler {
		return func(_ context.Context, x *Notification) Result {
			if x.EventType == "warm" {
				select {
				case warm <- struct{}{}:
				default:
				}
				return Handled
			}
			c.add(x)
			return Handled
		}
	}
	l := w.listener(count(own))
	w.listener(count(pool), WithPool("p"))
	w.listener(count(pool), WithPool("p"))
	if eps, _ := l.endpoints(); len(eps) != 2 {
		t.Fatalf("listener connected to %v, want both hubs", eps)
	}
	ctx := testCtx(t)
	// Until the notifier's connections to both hubs are up, it sends to the one it has.
	for w.hubs[0].Stats().Received == 0 || w.hubs[1].Stats().Received == 0 {
		if err := n.Info(ctx, "warm", nil); err != nil {
			t.Fatal(err)
		}
		select {
		case <-warm:
		case <-ctx.Done():
			t.Fatal("warm-up notification lost")
		}
	}
	for i := range total {
		if err := n.Info(ctx, "two", map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	own.wait(t, "own copies")
	pool.wait(t, "pool")
	for name, c := range map[string]*tally{"own": own, "pool": pool} {
		ids := c.snapshot()
		for id, k := range ids {
			if k != 1 {
				t.Errorf("%s: %s %d times", name, id, k)
			}
		}
		if len(ids) != total {
			t.Errorf("%s: %d distinct, want %d", name, len(ids), total)
		}
	}
}

// Hub.Run serves until its ctx ends; a notifier and a listener given the hub's endpoints,
// without a registry, go through it (ipc endpoints, known before the hub binds them).
func TestHubRunStatic(t *testing.T) {
	dir := t.TempDir()
	e := HubEndpoints{In: "ipc://" + dir + "/in", Pub: "ipc://" + dir + "/pub", Pool: "ipc://" + dir + "/pool"}
	h, err := NewHub(WithHubBind(e.In, e.Pub, e.Pool), testBeat)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- h.Run(ctx) }()
	n, err := NewNotifier("static", WithEndpoints(e.In))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	got := newTally(2)
	var ls []*Listener
	for _, opts := range [][]Option{{WithEndpoints(e.Pub)}, {WithEndpoints(e.Pool), WithPool("p")}} {
		l, err := NewListener(got.handler(Handled), append(opts, testBeat)...)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Start(ctx); err != nil { // returns once the hub answered: it runs
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	if err := n.Info(ctx, "static", nil); err != nil {
		t.Fatal(err)
	}
	got.wait(t, "through a static hub, own copy and pool")
	if got := h.Endpoints(); got != e {
		t.Errorf("Endpoints %+v, want %+v", got, e)
	}
	for _, l := range ls {
		stopOK(t, l.Stop)
	}
	stopOK(t, n.Stop)
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("Run: %v", err)
	}
}
