package zmq_test

import (
	"context"
	"fmt"
	"log"
	"time"

	zmq "github.com/purezmq/zmq"
)

func Example_pubSub() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pub, err := zmq.NewSocket(zmq.PUB)
	if err != nil {
		log.Fatal(err)
	}
	defer pub.Close()
	if err := pub.Bind("tcp://127.0.0.1:*"); err != nil {
		log.Fatal(err)
	}

	sub, _ := zmq.NewSocket(zmq.SUB)
	defer sub.Close()
	sub.Subscribe([]byte("weather."))
	sub.Connect(pub.LastEndpoint())

	// A subscription takes a moment to reach the publisher, which drops what nobody has
	// asked for yet: publish until the first message gets through.
	got := make(chan zmq.Msg)
	go func() {
		m, err := sub.Recv(ctx)
		if err == nil {
			got <- m
		}
	}()
	for {
		pub.Send(ctx, zmq.NewMsgString("sports.tennis 6-4"))
		pub.Send(ctx, zmq.NewMsgString("weather.paris 21C"))
		select {
		case m := <-got:
			fmt.Printf("%s\n", m.Frames[0])
			return
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			log.Fatal("no subscribed message")
		}
	}
	// Output: weather.paris 21C
}
