package redisdedup

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/redistest"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
)

// At-least-once across server processes sharing a Redis registry and this store: two of four
// servers receive calls and are SIGKILLed before applying them; every call still ends OK, on
// another server, and each call's effect (counted in Redis) happened exactly once.
func TestAtLeastOnceServerKilled(t *testing.T) {
	rs := redistest.Start(t)
	startChild(t, "p0", rs.Addr(), false)
	startChild(t, "p1", rs.Addr(), false)
	victims := []*child{startChild(t, "v0", rs.Addr(), true), startChild(t, "v1", rs.Addr(), true)}
	reg, err := redisreg.New(redisreg.Options{Addrs: []string{rs.Addr()}, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	cl, err := rpc.NewClient(rpc.Target{Topic: "t"}, rpc.WithRegistry(reg), rpc.WithDelivery(rpc.AtLeastOnce),
		rpc.WithTimeout(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	connectAll(t, cl, "p0", "p1", "v0", "v1")
	const n = 40
	ctx := context.Background()
	replies := make([]applyReply, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = cl.Call(ctx, "apply", applyArgs{ID: fmt.Sprint("c", i)}, &replies[i])
		})
	}
	// Each victim has received a call, and claimed its key, when it says so: kill it then.
	held := 0
	for _, v := range victims {
		if l := v.Next(t); !strings.HasPrefix(l, "recv:") {
			t.Fatalf("%s said %q", v.name, l)
		}
		if err := v.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		held += 1 + len(v.Rest())
	}
	wg.Wait()

	rc := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer rc.Close()
	var effects int64
	for i := range n {
		id := fmt.Sprint("c", i)
		if errs[i] != nil {
			t.Errorf("call %s: %v", id, errs[i])
			continue
		}
		if r := replies[i]; r.ID != id || r.Effects != 1 || (r.Server != "p0" && r.Server != "p1") {
			t.Errorf("call %s: reply %+v", id, r)
		}
		c, err := rc.Get(ctx, "effects:"+id).Int64()
		if err != nil {
			t.Fatalf("effects of %s: %v", id, err)
		}
		if c != 1 {
			t.Errorf("call %s took effect %d times", id, c)
		}
		effects += c
	}
	t.Logf("exactly once: %d calls, %d servers killed holding %d of them after receipt, %d effects", n, len(victims), held, effects)
}

// A retry after a lost reply, to the same server or another, gets the cached reply: the
// handler does not run again. The requests are written by hand, as any ZeroMQ peer would.
func TestReplayCachedReply(t *testing.T) {
	rs := redistest.Start(t)
	p0, p1 := startChild(t, "p0", rs.Addr(), false), startChild(t, "p1", rs.Addr(), false)
	rc := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer rc.Close()
	zc := zmq.NewContext()
	defer zc.Close()
	call := func(endpoint string, id uint64, key string) (byte, []byte) {
		t.Helper()
		d, err := zc.NewSocket(zmq.DEALER, zmq.WithLinger(0))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if err := d.Connect(endpoint); err != nil {
			t.Fatal(err)
		}
		h := make([]byte, 20)
		h[0], h[1], h[2] = 1, 1, 1 // version 1, CALL, JSON
		binary.BigEndian.PutUint64(h[4:], id)
		binary.BigEndian.PutUint64(h[12:], uint64((10 * time.Second).Microseconds()))
		meta, _ := json.Marshal(map[string]string{"idempotency-key": key})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m := zmq.NewMsg(h, []byte("openstack/t"), nil, nil, []byte("apply"), []byte(`{"id":"dup"}`), meta)
		if err := d.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
		r, err := d.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Frames) != 2 || len(r.Frames[0]) != 20 || binary.BigEndian.Uint64(r.Frames[0][4:]) != id {
			t.Fatalf("reply %q", r.Frames)
		}
		return r.Frames[0][3], r.Frames[1]
	}
	st, first := call(p0.endpoint, 1, "k-dup")
	if st != 0 {
		t.Fatalf("first delivery: status %d %s", st, first)
	}
	for i, ep := range []string{p0.endpoint, p1.endpoint} {
		st, again := call(ep, uint64(2+i), "k-dup")
		if st != 0 || string(again) != string(first) {
			t.Errorf("duplicate %d: status %d %s, want the cached %s", i, st, again, first)
		}
	}
	if c, err := rc.Get(context.Background(), "effects:dup").Int64(); err != nil || c != 1 {
		t.Fatalf("the handler ran %d times (%v), want once", c, err)
	}
	// Another key runs again.
	if _, r := call(p1.endpoint, 9, "k-other"); !strings.Contains(string(r), `"effects":2`) {
		t.Fatalf("a new key: %s", r)
	}
}
