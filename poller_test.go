package zmq_test

import (
	"context"
	"errors"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/parked"
)

// poll polls within d and returns the events found per socket.
func poll(t testing.TB, p *zmq.Poller, d time.Duration) (map[*zmq.Socket]zmq.PollEvents, error) {
	t.Helper()
	ctx, cancel := within(d)
	defer cancel()
	ready, err := p.Poll(ctx)
	got := map[*zmq.Socket]zmq.PollEvents{}
	for _, r := range ready {
		got[r.Socket] = r.Events
	}
	return got, err
}

func TestPollerReadable(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pull1, pull2 := newSocket(t, zmq.PULL), newSocket(t, zmq.PULL)
		push1, push2 := newSocket(t, zmq.PUSH), newSocket(t, zmq.PUSH)
		link(t, tr, pull1, push1)
		link(t, tr, pull2, push2)
		p := zmq.NewPoller()
		p.Add(pull1, zmq.PollIn)
		p.Add(pull2, zmq.PollIn)

		if got, err := poll(t, p, waitShort); !errors.Is(err, context.DeadlineExceeded) || len(got) != 0 {
			t.Fatalf("Poll with nothing queued = %v, %v; want a timeout", got, err)
		}
		// The message arrives while Poll waits.
		sent := make(chan error, 1)
		poller := parked.ID()
		go func() {
			if err := untilParked(pollParked, poller); err != nil {
				sent <- err
				return
			}
			sent <- push2.Send(context.Background(), zmq.NewMsgString("a", "b"))
		}()
		got, err := poll(t, p, waitLong)
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
		if err != nil || len(got) != 1 || got[pull2] != zmq.PollIn {
			t.Fatalf("Poll = %v, %v; want pull2 readable only", got, err)
		}
		expectRecvString(t, pull2, "a", "b")
		if got, err := poll(t, p, waitShort); err == nil || len(got) != 0 {
			t.Fatalf("Poll after the Recv = %v, %v; want a timeout", got, err)
		}
	})
}

func TestPollerWritableAtHWM(t *testing.T) {
	push := newSocket(t, zmq.PUSH, zmq.WithSendHWM(1))
	pull := newSocket(t, zmq.PULL, zmq.WithRecvHWM(1))
	p := zmq.NewPoller()
	p.Add(push, zmq.PollOut)
	if got, err := poll(t, p, waitShort); err == nil {
		t.Fatalf("a PUSH with no peer is writable: %v", got)
	}
	link(t, transports[2], pull, push)
	if got, err := poll(t, p, waitLong); err != nil || got[push] != zmq.PollOut {
		t.Fatalf("Poll after the peer came = %v, %v; want writable", got, err)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	for push.Send(done, zmq.NewMsgString("x")) == nil {
		n++
	}
	if got, err := poll(t, p, waitShort); err == nil {
		t.Fatalf("a PUSH at its HWM (%d queued) is writable: %v", n, got)
	}
	drained := make(chan error, 1)
	poller := parked.ID()
	go func() { // drains while Poll waits
		if err := untilParked(pollParked, poller); err != nil {
			drained <- err
			return
		}
		ctx, cancel := within(waitLong)
		defer cancel()
		for range n {
			if _, err := pull.Recv(ctx); err != nil {
				drained <- err
				return
			}
		}
		drained <- nil
	}()
	got, err := poll(t, p, waitLong)
	if err := <-drained; err != nil {
		t.Fatal(err)
	}
	if err != nil || got[push] != zmq.PollOut {
		t.Fatalf("Poll while the peer drains = %v, %v; want writable", got, err)
	}
}

func TestPollerReqRep(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		rep, req := newSocket(t, zmq.REP), newSocket(t, zmq.REQ)
		link(t, tr, rep, req)
		p := zmq.NewPoller()
		p.Add(req, zmq.PollIn|zmq.PollOut)
		p.Add(rep, zmq.PollIn|zmq.PollOut)
		got, err := poll(t, p, waitLong)
		if err != nil || got[req] != zmq.PollOut || got[rep] != 0 {
			t.Fatalf("idle REQ/REP = %v, %v; want the REQ writable only", got, err)
		}
		sendString(t, req, "ping")
		got, err = poll(t, p, waitLong)
		if err != nil || got[req] != 0 || got[rep] != zmq.PollIn {
			t.Fatalf("after the request = %v, %v; want the REP readable only", got, err)
		}
		expectRecvString(t, rep, "ping")
		got, err = poll(t, p, waitLong)
		if err != nil || got[req] != 0 || got[rep] != zmq.PollOut {
			t.Fatalf("after Recv = %v, %v; want the REP writable only", got, err)
		}
		sendString(t, rep, "pong")
		got, err = poll(t, p, waitLong)
		if err != nil || got[req] != zmq.PollIn || got[rep] != 0 {
			t.Fatalf("after the reply = %v, %v; want the REQ readable only", got, err)
		}
		expectRecvString(t, req, "pong")
	})
}

func TestPollerAlwaysWritable(t *testing.T) {
	p := zmq.NewPoller()
	pub, router := newSocket(t, zmq.PUB), newSocket(t, zmq.ROUTER)
	p.Add(pub, zmq.PollOut)
	p.Add(router, zmq.PollOut)
	p.Add(newSocket(t, zmq.SUB), zmq.PollOut) // never writable
	got, err := poll(t, p, waitLong)
	if err != nil || len(got) != 2 || got[pub] != zmq.PollOut || got[router] != zmq.PollOut {
		t.Fatalf("Poll = %v, %v; want PUB and ROUTER writable", got, err)
	}
}

func TestPollerClosed(t *testing.T) {
	pull := newSocket(t, zmq.PULL)
	p := zmq.NewPoller()
	p.Add(pull, zmq.PollIn)
	poller := parked.ID()
	closed := make(chan error, 1)
	go func() { // closes while Poll waits
		if err := untilParked(pollParked, poller); err != nil {
			closed <- err
			return
		}
		closed <- pull.Close()
	}()
	_, err := poll(t, p, waitLong)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if !errors.Is(err, zmq.ErrClosed) {
		t.Fatalf("Poll on a socket closed meanwhile = %v; want ErrClosed", err)
	}
}

// TestPollerClosedWhileLingering: a Poll waiting on a socket that closes returns ErrClosed at
// Close, not when the socket has finished lingering.
func TestPollerClosedWhileLingering(t *testing.T) {
	zc := zmq.NewContext()
	push := ctxSocket(t, zc, zmq.PUSH, zmq.WithLinger(time.Hour), zmq.WithSendHWM(1))
	connect(t, push, inprocName()) // nobody binds: the message stays queued, the queue full
	sendString(t, push, "never delivered")
	p := zmq.NewPoller()
	p.Add(push, zmq.PollOut)
	poller := parked.ID()
	closed := make(chan error, 1)
	go func() {
		if err := untilParked(pollParked, poller); err != nil {
			closed <- err
			return
		}
		closed <- push.Close()
	}()
	_, err := poll(t, p, waitLong)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if !errors.Is(err, zmq.ErrClosed) {
		t.Fatalf("Poll on a socket closed meanwhile, lingering = %v; want ErrClosed", err)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := zc.Shutdown(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown: %v; want the socket still lingering", err)
	}
}

func TestPollerRemove(t *testing.T) {
	pull, push := newSocket(t, zmq.PULL), newSocket(t, zmq.PUSH)
	link(t, transports[2], pull, push)
	sendString(t, push, "x")
	p := zmq.NewPoller()
	p.Add(pull, zmq.PollIn)
	p.Remove(pull)
	if got, err := poll(t, p, waitShort); err == nil {
		t.Fatalf("a removed socket was polled: %v", got)
	}
}

// BenchmarkPoll100: one message at a time arrives on one of 100 sockets; Poll finds it.
func BenchmarkPoll100(b *testing.B) {
	const n = 100
	pulls, pushes := make([]*zmq.Socket, n), make([]*zmq.Socket, n)
	p := zmq.NewPoller()
	for i := range n {
		pulls[i], pushes[i] = newSocket(b, zmq.PULL), newSocket(b, zmq.PUSH)
		link(b, transports[2], pulls[i], pushes[i])
		p.Add(pulls[i], zmq.PollIn)
	}
	ctx := context.Background()
	m := [][]byte{[]byte("x")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := i * 37 % n
		if err := pushes[k].Send(ctx, zmq.NewMsg(m...)); err != nil {
			b.Fatal(err)
		}
		ready, err := p.Poll(ctx)
		if err != nil || len(ready) != 1 || ready[0].Socket != pulls[k] {
			b.Fatalf("Poll = %v, %v", ready, err)
		}
		if _, err := pulls[k].Recv(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPoll100Wait: Poll blocks on 100 idle sockets until another goroutine sends.
func BenchmarkPoll100Wait(b *testing.B) {
	const n = 100
	pulls, pushes := make([]*zmq.Socket, n), make([]*zmq.Socket, n)
	p := zmq.NewPoller()
	for i := range n {
		pulls[i], pushes[i] = newSocket(b, zmq.PULL), newSocket(b, zmq.PUSH)
		link(b, transports[2], pulls[i], pushes[i])
		p.Add(pulls[i], zmq.PollIn)
	}
	ctx := context.Background()
	turn := make(chan int)
	go func() {
		for k := range turn {
			_ = pushes[k].Send(ctx, zmq.NewMsgString("x"))
		}
	}()
	defer close(turn)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := i * 37 % n
		turn <- k
		ready, err := p.Poll(ctx)
		if err != nil || len(ready) != 1 {
			b.Fatalf("Poll = %v, %v", ready, err)
		}
		if _, err := ready[0].Socket.Recv(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
