package rpc

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/zmq/zmtp"
)

// A client that goes silent after its handshake (a raw ZMTP peer that answers nothing) gets
// PINGs from the server, then is dropped: the server closes the connection.
func TestHeartbeatSilentClient(t *testing.T) {
	srv := startServer(t, Target{Topic: "t"}, nil, WithHeartbeat(50*time.Millisecond, 3))
	c := rawPeer(t, srv.Endpoint(), nil)
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil { // a bound, if all else fails
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	if _, err := io.ReadFull(r, make([]byte, zmtp.GreetingSize)); err != nil {
		t.Fatal(err)
	}
	var names []string
	for {
		head := make([]byte, 2)
		if _, err := io.ReadFull(r, head); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
				break // dropped
			}
			t.Fatalf("after %v: %v", names, err)
		}
		body := make([]byte, head[1]) // short frames only: READY and PING are small
		if _, err := io.ReadFull(r, body); err != nil {
			t.Fatalf("after %v: %v", names, err)
		}
		cmd, err := zmtp.ParseCommand(body)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, cmd.Name)
	}
	if len(names) < 2 || names[0] != zmtp.CmdReady || names[1] != zmtp.CmdPing {
		t.Fatalf("the server sent %v before dropping us, want READY then PINGs", names)
	}
}

// rawPeer opens a raw ZMTP connection to a server's tcp endpoint as a NULL DEALER and writes its
// greeting and READY, then the frames of each message of msgs; it reads nothing. Closed at the
// end of the test.
func rawPeer(t *testing.T, endpoint string, msgs ...[][]byte) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(endpoint, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	out := zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(nil)
	out = zmtp.AppendReady(out, zmtp.Metadata{{Name: "Socket-Type", Value: []byte("DEALER")}})
	for _, frames := range msgs {
		for i, f := range frames {
			flags := byte(0)
			if i < len(frames)-1 {
				flags = zmtp.FlagMore
			}
			out = zmtp.AppendFrame(out, flags, f)
		}
	}
	if _, err := c.Write(out); err != nil {
		t.Fatal(err)
	}
	return c
}
