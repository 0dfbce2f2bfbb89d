package zmq_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// lockStep sends messages 0 to n-1, message i on pushes[i%len(pushes)], each only once the
// previous one has been received (acked). A stale readiness event then makes the receiver's
// blocking Recv wait for a message that is never sent, until ctx ends.
func lockStep(ctx context.Context, pushes []*zmq.Socket, n int, acked <-chan struct{}) <-chan error {
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := pushes[i%len(pushes)].Send(ctx, zmq.NewMsg(u32(uint32(i)))); err != nil {
				done <- err
				return
			}
			select {
			case <-acked:
			case <-ctx.Done():
				done <- ctx.Err()
				return
			}
		}
		done <- nil
	}()
	return done
}

// TestPollerChannelReadyNow: every result Channel delivers is ready when it is received: a
// blocking Recv per socket reported, on two sockets fed one message at a time, never waits
// (a deadline turns a hang into a failure), every message arrives once, and each result
// reports exactly one message. Done is called twice, and on the previous result too: neither
// lets the goroutine poll before the receiver is done.
func TestPollerChannelReadyNow(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		const n = 300
		pulls := []*zmq.Socket{newSocket(t, zmq.PULL), newSocket(t, zmq.PULL)}
		pushes := []*zmq.Socket{newSocket(t, zmq.PUSH), newSocket(t, zmq.PUSH)}
		p := zmq.NewPoller()
		for i := range pulls {
			link(t, tr, pulls[i], pushes[i])
			p.Add(pulls[i], zmq.PollIn)
		}
		ctx, cancel := within(waitLong)
		defer cancel()
		acked := make(chan struct{}, n)
		sent := lockStep(ctx, pushes, n, acked)
		c := p.Channel(ctx)
		var prev zmq.PollResult
		got, results := 0, 0
		for got < n {
			r, ok := <-c
			if !ok {
				t.Fatalf("the channel closed after %d messages: %v", got, ctx.Err())
			}
			results++
			if len(r.Polled) != 1 || r.Polled[0].Events != zmq.PollIn {
				t.Fatalf("result %d: %v, want one socket readable (one message is in flight)", results, r.Polled)
			}
			m, err := r.Polled[0].Socket.Recv(ctx)
			if err != nil {
				t.Fatalf("result %d: a blocking Recv on a socket reported ready: %v (after %d messages)", results, err, got)
			}
			if s := seqOf(t, m.Frames[0]); s != uint32(got) || r.Polled[0].Socket != pulls[got%2] {
				t.Fatalf("result %d: message %d, want %d on pull %d", results, s, got, got%2)
			}
			got++
			acked <- struct{}{}
			r.Done()
			r.Done()
			prev.Done()
			prev = r
		}
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
		if results != n {
			t.Fatalf("%d results for %d messages", results, n)
		}
		select {
		case r := <-c:
			t.Fatalf("a result after every message was received: %v", r.Polled)
		case <-time.After(waitShort):
		}
		cancel()
		for range c {
		}
	})
}

// TestPollerChannelCountsEvents: messages queued before polling: one result per message,
// each acted on with one blocking Recv, then no more.
func TestPollerChannelCountsEvents(t *testing.T) {
	const n = 100
	pull, push := newSocket(t, zmq.PULL), newSocket(t, zmq.PUSH)
	link(t, transports[0], pull, push)
	sendSeq(t, push, n)
	p := zmq.NewPoller()
	p.Add(pull, zmq.PollIn)
	ctx, cancel := within(waitLong)
	defer cancel()
	c := p.Channel(ctx)
	for i := range n {
		r, ok := <-c
		if !ok {
			t.Fatalf("the channel closed after %d results: %v", i, ctx.Err())
		}
		m, err := pull.Recv(ctx)
		if err != nil {
			t.Fatalf("result %d: %v", i, err)
		}
		if got := seqOf(t, m.Frames[0]); got != uint32(i) {
			t.Fatalf("result %d: message %d", i, got)
		}
		r.Done()
	}
	select {
	case r := <-c:
		t.Fatalf("a result after all %d messages were received: %v", n, r.Polled)
	case <-time.After(waitShort):
	}
}

// TestPollerChannelWaitsForDone: until the receiver calls Done nothing more comes, even when
// another socket becomes ready; then the next result reports it. Cancelling ctx closes the
// channel, Done or not.
func TestPollerChannelWaitsForDone(t *testing.T) {
	pulls := []*zmq.Socket{newSocket(t, zmq.PULL), newSocket(t, zmq.PULL)}
	pushes := []*zmq.Socket{newSocket(t, zmq.PUSH), newSocket(t, zmq.PUSH)}
	p := zmq.NewPoller()
	for i := range pulls {
		link(t, transports[2], pulls[i], pushes[i])
		p.Add(pulls[i], zmq.PollIn)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := p.Channel(ctx)
	sendString(t, pushes[0], "first")
	r := <-c
	if len(r.Polled) != 1 || r.Polled[0].Socket != pulls[0] {
		t.Fatalf("first result %v, want pull 0", r.Polled)
	}
	expectRecvString(t, pulls[0], "first")
	sendString(t, pushes[1], "second")
	expectNoResult(t, c)
	r.Done()
	r = <-c
	if len(r.Polled) != 1 || r.Polled[0].Socket != pulls[1] {
		t.Fatalf("after Done %v, want pull 1", r.Polled)
	}
	cancel() // without Done
	for r := range c {
		t.Errorf("a result after cancel without Done: %v", r.Polled)
	}
}

func expectNoResult(t *testing.T, c <-chan zmq.PollResult) {
	t.Helper()
	select {
	case r := <-c:
		t.Fatalf("a result before Done: %v", fmt.Sprint(r.Polled))
	case <-time.After(waitShort):
	}
}
