package zmq_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq"
)

// A STREAM socket serving a plain tcp client: a line in, a line back, then it closes the
// connection.
func Example_stream() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	srv, err := zmq.NewSocket(zmq.STREAM)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Bind("tcp://127.0.0.1:*"); err != nil {
		log.Fatal(err)
	}
	go func() {
		lines := map[string]string{} // what each connection sent so far
		for {
			m, err := srv.Recv(ctx)
			if err != nil {
				return // closed
			}
			id, data := m.Frames[0], string(m.Frames[1])
			if data == "" {
				continue // a connection opened or closed
			}
			lines[string(id)] += data
			if line, ok := strings.CutSuffix(lines[string(id)], "\n"); ok {
				srv.Send(ctx, zmq.NewMsg(id, []byte("hello, "+line+"\n")))
				srv.Send(ctx, zmq.NewMsg(id, nil)) // close it
			}
		}
	}()

	c, err := net.Dial("tcp", strings.TrimPrefix(srv.LastEndpoint(), "tcp://"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintln(c, "world")
	reply, _ := bufio.NewReader(c).ReadString('\n')
	fmt.Print(reply)
	_, err = c.Read(make([]byte, 1))
	fmt.Println(err == io.EOF)
	// Output:
	// hello, world
	// true
}
