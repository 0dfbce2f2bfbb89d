package notify

import (
	"context"
	"encoding/json"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc/internal/redistest"
	"github.com/purezmq/zmq/rpc/registry"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
)

// testCtx bounds a test's waits, so that a bug fails it instead of hanging it.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Test heartbeats: quick enough that a silent member is found in two seconds, slow enough
// that a loaded machine does not drop a live one.
var testBeat = WithHeartbeat(100*time.Millisecond, 20)

// modes are the two ways notifications travel.
var modes = []string{"direct", "hub"}

// world is one deployment of a test: a registry and, through hubs, a hub.
type world struct {
	t    *testing.T
	reg  registry.Registry
	url  string // the Redis registry's, if that is the registry
	hub  bool
	hubs []*Hub
}

func memoryWorld(t *testing.T, mode string) *world {
	reg := registry.NewMemory()
	t.Cleanup(func() { reg.Close() })
	return newWorld(t, mode, reg)
}

// redisWorld discovers through a private redis-server.
func redisWorld(t *testing.T, mode string) *world {
	srv := redistest.Start(t)
	reg, err := redisreg.New(redisreg.Options{Addrs: []string{srv.Addr()}, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	w := newWorld(t, mode, reg)
	w.url = srv.URL()
	return w
}

func newWorld(t *testing.T, mode string, reg registry.Registry) *world {
	w := &world{t: t, reg: reg, hub: mode == "hub"}
	if w.hub {
		w.startHub()
	}
	return w
}

func (w *world) startHub(opts ...Option) *Hub {
	h, err := NewHub(append([]Option{WithRegistry(w.reg), testBeat}, opts...)...)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := h.Start(testCtx(w.t)); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { stopOK(w.t, h.Stop) })
	w.hubs = append(w.hubs, h)
	return h
}

func (w *world) opts(opts []Option) []Option {
	o := []Option{WithRegistry(w.reg), testBeat}
	if w.hub {
		o = append(o, WithHub())
	}
	return append(o, opts...)
}

func (w *world) notifier(id string, opts ...Option) *Notifier {
	n, err := NewNotifier(id, w.opts(opts)...)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := n.Start(testCtx(w.t)); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { stopOK(w.t, n.Stop) })
	return n
}

func (w *world) listener(h Handler, opts ...Option) *Listener {
	l, err := NewListener(h, w.opts(opts)...)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := l.Start(testCtx(w.t)); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { stopOK(w.t, l.Stop) })
	return l
}

func stopOK(t testing.TB, stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := stop(ctx); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// tally counts notifications by message_id and signals when a count is reached.
type tally struct {
	mu    sync.Mutex
	ids   map[string]int
	total int
	want  int
	done  chan struct{}
}

func newTally(want int) *tally {
	return &tally{ids: map[string]int{}, want: want, done: make(chan struct{})}
}

func (c *tally) add(n *Notification) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids[n.MessageID]++
	c.total++
	if c.total == c.want {
		close(c.done)
	}
}

func (c *tally) handler(res Result) Handler {
	return func(_ context.Context, n *Notification) Result { c.add(n); return res }
}

func (c *tally) wait(t testing.TB, what string) {
	t.Helper()
	select {
	case <-c.done:
	case <-testCtx(t).Done():
		c.mu.Lock()
		defer c.mu.Unlock()
		t.Fatalf("%s: %d of %d notifications", what, c.total, c.want)
	}
}

func (c *tally) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.ids))
	for k, v := range c.ids {
		m[k] = v
	}
	return m
}

// payloadN reads the payload {"n": i} the tests send.
func payloadN(t testing.TB, n *Notification) int {
	var p struct{ N int }
	if err := json.Unmarshal(n.Payload, &p); err != nil {
		t.Errorf("payload %s: %v", n.Payload, err)
	}
	return p.N
}

func mustRegexp(t testing.TB, s string) *regexp.Regexp {
	t.Helper()
	re, err := regexp.Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	return re
}
