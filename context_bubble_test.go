package zmq_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"testing/synctest"
	"time"

	zmq "github.com/purezmq/zmq"
)

// TestDefaultContextOutlivesBubble: the default context used first inside a synctest bubble
// still serves sockets outside it (a lingering socket crashed the program: "select on synctest
// channel from outside bubble"). It runs in a fresh process, where nothing has used the
// default context yet.
func TestDefaultContextOutlivesBubble(t *testing.T) {
	if os.Getenv("ZMQ_TEST_BUBBLE_CHILD") == "1" {
		synctest.Test(t, func(t *testing.T) {
			s, err := zmq.NewSocket(zmq.PAIR)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
		})
		p, err := zmq.NewSocket(zmq.PUSH, zmq.WithLinger(50*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Connect("tcp://127.0.0.1:1"); err != nil {
			t.Fatal(err)
		}
		if err := p.Send(context.Background(), zmq.NewMsgString("x")); err != nil {
			t.Fatal(err)
		}
		p.Close() // lingers, its message undeliverable
		if err := zmq.DefaultContext().Close(); err != nil {
			t.Fatal(err)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDefaultContextOutlivesBubble$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ZMQ_TEST_BUBBLE_CHILD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
