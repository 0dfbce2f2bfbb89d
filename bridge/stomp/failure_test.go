package stomp

import (
	"errors"
	"testing"
	"time"

	"github.com/purezmq/zmq/bridge"
)

// TestHeartbeats: with nothing to send, both sides send heart-beats and the connection stays
// up (RabbitMQ would close one whose client stays silent; this side would fail one whose
// broker does).
func TestHeartbeats(t *testing.T) {
	b := rabbitMQ(t)
	f := newFreezer(t, b.STOMPAddr())
	br := connect(t, f.Addr(), WithHeartbeat(100*time.Millisecond))
	ctx := testCtx(t)
	for f.up.Load() < 3 || f.down.Load() < 3 {
		select {
		case <-f.beat:
		case <-ctx.Done():
			t.Fatalf("heart-beats: %d sent, %d received", f.up.Load(), f.down.Load())
		}
	}
	q := "/queue/" + queueName(t)
	publish(t, br, q, bridge.Message{Body: []byte("alive")})
}

// TestSilentBroker: a broker that goes silent fails the connection with ErrConnection: a
// waiting Receive and a pending Confirm return it.
func TestSilentBroker(t *testing.T) {
	b := rabbitMQ(t)
	f := newFreezer(t, b.STOMPAddr())
	br := connect(t, f.Addr(), WithHeartbeat(100*time.Millisecond))
	q := "/queue/" + queueName(t)
	cons := subscribe(t, br, q, 1)
	p, err := br.Publisher(testCtx(t), q)
	if err != nil {
		t.Fatal(err)
	}
	f.Freeze()
	cf, err := p.Publish(testCtx(t), bridge.Message{Body: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if err := cf.Wait(testCtx(t)); !errors.Is(err, bridge.ErrConnection) {
		t.Errorf("confirm from a silent broker: %v, want ErrConnection", err)
	}
	if _, err := cons.Receive(testCtx(t)); !errors.Is(err, bridge.ErrConnection) {
		t.Errorf("receive from a silent broker: %v, want ErrConnection", err)
	}
	if _, err := p.Publish(testCtx(t), bridge.Message{Body: []byte("y")}); !errors.Is(err, bridge.ErrConnection) {
		t.Errorf("publish after the loss: %v, want ErrConnection", err)
	}
}

// TestPublisherClose: closing a publisher fails its pending confirms with ErrClosed, and
// Publish after it.
func TestPublisherClose(t *testing.T) {
	b := rabbitMQ(t)
	f := newFreezer(t, b.STOMPAddr())
	br := connect(t, f.Addr())
	p, err := br.Publisher(testCtx(t), "/queue/"+queueName(t))
	if err != nil {
		t.Fatal(err)
	}
	f.Freeze() // no receipt comes
	cf, err := p.Publish(testCtx(t), bridge.Message{Body: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := cf.Wait(testCtx(t)); !errors.Is(err, bridge.ErrClosed) {
		t.Errorf("pending confirm after Close: %v, want ErrClosed", err)
	}
	if _, err := p.Publish(testCtx(t), bridge.Message{Body: []byte("y")}); !errors.Is(err, bridge.ErrClosed) {
		t.Errorf("publish after Close: %v, want ErrClosed", err)
	}
}

// TestMissingExchange: RabbitMQ's ERROR for a SEND to a missing exchange names no receipt,
// so nothing tells which publication it was about: every pending confirm fails with
// ErrConnection (not ErrRejected) and so does the connection. (fake_test.go checks an ERROR
// that names a receipt.)
func TestMissingExchange(t *testing.T) {
	br := connect(t, rabbitMQ(t).STOMPAddr())
	p, err := br.Publisher(testCtx(t), "/exchange/no-such-exchange/k")
	if err != nil {
		t.Fatal(err)
	}
	cf, err := p.Publish(testCtx(t), bridge.Message{Body: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if err := cf.Wait(testCtx(t)); !errors.Is(err, bridge.ErrConnection) || errors.Is(err, bridge.ErrRejected) {
		t.Errorf("confirm: %v, want ErrConnection", err)
	}
	if _, err := p.Publish(testCtx(t), bridge.Message{Body: []byte("y")}); !errors.Is(err, bridge.ErrConnection) {
		t.Errorf("publish after the ERROR: %v, want ErrConnection", err)
	}
}

// TestRefused: what the broker refuses (a missing queue, bad credentials) and what this side
// refuses before sending (bad addresses, the frame's own headers, a window of 0, a second
// settlement).
func TestRefused(t *testing.T) {
	b := rabbitMQ(t)
	br := connect(t, b.STOMPAddr())
	ctx := testCtx(t)
	if _, err := br.Consumer(ctx, "/amq/queue/no-such-queue", 1); err == nil {
		t.Error("subscribed to a missing /amq/queue/")
	}
	if _, err := Dial("stomp://guest:wrong@" + b.STOMPAddr() + "/")(ctx); err == nil {
		t.Error("connected with a wrong passcode")
	}
	for _, a := range []string{"queue/x", "/queue/", "/queue/a/b", "/exchange/", "/temp-queue/x", "/topic/"} {
		if _, err := br.Publisher(ctx, a); err == nil {
			t.Errorf("publisher for %q", a)
		}
		if _, err := br.Consumer(ctx, a, 1); err == nil {
			t.Errorf("consumer for %q", a)
		}
	}
	q := "/queue/" + queueName(t)
	if _, err := br.Consumer(ctx, q, 0); err == nil {
		t.Error("consumer with window 0")
	}
	p, err := br.Publisher(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"destination", "receipt", "message-id", "content-length", "subject"} {
		if _, err := p.Publish(ctx, bridge.Message{Headers: map[string]string{h: "x"}}); !errors.Is(err, bridge.ErrMalformed) {
			t.Errorf("header %q: %v, want ErrMalformed", h, err)
		}
	}
	publish(t, br, q, bridge.Message{Body: []byte("once")})
	d := receive(t, subscribe(t, br, q, 1))
	if err := d.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	for _, settle := range []func() error{
		func() error { return d.Ack(ctx) },
		func() error { return d.Reject(ctx, true) },
	} {
		if err := settle(); !errors.Is(err, ErrSettled) {
			t.Errorf("second settlement: %v, want ErrSettled", err)
		}
	}
	// The connection survived all that: the refusals never reached the broker.
	publish(t, br, q, bridge.Message{Body: []byte("still up")})
}
