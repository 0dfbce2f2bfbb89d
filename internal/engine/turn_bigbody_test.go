package engine

import (
	"bytes"
	"context"
	"testing"
	"testing/synctest"

	"github.com/purezmq/zmq/zmtp"
)

// TestCallerReturnsBeforeBigBody: a caller whose read brings a whole message and the header of
// a big body still under way returns with the message queued, instead of waiting in the body's
// read while the application's Recv holds what arrived (issue 10, defect 8). In a synctest
// bubble over memnet, so "the caller is parked in its read" and "the caller has returned" are
// facts, not waits.
func TestCallerReturnsBeforeBigBody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ca, b, rb := callerReading(t)
		queued := func() bool { return rb.ib.Len() > 0 }
		res := make(chan error, 1)
		go func() { res <- b.c.ReadAsCaller(context.Background(), nil, queued) }()
		synctest.Wait() // the caller holds the turn, parked in its read

		big := bytes.Repeat([]byte{7}, 1<<20)
		wire := zmtp.AppendFrame(zmtp.AppendFrame(nil, 0, []byte("small")), 0, big)
		cut := len(wire) - len(big) + 100 // the small message, the big header, 100 body bytes
		write(t, ca, wire[:cut])
		synctest.Wait()
		select {
		case err := <-res:
			if err != nil {
				t.Fatalf("ReadAsCaller: %v", err)
			}
		default:
			t.Fatal("the caller is still reading, holding a whole message, while a big body is under way")
		}
		if m := rb.recv(t); len(m) != 1 || string(m[0]) != "small" {
			t.Fatalf("got %q, want the small message", m)
		}

		write(t, ca, wire[cut:]) // the background reader, or the next caller, finishes the body
		if m := rb.recv(t); len(m) != 1 || !bytes.Equal(m[0], big) {
			t.Fatalf("the big message came out as %d frames", len(m))
		}
	})
}
