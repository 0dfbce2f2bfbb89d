package trust_test

import (
	"context"
	"errors"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/faultnet"
)

// A slow link: 256 KiB/s, with small socket buffers at the relay so it pushes back after
// little buffering. Messages of up to 8 KiB.
const (
	slowRate = 256 << 10
	slowHWM  = 10
	slowBuf  = 64 << 10
)

var slowCodec = bounded(30, 1, 8<<10)

// TestFaultSlowLinkPushBlocks: a PUSH whose only peer sits behind a slow link stops taking
// messages once its queue and the link's buffers are full; a Send that cannot complete returns
// the ctx's error and the message is not sent. Nothing taken is lost: when the link recovers,
// the PULL receives every message Send accepted, in order, intact.
func TestFaultSlowLinkPushBlocks(t *testing.T) {
	g := newGroup(t)
	pull := newSocket(t, zmq.PULL, zmq.WithRecvHWM(slowHWM))
	r := relayTo(t, bindTCP(t, pull), faultnet.WithSocketBuffer(slowBuf))
	push := newSocket(t, zmq.PUSH, zmq.WithSendHWM(slowHWM))
	connectTCP(t, push, r.Addr())
	data := newTally(slowCodec)
	receive(t, g, pull, data)
	r.Throttle(faultnet.Up, slowRate)

	const blocked = 100 * time.Millisecond // a Send this late counts as blocked
	const tooMuch = 4000                   // ~16 MiB: far beyond any buffer on the way
	var sent int64
	for ; ; sent++ {
		if sent == tooMuch {
			t.Fatalf("PUSH took %d messages into a %d B/s link without blocking", sent, slowRate)
		}
		ctx, cancel := context.WithTimeout(context.Background(), blocked)
		err := push.Send(ctx, zmq.NewMsg(slowCodec.msg(1, sent)...))
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatalf("Send %d: %v", sent, err)
		}
	}
	t.Logf("PUSH blocked after %d messages; %d bytes through the slow link so far", sent, r.Stats().Up)
	r.Normal(faultnet.Up)
	data.waitGot(t, 1, int(sent), waitLong)
	g.stop()
	if st := data.state(1); st.got != int(sent) || st.next != sent || st.runs != 1 {
		t.Fatalf("PULL got %v; want all %d messages Send took, in order", st, sent)
	}
}

// TestFaultSlowLinkPubDrops: a PUB never waits for a subscriber behind a slow link: Send
// returns at once, and what the subscriber's queue cannot take is dropped (RFC 29). The
// subscriber sees gaps, never an altered, duplicated or reordered message.
func TestFaultSlowLinkPubDrops(t *testing.T) {
	g := newGroup(t)
	pub := newSocket(t, zmq.PUB, zmq.WithSendHWM(slowHWM))
	r := relayTo(t, bindTCP(t, pub), faultnet.WithSocketBuffer(slowBuf))
	sub := newSocket(t, zmq.SUB, zmq.WithRecvHWM(slowHWM))
	if err := sub.Subscribe(nil); err != nil {
		t.Fatal(err)
	}
	connectTCP(t, sub, r.Addr())
	data := newTally(slowCodec)
	receive(t, g, sub, data)
	subscribed(t, pub, data)
	r.Throttle(faultnet.Down, slowRate)

	const n = 2000 // ~8 MiB into a 256 KiB/s link
	start := time.Now()
	for seq := range int64(n) {
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		err := pub.Send(ctx, zmq.NewMsg(slowCodec.msg(1, seq)...))
		cancel()
		if err != nil {
			t.Fatalf("PUB Send %d: %v", seq, err)
		}
	}
	took := time.Since(start)
	r.Normal(faultnet.Down)
	// The last messages may be dropped too: an end marker on a stream of its own, repeated
	// until it arrives, says the subscriber has everything it will get.
	for seq := int64(0); data.state(2).got == 0; seq++ {
		if err := pub.Send(context.Background(), zmq.NewMsg(slowCodec.msg(2, seq)...)); err != nil {
			t.Fatal(err)
		}
		data.next(2, 0, 2*time.Millisecond)
	}
	g.stop()
	st := data.state(1)
	dropped := n - st.got
	t.Logf("PUB sent %d in %v; the subscriber got %d, %d dropped in %d gaps; %d bytes through the slow link",
		n, took, st.got, dropped, st.gaps, r.Stats().Down)
	if st.runs != 1 {
		t.Errorf("the subscriber got %v; want them in order", st)
	}
	if dropped == 0 { // all may be at the end, after the last one delivered: then there is no gap
		t.Errorf("nothing dropped: %d messages of ~4 KiB went through a %d B/s link as fast as PUB sent them", n, slowRate)
	}
}

// subscribed waits until a subscription has reached pub: it publishes probes on stream 0 until
// one arrives.
func subscribed(t *testing.T, pub *zmq.Socket, ta *tally) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for seq := int64(0); ta.state(0).got == 0; seq++ {
		if time.Now().After(deadline) {
			t.Fatal("the subscription never reached the publisher")
		}
		if err := pub.Send(context.Background(), zmq.NewMsg(slowCodec.msg(0, seq)...)); err != nil {
			t.Fatal(err)
		}
		ta.next(0, 0, 2*time.Millisecond)
	}
}
