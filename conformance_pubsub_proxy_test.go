package zmq_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// forward moves messages from one socket to the other until ctx ends, copying each first frame
// to tap if it is not nil.
func forward(ctx context.Context, t *testing.T, from, to *zmq.Socket, tap chan<- string) {
	for {
		m, err := from.Recv(ctx)
		if err == nil && tap != nil {
			select {
			case tap <- string(m.Frames[0]):
			default:
			}
		}
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, zmq.ErrClosed) {
				t.Errorf("forward %v→%v Recv: %v", from.Type(), to.Type(), err)
			}
			return
		}
		if err := to.Send(ctx, m); err != nil {
			if ctx.Err() == nil && !errors.Is(err, zmq.ErrClosed) {
				t.Errorf("forward %v→%v Send: %v", from.Type(), to.Type(), err)
			}
			return
		}
	}
}

// TestPubSubProxyChain: publisher → XSUB|XPUB forwarder → subscribers, with a subscriber that
// joins late and one that unsubscribes (go-zeromq/zmq4 issues #108 and #136).
func TestPubSubProxyChain(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pub := newSocket(t, zmq.PUB)
		xsub, xpub := newSocket(t, zmq.XSUB), newSocket(t, zmq.XPUB)
		link(t, tr, pub, xsub)
		front := bind(t, xpub, tr.wildcard())

		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Add(2)
		subs := make(chan string, 100) // the subscriptions the forwarder passes upstream
		go func() { defer wg.Done(); forward(ctx, t, xsub, xpub, nil) }()
		go func() { defer wg.Done(); forward(ctx, t, xpub, xsub, subs) }()
		t.Cleanup(func() { cancel(); wg.Wait() })

		s1, s3 := newSocket(t, zmq.SUB), newSocket(t, zmq.SUB)
		subscribe(t, s1, "news.")
		subscribe(t, s3, "news.", "sports.")
		connect(t, s1, front)
		connect(t, s3, front)
		syncSub(t, pub, s1, "news.sync")
		syncSub(t, pub, s3, "news.sync")
		syncSub(t, pub, s3, "sports.sync")

		sendString(t, pub, "news.1")
		sendString(t, pub, "weather.1")
		sendString(t, pub, "sports.1")
		expectRecvSkip(t, s1, "news.sync", "news.1")
		expectRecvSkip(t, s3, "news.sync", "news.1")
		expectRecvSkip(t, s3, "sports.sync", "sports.1")

		// A late joiner's subscription travels through the forwarder too.
		s2 := newSocket(t, zmq.SUB)
		connect(t, s2, front)
		subscribe(t, s2, "weather.")
		syncSub(t, pub, s2, "weather.sync")
		sendString(t, pub, "weather.2")
		expectRecvSkip(t, s2, "weather.sync", "weather.2")

		// s3 drops "sports." as its last subscriber: it stops getting them at once (it
		// filters too), and the CANCEL travels through the forwarder to the publisher.
		unsubscribe(t, s3, "sports.")
		sendString(t, pub, "sports.2")
		sendString(t, pub, "news.2")
		expectRecvSkip(t, s1, "news.sync", "news.2")
		expectRecvSkip(t, s3, "news.sync", "news.2")
		expectNoMsgSkip(t, s3, "news.sync")
		timeout := time.After(waitLong)
		for seen := false; !seen; {
			select {
			case sub := <-subs:
				seen = sub == "\x00sports."
			case <-timeout:
				t.Fatal("the forwarder never passed the CANCEL of \"sports.\" upstream")
			}
		}
	})
}

// TestXSubSubscribeAsMessage: an XSUB subscribes by sending \x01topic (or with Subscribe) and
// its own messages other than subscriptions go upstream to an XPUB.
func TestXSubSubscribeAsMessage(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		xpub, xsub := newSocket(t, zmq.XPUB), newSocket(t, zmq.XSUB)
		link(t, tr, xpub, xsub)
		sendString(t, xsub, "\x01topic")
		expectRecvString(t, xpub, "\x01topic")
		if err := xsub.Subscribe([]byte("other")); err != nil {
			t.Fatal(err)
		}
		expectRecvString(t, xpub, "\x01other")
		sendString(t, xsub, "upstream", "data")
		expectRecvString(t, xpub, "upstream", "data")
		sendString(t, xpub, "topic.1")
		sendString(t, xpub, "nope")
		sendString(t, xpub, "other.1")
		expectRecvString(t, xsub, "topic.1")
		expectRecvString(t, xsub, "other.1")
		sendString(t, xsub, "\x00topic")
		expectRecvString(t, xpub, "\x00topic")
	})
}
