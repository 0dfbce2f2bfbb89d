package wirefuzz_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	zmq "github.com/purezmq/zmq"
)

// collector receives on the socket for the whole run (the types that receive), sorting the
// good peer's messages from the hostile peer's; a REP answers each request.
type collector struct {
	mu      sync.Mutex
	hostile []zmq.Msg
	err     error
	more    chan struct{} // signalled on each hostile delivery
	good    chan zmq.Msg
	cancel  context.CancelFunc
	done    chan struct{}
}

func receives(t zmq.Type) bool { return t != zmq.PUB && t != zmq.PUSH && t != zmq.REQ }

func startCollector(fx *fixture) *collector {
	c := &collector{good: make(chan zmq.Msg, 64), more: make(chan struct{}, 1), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	if !receives(fx.st.typ) {
		close(c.done)
		return c
	}
	go func() {
		defer close(c.done)
		for {
			m, err := fx.sock.Recv(ctx)
			if err != nil {
				if ctx.Err() == nil {
					c.fail(fmt.Errorf("Recv: %w", err))
				}
				return
			}
			good := fx.isGood(m)
			if !good {
				c.mu.Lock()
				c.hostile = append(c.hostile, m)
				c.mu.Unlock()
				select {
				case c.more <- struct{}{}:
				default:
				}
			}
			if fx.st.typ == zmq.REP {
				reply := []byte("x")
				if good {
					reply = append(append([]byte(nil), m.Frames[0]...), 'r')
				}
				if err := fx.sock.Send(ctx, zmq.NewMsg(reply)); err != nil && ctx.Err() == nil {
					c.fail(fmt.Errorf("REP Send: %w", err))
					return
				}
			}
			if good && fx.st.typ != zmq.REP { // a REP's good peer sees the reply instead
				select {
				case c.good <- m:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return c
}

func (c *collector) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
}

// await waits for the good message holding mark.
func (c *collector) await(fx *fixture, mark []byte) zmq.Msg {
	fx.t.Helper()
	timer := time.NewTimer(patience)
	defer timer.Stop()
	for {
		select {
		case m := <-c.good:
			for _, f := range m.Frames {
				if bytes.Equal(f, mark) {
					return m
				}
			}
		case <-c.done:
			fx.t.Fatalf("the socket's Recv failed: %v", c.err)
		case <-timer.C:
			fx.t.Fatalf("hang: the socket did not deliver the good peer's %q within %v (%s)", mark, patience, fx.st)
		}
	}
}

// awaitHostile waits until the socket has delivered n messages from the hostile peer, and
// reports whether it did within patience.
func (c *collector) awaitHostile(n int) bool {
	timer := time.NewTimer(patience)
	defer timer.Stop()
	for {
		c.mu.Lock()
		got := len(c.hostile)
		c.mu.Unlock()
		if got >= n {
			return true
		}
		select {
		case <-c.more:
		case <-c.done:
			return false
		case <-timer.C:
			return false
		}
	}
}

// take hands over the hostile deliveries collected so far and forgets them.
func (c *collector) take() []zmq.Msg {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.hostile
	c.hostile = nil
	return got
}

// stop ends the collector and takes what is still queued, without waiting; it returns the
// hostile peer's deliveries, in order.
func (c *collector) stop(fx *fixture) []zmq.Msg {
	c.cancel()
	<-c.done
	if c.err != nil {
		fx.t.Fatalf("the socket's Recv failed: %v", c.err)
	}
	if receives(fx.st.typ) && fx.st.typ != zmq.REP {
		done, cancel := context.WithCancel(context.Background())
		cancel()
		for {
			m, err := fx.sock.Recv(done)
			if err != nil {
				break
			}
			if !fx.isGood(m) {
				c.hostile = append(c.hostile, m)
			}
		}
	}
	return c.hostile
}
