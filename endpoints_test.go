package zmq_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// TestEndpointForms binds and connects with each address form libzmq users write.
func TestEndpointForms(t *testing.T) {
	tests := []struct {
		name    string
		bind    string
		connect func(last string) string
		ipv6    bool // IPV6 on both sockets: as libzmq, an IPv6 address needs it
	}{
		{"ipv4", "tcp://127.0.0.1:*", same, false},
		{"ipv6", "tcp://[::1]:*", same, true},
		{"all-interfaces", "tcp://*:*", func(last string) string {
			return strings.Replace(last, "0.0.0.0", "127.0.0.1", 1)
		}, false},
		{"hostname", "tcp://localhost:*", func(last string) string {
			return "tcp://localhost:" + last[strings.LastIndex(last, ":")+1:]
		}, false},
		{"ipc-path", "ipc://" + os.TempDir() + fmt.Sprintf("/purezmq-test-%d.sock", os.Getpid()), same, false},
		{"ipc-abstract", fmt.Sprintf("ipc://@purezmq-test-%d", os.Getpid()), same, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			pull, err := zmq.NewSocket(zmq.PULL, zmq.WithLinger(0), zmq.WithIPv6(tt.ipv6))
			if err != nil {
				t.Fatal(err)
			}
			defer pull.Close()
			if err := pull.Bind(tt.bind); err != nil {
				t.Fatalf("Bind(%s): %v", tt.bind, err)
			}
			last := pull.LastEndpoint()
			if strings.HasSuffix(last, ":*") || strings.HasSuffix(last, ":0") {
				t.Fatalf("LastEndpoint %q does not name the port", last)
			}
			push, _ := zmq.NewSocket(zmq.PUSH, zmq.WithLinger(0), zmq.WithIPv6(tt.ipv6))
			defer push.Close()
			if err := push.Connect(tt.connect(last)); err != nil {
				t.Fatalf("Connect(%s): %v", tt.connect(last), err)
			}
			if err := push.Send(ctx, zmq.NewMsgString(tt.name)); err != nil {
				t.Fatal(err)
			}
			m, err := pull.Recv(ctx)
			if err != nil || string(m.Frames[0]) != tt.name {
				t.Fatalf("Recv = %q, %v", m, err)
			}
			if err := pull.Unbind(last); err != nil {
				t.Fatalf("Unbind(%s): %v", last, err)
			}
		})
	}
}

func same(last string) string { return last }
