package zmq_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	zmq "github.com/purezmq/zmq"
)

// An XPUB passes on each distinct subscription once; XPUB_VERBOSE passes on every subscriber's,
// as a last-value cache needs to answer each newcomer.
func ExampleWithXPubVerbose() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pub, _ := zmq.NewSocket(zmq.XPUB, zmq.WithXPubVerbose(true))
	defer pub.Close()
	pub.Bind("inproc://example-verbose")
	for range 2 {
		sub, _ := zmq.NewSocket(zmq.SUB)
		defer sub.Close()
		sub.Connect("inproc://example-verbose")
		sub.Subscribe([]byte("prices.")) // the same prefix twice
	}
	for range 2 {
		m, _ := pub.Recv(ctx)
		fmt.Printf("%q\n", m.Frames[0])
	}
	// Output:
	// "\x01prices."
	// "\x01prices."
}

// XPUB_WELCOME_MSG greets each subscriber as it connects; a subscriber that asked for the
// welcome's prefix knows from it that the publisher has its subscription.
func ExampleWithXPubWelcomeMsg() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pub, _ := zmq.NewSocket(zmq.XPUB, zmq.WithXPubWelcomeMsg([]byte("welcome")))
	defer pub.Close()
	pub.Bind("inproc://example-welcome")
	sub, _ := zmq.NewSocket(zmq.SUB)
	defer sub.Close()
	sub.Subscribe([]byte("welcome"))
	sub.Connect("inproc://example-welcome")

	m, _ := sub.Recv(ctx)
	fmt.Printf("%s\n", m.Frames[0])
	// Output: welcome
}

// CONFLATE keeps only the newest message: for state where the latest value is all that
// matters. A PUSH that queued three updates before its peer came delivers the last alone.
func ExampleWithConflate() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	push, _ := zmq.NewSocket(zmq.PUSH, zmq.WithConflate(true))
	defer push.Close()
	push.Connect("inproc://example-conflate")
	for i := 1; i <= 3; i++ {
		push.Send(ctx, zmq.NewMsgString(fmt.Sprint("position ", i)))
	}

	pull, _ := zmq.NewSocket(zmq.PULL)
	defer pull.Close()
	pull.Bind("inproc://example-conflate")
	m, _ := pull.Recv(ctx)
	fmt.Printf("%s\n", m.Frames[0])

	now, stop := context.WithCancel(ctx)
	stop()
	_, err := pull.Recv(now)
	fmt.Println("more:", !errors.Is(err, zmq.ErrAgain))
	// Output:
	// position 3
	// more: false
}

// INVERT_MATCHING turns a subscription into an exclusion: the SUB gets every message except
// those matching it. Set it on both sides.
func ExampleWithInvertMatching() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pub, _ := zmq.NewSocket(zmq.XPUB, zmq.WithInvertMatching(true))
	defer pub.Close()
	pub.Bind("inproc://example-invert")
	sub, _ := zmq.NewSocket(zmq.SUB, zmq.WithInvertMatching(true))
	defer sub.Close()
	sub.Connect("inproc://example-invert")
	sub.Subscribe([]byte("debug."))
	pub.Recv(ctx) // the subscription has arrived

	pub.Send(ctx, zmq.NewMsgString("debug.cache miss"))
	pub.Send(ctx, zmq.NewMsgString("error.disk full"))
	m, _ := sub.Recv(ctx)
	fmt.Printf("%s\n", m.Frames[0])
	// Output: error.disk full
}

// MAX_SUBSCRIPTION_BYTES bounds what one subscriber's subscriptions may cost a publisher facing
// untrusted peers: a subscriber that asks for more is disconnected, and the monitor says why.
// Each subscription counts its topic's bytes and 256 more.
func ExampleWithMaxSubscriptionBytes() {
	pub, _ := zmq.NewSocket(zmq.PUB, zmq.WithMaxSubscriptionBytes(2*(256+8)))
	defer pub.Close()
	events, stop := pub.Monitor(zmq.EventDisconnected)
	defer stop()
	pub.Bind("tcp://127.0.0.1:*")

	sub, _ := zmq.NewSocket(zmq.SUB)
	defer sub.Close()
	for _, topic := range []string{"prices.", "trades.", "orders."} { // three: one too many
		sub.Subscribe([]byte(topic))
	}
	sub.Connect(pub.LastEndpoint())

	e := <-events
	fmt.Println(e.Type, errors.Is(e.Err, zmq.ErrSubscriptionLimit))
	// Output: DISCONNECTED true
}
