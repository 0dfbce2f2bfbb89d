// Package conformance is the check every broker protocol of the bridge passes: Run drives a
// bridge.Dialer against a real broker through Publisher, Confirm, Consumer and Delivery.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/purezmq/zmq/bridge"
)

// Addresses tells Run where to publish and consume.
type Addresses struct {
	// New returns a destination and the source that receives, in order, every message
	// published to it, whatever its Subject: a fresh, empty one for each check.
	New func(t *testing.T) (dest, source string)
	// Proxy, when set, is what the Dialer goes through: Run cuts its connections to check
	// that a lost connection is ErrConnection. Nil skips that check.
	Proxy *Proxy
}

// timeout bounds each check's wait for the broker.
const timeout = 20 * time.Second

// Run runs every check as a subtest of t.
func Run(t *testing.T, dial bridge.Dialer, addrs Addresses) {
	checks := []struct {
		name string
		run  func(*testing.T, bridge.Broker, string, string)
	}{
		{"RoundTrip", roundTrip},
		{"RejectRequeue", rejectRequeue},
		{"RejectDrop", rejectDrop},
		{"Window", window},
		{"CloseRedelivers", closeRedelivers},
		{"Closed", closed},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			b := open(t, dial)
			dest, source := addrs.New(t)
			c.run(t, b, dest, source)
		})
	}
	t.Run("ConnectionLost", func(t *testing.T) {
		if addrs.Proxy == nil {
			t.Skip("no proxy to cut the connection")
		}
		dest, source := addrs.New(t)
		connectionLost(t, dial, addrs.Proxy, dest, source)
	})
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

func open(t *testing.T, dial bridge.Dialer) bridge.Broker {
	t.Helper()
	b, err := dial(ctxFor(t))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func publisher(t *testing.T, b bridge.Broker, dest string) bridge.Publisher {
	t.Helper()
	p, err := b.Publisher(ctxFor(t), dest)
	if err != nil {
		t.Fatalf("publisher %q: %v", dest, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func consumer(t *testing.T, b bridge.Broker, source string, window int) bridge.Consumer {
	t.Helper()
	c, err := b.Consumer(ctxFor(t), source, window)
	if err != nil {
		t.Fatalf("consumer %q: %v", source, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// publish publishes one message per body and waits for every confirmation.
func publish(t *testing.T, p bridge.Publisher, bodies ...string) {
	t.Helper()
	ctx := ctxFor(t)
	var confirms []bridge.Confirm
	for _, body := range bodies {
		c, err := p.Publish(ctx, bridge.Message{Subject: "s", Body: []byte(body)})
		if err != nil {
			t.Fatalf("publish %q: %v", body, err)
		}
		confirms = append(confirms, c)
	}
	for i, c := range confirms {
		if err := c.Wait(ctx); err != nil {
			t.Fatalf("confirm of %q: %v", bodies[i], err)
		}
	}
}

func receive(t *testing.T, c bridge.Consumer) bridge.Delivery {
	t.Helper()
	d, err := c.Receive(ctxFor(t))
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return d
}

// expect receives len(bodies) deliveries, checks their bodies in order and returns them.
func expect(t *testing.T, c bridge.Consumer, bodies ...string) []bridge.Delivery {
	t.Helper()
	var ds []bridge.Delivery
	for _, want := range bodies {
		d := receive(t, c)
		if got := string(d.Message().Body); got != want {
			t.Fatalf("received %q, want %q", got, want)
		}
		ds = append(ds, d)
	}
	return ds
}

func ack(t *testing.T, ds ...bridge.Delivery) {
	t.Helper()
	for _, d := range ds {
		if err := d.Ack(ctxFor(t)); err != nil {
			t.Fatalf("ack: %v", err)
		}
	}
}

// roundTrip: N messages keep their order and every mapped field.
func roundTrip(t *testing.T, b bridge.Broker, dest, source string) {
	const n = 20
	p := publisher(t, b, dest)
	c := consumer(t, b, source, n)
	ctx := ctxFor(t)
	var confirms []bridge.Confirm
	want := make([]bridge.Message, n)
	for i := range want {
		want[i] = bridge.Message{
			Subject:     fmt.Sprintf("subject.%d", i),
			Body:        []byte(fmt.Sprintf("body\x00%d\xff", i)),
			ContentType: "application/x-test",
			Headers:     map[string]string{"k": fmt.Sprint(i), "other": "v"},
			ID:          fmt.Sprintf("id-%d", i),
		}
		if i == 0 {
			want[i].Headers, want[i].ContentType = nil, "" // none at all
		}
		cf, err := p.Publish(ctx, want[i])
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		confirms = append(confirms, cf)
	}
	for i, cf := range confirms {
		if err := cf.Wait(ctx); err != nil {
			t.Fatalf("confirm %d: %v", i, err)
		}
	}
	for i := range n {
		d := receive(t, c)
		got := d.Message()
		w := want[i]
		if got.Subject != w.Subject || string(got.Body) != string(w.Body) || got.ContentType != w.ContentType ||
			got.ID != w.ID || !sameHeaders(got.Headers, w.Headers) {
			t.Fatalf("message %d:\n got %+v\nwant %+v", i, got, w)
		}
		ack(t, d)
	}
}

// sameHeaders compares the application headers; a protocol may add its own, so only want's
// keys are checked.
func sameHeaders(got, want map[string]string) bool {
	sub := make(map[string]string, len(want))
	for k := range want {
		if v, ok := got[k]; ok {
			sub[k] = v
		}
	}
	return maps.Equal(sub, want)
}

// rejectRequeue: a rejected delivery comes again.
func rejectRequeue(t *testing.T, b bridge.Broker, dest, source string) {
	publish(t, publisher(t, b, dest), "again")
	c := consumer(t, b, source, 1)
	d := expect(t, c, "again")[0]
	if err := d.Reject(ctxFor(t), true); err != nil {
		t.Fatalf("reject: %v", err)
	}
	ack(t, expect(t, c, "again")...)
}

// rejectDrop: a delivery rejected without requeue does not come again.
func rejectDrop(t *testing.T, b bridge.Broker, dest, source string) {
	p := publisher(t, b, dest)
	publish(t, p, "drop")
	c := consumer(t, b, source, 1)
	d := expect(t, c, "drop")[0]
	if err := d.Reject(ctxFor(t), false); err != nil {
		t.Fatalf("reject: %v", err)
	}
	publish(t, p, "next")
	ack(t, expect(t, c, "next")...)
}

// window: a consumer holds at most window unacknowledged deliveries; the rest go to another.
func window(t *testing.T, b bridge.Broker, dest, source string) {
	const n, w = 10, 3
	a := consumer(t, b, source, w)
	publish(t, publisher(t, b, dest), bodies(0, n)...)
	held := expect(t, a, bodies(0, w)...)
	// a is full: everything else goes to b. Had a taken more than w, b would wait here.
	other := consumer(t, b, source, n)
	ack(t, expect(t, other, bodies(w, n)...)...)
	// An ack makes room in a's window: with other gone, a gets the next one.
	ack(t, held[0])
	other.Close()
	publish(t, publisher(t, b, dest), "after")
	ack(t, expect(t, a, "after")...)
	ack(t, held[1:]...)
}

func bodies(from, to int) []string {
	var s []string
	for i := from; i < to; i++ {
		s = append(s, fmt.Sprint("m", i))
	}
	return s
}

// closeRedelivers: what a closed consumer held unacknowledged is delivered again.
func closeRedelivers(t *testing.T, b bridge.Broker, dest, source string) {
	publish(t, publisher(t, b, dest), "a", "b")
	c := consumer(t, b, source, 2)
	expect(t, c, "a", "b")
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := c.Receive(ctxFor(t)); !errors.Is(err, bridge.ErrClosed) {
		t.Fatalf("receive after close: %v, want ErrClosed", err)
	}
	again := consumer(t, b, source, 2)
	got := map[string]bool{}
	for _, d := range []bridge.Delivery{receive(t, again), receive(t, again)} {
		got[string(d.Message().Body)] = true
		ack(t, d)
	}
	if !got["a"] || !got["b"] {
		t.Fatalf("redelivered %v, want a and b", got)
	}
}

// closed: links fail with ErrClosed after their own Close or the broker's.
func closed(t *testing.T, b bridge.Broker, dest, source string) {
	p := publisher(t, b, dest)
	if err := p.Close(); err != nil {
		t.Fatalf("publisher close: %v", err)
	}
	if _, err := p.Publish(ctxFor(t), bridge.Message{Body: []byte("x")}); !errors.Is(err, bridge.ErrClosed) {
		t.Fatalf("publish after close: %v, want ErrClosed", err)
	}
	c := consumer(t, b, source, 1)
	if err := b.Close(); err != nil {
		t.Fatalf("broker close: %v", err)
	}
	if _, err := c.Receive(ctxFor(t)); !errors.Is(err, bridge.ErrClosed) {
		t.Fatalf("receive after broker close: %v, want ErrClosed", err)
	}
}
