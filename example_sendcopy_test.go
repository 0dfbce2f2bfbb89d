package zmq_test

import (
	"context"
	"fmt"
	"strconv"
	"time"

	zmq "github.com/purezmq/zmq"
)

// SendCopy leaves the frames to the caller, so one buffer serves every message.
func ExampleSocket_SendCopy() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pull, _ := zmq.NewSocket(zmq.PULL)
	defer pull.Close()
	pull.Bind("inproc://sendcopy")
	push, _ := zmq.NewSocket(zmq.PUSH)
	defer push.Close()
	push.Connect("inproc://sendcopy")

	buf := make([]byte, 0, 16)
	for i := 1; i <= 3; i++ {
		buf = strconv.AppendInt(append(buf[:0], "reading "...), int64(i), 10)
		push.SendCopy(ctx, zmq.NewMsg(buf)) // buf is ours again at once
	}
	for range 3 {
		m, _ := pull.Recv(ctx)
		fmt.Printf("%s\n", m.Frames[0])
	}
	// Output:
	// reading 1
	// reading 2
	// reading 3
}
