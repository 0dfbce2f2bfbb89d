package zmq_test

import (
	"context"
	"fmt"
	"log"
	"time"

	zmq "github.com/purezmq/zmq"
)

// An XPUB is a PUB that hands its subscribers' subscriptions to the application: a message
// "\x01prefix" for each subscription and "\x00prefix" for each cancel. Here the publisher waits
// for the subscription before it publishes, so nothing is dropped for want of a subscriber.
func Example_xpub() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pub, err := zmq.NewSocket(zmq.XPUB)
	if err != nil {
		log.Fatal(err)
	}
	defer pub.Close()
	pub.Bind("inproc://example-xpub")

	sub, _ := zmq.NewSocket(zmq.SUB)
	defer sub.Close()
	sub.Connect("inproc://example-xpub")
	sub.Subscribe([]byte("weather."))

	s, _ := pub.Recv(ctx)
	fmt.Printf("subscribe=%v prefix=%s\n", s.Frames[0][0] == 1, s.Frames[0][1:])

	pub.Send(ctx, zmq.NewMsgString("sports.tennis 6-4")) // nobody asked: dropped
	pub.Send(ctx, zmq.NewMsgString("weather.paris", "21C"))
	m, _ := sub.Recv(ctx)
	fmt.Printf("%s: %s\n", m.Frames[0], m.Frames[1])

	sub.Unsubscribe([]byte("weather."))
	s, _ = pub.Recv(ctx)
	fmt.Printf("subscribe=%v prefix=%s\n", s.Frames[0][0] == 1, s.Frames[0][1:])
	// Output:
	// subscribe=true prefix=weather.
	// weather.paris: 21C
	// subscribe=false prefix=weather.
}

// An XSUB is a SUB whose subscriptions are messages the application sends: "\x01prefix" to
// subscribe, "\x00prefix" to cancel. That is what lets a proxy pass subscriptions upstream.
func Example_xsub() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pub, _ := zmq.NewSocket(zmq.XPUB)
	defer pub.Close()
	pub.Bind("inproc://example-xsub")

	sub, err := zmq.NewSocket(zmq.XSUB)
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()
	sub.Connect("inproc://example-xsub")
	sub.Send(ctx, zmq.NewMsg(append([]byte{1}, "news."...)))

	s, _ := pub.Recv(ctx) // the subscription has arrived: what matches it is delivered
	fmt.Printf("%q\n", s.Frames[0])
	pub.Send(ctx, zmq.NewMsgString("ads.shoes"))
	pub.Send(ctx, zmq.NewMsgString("news.today"))
	m, _ := sub.Recv(ctx)
	fmt.Printf("%s\n", m.Frames[0])
	// Output:
	// "\x01news."
	// news.today
}
