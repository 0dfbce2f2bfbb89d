package rpc

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	zmq "github.com/purezmq/zmq"
)

// The memory store: claims, leases, completion, and its bounds.
func TestMemoryDedup(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1000, 0)
	m := NewMemoryDedup(3, 10).(*memoryDedup)
	m.now = func() time.Time { return now }
	claim := func(key, token string) DedupState {
		t.Helper()
		e, err := m.Claim(ctx, key, token, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return e.State
	}
	if s := claim("a", "t1"); s != DedupNew {
		t.Fatalf("first claim: %v", s)
	}
	if s := claim("a", "t2"); s != DedupRunning {
		t.Fatalf("claim of a running key: %v", s)
	}
	if err := m.Complete(ctx, "a", "t2", []byte("x"), time.Minute); !errors.Is(err, ErrClaimLost) {
		t.Fatalf("complete by another token: %v", err)
	}
	now = now.Add(2 * time.Second) // the lease ran out: t1 died
	if err := m.Refresh(ctx, "a", "t1", time.Second); !errors.Is(err, ErrClaimLost) {
		t.Fatalf("refresh after the lease: %v", err)
	}
	if s := claim("a", "t2"); s != DedupNew {
		t.Fatalf("claim after the lease: %v", s)
	}
	if err := m.Refresh(ctx, "a", "t2", time.Second); err != nil {
		t.Fatal(err)
	}
	if err := m.Complete(ctx, "a", "t2", []byte("reply"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if e, _ := m.Claim(ctx, "a", "t3", time.Second); e.State != DedupDone || string(e.Reply) != "reply" {
		t.Fatalf("claim of a done key: %+v", e)
	}
	// Released: runs again.
	claim("b", "t1")
	if err := m.Release(ctx, "b", "t1"); err != nil {
		t.Fatal(err)
	}
	if s := claim("b", "t2"); s != DedupNew {
		t.Fatalf("claim after release: %v", s)
	}
	// Bytes: a 6-byte reply beside the 5-byte one is over 10: the oldest goes.
	if err := m.Complete(ctx, "b", "t2", []byte("123456"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if s := claim("a", "t4"); s != DedupNew {
		t.Fatalf("a should have been evicted for bytes: %v", s)
	}
	// Entries: at most 3.
	claim("c", "t1")
	claim("d", "t1")
	if len(m.keys) != 3 || m.order.Len() != 3 {
		t.Fatalf("%d keys, %d in order, want 3", len(m.keys), m.order.Len())
	}
	// A reply bigger than the whole store is not cached.
	if err := m.Complete(ctx, "d", "t1", make([]byte, 11), time.Minute); err != nil {
		t.Fatal(err)
	}
	if s := claim("d", "t5"); s != DedupNew {
		t.Fatalf("an uncacheable reply: %v", s)
	}
	// The window ends.
	now = now.Add(2 * time.Minute)
	if s := claim("b", "t6"); s != DedupNew {
		t.Fatalf("after the window: %v", s)
	}
	if m.bytes < 0 || m.bytes > 10 {
		t.Fatalf("bytes %d", m.bytes)
	}
}

// keyedCall sends a CALL of method with an idempotency key on d.
func keyedCall(_ *testing.T, id uint64, key, method string) request {
	r := echoRequest(id, "openstack/t", "k")
	r.method = method
	r.meta = map[string]string{metaIdemKey: key}
	return r
}

// A retry of a finished call gets the cached reply without the handler running again; a
// duplicate of a running one is told Unavailable; a malformed key is dropped.
func TestDedupReplay(t *testing.T) {
	b := newBlocker()
	runs := 0
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) {
		_ = Handle(s, "count", func(ctx context.Context, _ struct{}) (int, error) { runs++; return runs, nil })
		_ = Handle(s, "block", b.handle)
	})
	d := rawDealer(t, srv.Endpoint())
	first := rawCall(t, d, keyedCall(t, 1, "k1", "count"))
	again := rawCall(t, d, keyedCall(t, 2, "k1", "count"))
	if first.status != OK || again.status != OK || string(again.body) != string(first.body) || again.id != 2 {
		t.Fatalf("replay: %+v then %+v", first, again)
	}
	if runs != 1 || srv.Stats().Replayed != 1 {
		t.Fatalf("handler ran %d times, %d replayed", runs, srv.Stats().Replayed)
	}
	if r := rawCall(t, d, keyedCall(t, 3, "k2", "count")); string(r.body) != "2" {
		t.Fatalf("another key: %s", r.body)
	}

	d2 := rawDealer(t, srv.Endpoint())
	ctx := testCtx(t)
	blocked := keyedCall(t, 1, "kb", "block")
	if err := d2.Send(ctx, zmq.NewMsg(blocked.frames()...)); err != nil {
		t.Fatal(err)
	}
	<-b.started
	dup := rawCall(t, d, keyedCall(t, 4, "kb", "block"))
	if dup.status != Unavailable {
		t.Fatalf("duplicate of a running call: %+v", dup)
	}
	close(b.release)
	if m, err := d2.Recv(ctx); err != nil {
		t.Fatal(err)
	} else if r, _ := parseReply(m.Frames); r.status != OK {
		t.Fatalf("the running call: %+v", r)
	}
	if r := rawCall(t, d, keyedCall(t, 5, "kb", "block")); r.status != OK || string(r.body) != `"released"` {
		t.Fatalf("after it ended: %+v", r)
	}

	before := srv.Stats().Dropped
	bad := keyedCall(t, 6, "bad key!", "count")
	if err := d.Send(ctx, zmq.NewMsg(bad.frames()...)); err != nil {
		t.Fatal(err)
	}
	// The server's receivers run side by side: the drop may be counted after later calls are
	// answered, so call until it is.
	for id := uint64(7); srv.Stats().Dropped == before; id++ {
		if r := rawCall(t, d, echoRequest(id, "openstack/t", "")); r.id != id || id > 1000 {
			t.Fatalf("after a malformed key: reply %d to call %d, dropped %d", r.id, id, srv.Stats().Dropped-before)
		}
	}
	if n := srv.Stats().Dropped - before; n != 1 {
		t.Fatalf("%d dropped", n)
	}
}

func TestDeliveryOf(t *testing.T) {
	for _, tc := range []struct {
		meta    map[string]string
		ok      bool
		idem    string
		monitor time.Duration
	}{
		{nil, true, "", 0},
		{map[string]string{"traceparent": "x"}, true, "", 0},
		{map[string]string{metaIdemKey: "0123456789abcdef0123456789abcdef"}, true, "0123456789abcdef0123456789abcdef", 0},
		{map[string]string{metaIdemKey: "a.b:c-d_E"}, true, "a.b:c-d_E", 0},
		{map[string]string{metaIdemKey: ""}, false, "", 0},
		{map[string]string{metaIdemKey: "with space"}, false, "", 0},
		{map[string]string{metaIdemKey: "k/1"}, false, "", 0},
		{map[string]string{metaIdemKey: string(make([]byte, 129))}, false, "", 0},
		{map[string]string{metaCallMonitor: "1500"}, true, "", 1500 * time.Millisecond},
		{map[string]string{metaCallMonitor: "29"}, false, "", 0},
		{map[string]string{metaCallMonitor: "-100"}, false, "", 0},
		{map[string]string{metaCallMonitor: "1e3"}, false, "", 0},
		{map[string]string{metaCallMonitor: "99999999999"}, false, "", 0},
	} {
		d, err := deliveryOf(&request{meta: tc.meta})
		if (err == nil) != tc.ok || tc.ok && (d.idem != tc.idem || d.monitor != tc.monitor) {
			t.Errorf("%v: %+v %v", tc.meta, d, err)
		}
		if err != nil && !errors.Is(err, errMalformed) {
			t.Errorf("%v: %v is not errMalformed", tc.meta, err)
		}
	}
}

// An at-least-once cast returns once its handler has run; a fanout one is refused.
func TestAckedCast(t *testing.T) {
	ran := make(chan string, 1)
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) {
		_ = Handle(s, "note", func(ctx context.Context, msg string) (struct{}, error) { ran <- msg; return struct{}{}, nil })
	})
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()), WithDelivery(AtLeastOnce))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Cast(testCtx(t), "note", "hello"); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-ran:
		if m != "hello" {
			t.Fatalf("handler got %q", m)
		}
	default:
		t.Fatal("Cast returned before the handler ran")
	}
	if err := cl.Cast(testCtx(t), "nosuch", "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("acknowledged cast of an unknown method: %v", err)
	}
	fan, err := cl.Prepare(WithFanout())
	if err != nil {
		t.Fatal(err)
	}
	if err := fan.Cast(testCtx(t), "note", "x"); !errors.Is(err, ErrInvalidTarget) {
		t.Fatalf("at-least-once fanout: %v", err)
	}
	once, err := fan.Prepare(WithDelivery(AtMostOnce))
	if err != nil {
		t.Fatal(err)
	}
	if err := once.Cast(testCtx(t), "note", "fan"); err != nil {
		t.Fatal(err)
	}
	if m := <-ran; m != "fan" {
		t.Fatalf("handler got %q", m)
	}
}

// The calls a client has in flight are bounded: one more fails at once.
func TestMaxInFlight(t *testing.T) {
	b := newBlocker()
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) { _ = Handle(s, "block", b.handle) })
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()), WithMaxInFlight(2))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := testCtx(t)
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- cl.Call(ctx, "block", struct{}{}, nil) }()
		<-b.started
	}
	if err := cl.Call(ctx, "echo", echoArgs{}, nil); !errors.Is(err, ErrResourceExhausted) {
		t.Fatalf("a third call in flight: %v", err)
	}
	close(b.release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if err := cl.Call(ctx, "echo", echoArgs{}, nil); err != nil {
		t.Fatalf("after the others ended: %v", err)
	}
}

// Options given to the wrong side are refused.
func TestDeliveryOptionsPlace(t *testing.T) {
	if _, err := NewServer(Target{Topic: "t"}, WithDelivery(AtLeastOnce)); err == nil {
		t.Error("NewServer took WithDelivery")
	}
	if _, err := NewClient(Target{Topic: "t"}, WithDedup(nil, 0)); err == nil {
		t.Error("NewClient took WithDedup")
	}
	cl, err := NewClient(Target{Topic: "t"})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for name, o := range map[string]Option{"WithHeartbeat": WithHeartbeat(time.Second, 2), "WithMaxInFlight": WithMaxInFlight(3),
		"WithDedupLease": WithDedupLease(time.Second)} {
		if _, err := cl.Prepare(o); err == nil {
			t.Errorf("Prepare took %s", name)
		}
	}
	for name, o := range map[string]Option{"negative heartbeat": WithHeartbeat(-1, 1), "no misses": WithHeartbeat(time.Second, 0),
		"tiny monitor": WithCallMonitor(time.Millisecond), "zero in flight": WithMaxInFlight(0),
		"window 0": WithDedup(NewMemoryDedup(1, 1), 0), "delivery 9": WithDelivery(9)} {
		if err := o(&config{}); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// At-least-once without a retry count retries until the deadline, however many attempts that
// takes (the backoff's growth stops at a second).
func TestAtLeastOnceRetriesUntilDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cl := &Client{dl: clientDelivery{mode: AtLeastOnce}}
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		attempts := 0
		err := cl.retry(ctx, func() error { attempts++; return newError(Unavailable, "down") })
		if !errors.Is(err, ErrUnavailable) || attempts < 3600 || attempts > 7300 {
			t.Fatalf("%d attempts in an hour, then %v", attempts, err)
		}
		cl.dl.mode = AtMostOnce
		attempts = 0
		_ = cl.retry(ctx, func() error { attempts++; return newError(Unavailable, "down") })
		if attempts != 1 {
			t.Fatalf("at-most-once without retries: %d attempts", attempts)
		}
	})
}

// brokenStore fails every operation, as a store that is down.
type brokenStore struct{}

var errBroken = errors.New("store down")

func (brokenStore) Claim(context.Context, string, string, time.Duration) (DedupEntry, error) {
	return DedupEntry{}, errBroken
}
func (brokenStore) Refresh(context.Context, string, string, time.Duration) error { return errBroken }
func (brokenStore) Complete(context.Context, string, string, []byte, time.Duration) error {
	return errBroken
}
func (brokenStore) Release(context.Context, string, string) error { return errBroken }

// A server whose store is down answers at-least-once requests Unavailable without running
// them (a retry may reach one whose store works), and the others as usual.
func TestDedupStoreDown(t *testing.T) {
	runs := 0
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) {
		_ = Handle(s, "count", func(ctx context.Context, _ struct{}) (int, error) { runs++; return runs, nil })
	}, WithDedup(brokenStore{}, time.Minute))
	d := rawDealer(t, srv.Endpoint())
	if r := rawCall(t, d, keyedCall(t, 1, "k1", "count")); r.status != Unavailable || runs != 0 {
		t.Fatalf("keyed call with the store down: %+v, %d runs", r, runs)
	}
	if r := rawCall(t, d, echoRequest(2, "openstack/t", "x")); r.status != OK {
		t.Fatalf("call without a key: %+v", r)
	}
}
