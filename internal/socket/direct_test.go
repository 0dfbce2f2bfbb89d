//go:build unix

package socket

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/pipe"
)

// connOf returns the link s routes id to and its connection.
func connOf(t *testing.T, s *Socket, id []byte) (*link, *engine.Conn) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for l := range s.links {
		if bytes.Equal(l.p.RoutingID, id) && l.conn != nil {
			return l, l.conn
		}
	}
	t.Fatalf("no connection for routing id %q", id)
	return nil, nil
}

// waitFlushed waits until the writers of s have written everything queued.
func waitFlushed(t *testing.T, s *Socket) {
	t.Helper()
	for !s.flushed() {
		select {
		case <-s.idleWake:
		case <-time.After(10 * time.Second):
			t.Fatal("the writers did not finish")
		}
	}
}

// TestDirectSendAnyPeer: a ROUTER with several peers writes the answer to a Recv itself,
// before Send returns, leaving the connection's writer goroutine asleep; a second Send, which
// answers nothing, goes to the writer goroutine, so a stream still goes out in batches. With
// one P the writer goroutine cannot run before the test looks, so what the queue holds after
// Send tells who writes.
func TestDirectSendAnyPeer(t *testing.T) {
	for _, ep := range []string{"tcp://127.0.0.1:*", "ipc://" + t.TempDir() + "/s"} {
		t.Run(ep[:3], func(t *testing.T) {
			ctx := NewContext()
			defer ctx.Close()
			o := DefaultOptions()
			o.Linger = 0
			router, err := New(ctx, ROUTER, o)
			if err != nil {
				t.Fatal(err)
			}
			defer router.Close()
			if err := router.Bind(ep); err != nil {
				t.Fatal(err)
			}
			const peers, each = 3, 3
			for range peers {
				d, err := New(ctx, DEALER, o)
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				if err := d.Connect(router.LastEndpoint()); err != nil {
					t.Fatal(err)
				}
				for range each {
					if err := d.Send(context.Background(), pipe.Msg{[]byte("hello")}); err != nil {
						t.Fatal(err)
					}
				}
			}
			// Answers start once every peer has been heard from: the ROUTER has them all.
			seen := map[string]bool{}
			answered, direct := 0, 0
			for range peers * each {
				wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				m, _, err := router.Recv(wctx)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				seen[string(m[0])] = true
				if len(seen) < peers {
					continue
				}
				waitFlushed(t, router)
				l, c := connOf(t, router, m[0])
				queued, busy := sendOneP(t, router, pipe.Msg{m[0], []byte("answer")}, l, c)
				// A writer goroutine that has just finished may hold the connection a moment
				// longer; then it is left the answer, rightly, and the test counts that.
				if queued == 0 && !busy {
					direct++
				}
				queued, _ = sendOneP(t, router, pipe.Msg{m[0], []byte("more")}, l, c)
				if queued == 0 {
					t.Fatalf("a Send answering nothing wrote the connection itself; want it left to the writer goroutine")
				}
				answered++
			}
			if direct == 0 {
				t.Fatalf("none of %d answers was written by Send", answered)
			}
		})
	}
}

// sendOneP sends m on s with a single P, and reports, before anything else may run, how many
// messages l's queue holds and whether its connection c is busy.
func sendOneP(t *testing.T, s *Socket, m pipe.Msg, l *link, c *engine.Conn) (queued int, busy bool) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return l.q.Len(), c.Busy()
}
