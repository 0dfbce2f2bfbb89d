package zmq_test

import (
	"fmt"

	zmq "github.com/purezmq/zmq"
)

// A monitor reports what happens to a socket's connections, without ever slowing it down.
func ExampleSocket_Monitor() {
	pull, _ := zmq.NewSocket(zmq.PULL)
	defer pull.Close()
	push, _ := zmq.NewSocket(zmq.PUSH)
	events, stop := push.Monitor(zmq.EventConnected | zmq.EventHandshakeSucceeded)
	defer stop()

	_ = pull.Bind("tcp://127.0.0.1:*")
	_ = push.Connect(pull.LastEndpoint())
	for e := range events {
		fmt.Println(e.Type)
		if e.Type == zmq.EventHandshakeSucceeded {
			push.Close() // MONITOR_STOPPED follows, then the channel closes
		}
	}
	// Output:
	// CONNECTED
	// HANDSHAKE_SUCCEEDED
	// MONITOR_STOPPED
}
