package rpcpeer

import (
	"context"
	"errors"
	"fmt"
	"sync"

	zmq "github.com/purezmq/zmq"
)

// The ceiling: a ROUTER that sends every [routing id, body] back as it came, and one DEALER
// shared by all callers, replies matched to calls by the id at the head of the payload — what
// an RPC layer on purezmq does at the least, with no header, codec or deadline on the wire.

func serveZMQ(ctx context.Context, endpoint string, ready func(string)) error {
	zc := zmq.NewContext()
	defer zc.Close()
	s, err := zc.NewSocket(zmq.ROUTER, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Bind(endpoint); err != nil {
		return fmt.Errorf("rpcpeer: zmq bind %s: %w", endpoint, err)
	}
	ready(s.LastEndpoint())
	for {
		msg, err := s.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("rpcpeer: router recv: %w", err)
		}
		if err := s.Send(ctx, msg); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("rpcpeer: router send: %w", err)
		}
	}
}

type zmqCaller struct {
	zc      *zmq.Context
	s       *zmq.Socket
	stop    context.CancelFunc
	done    chan struct{}
	mu      sync.Mutex
	pending map[uint64]chan []byte
	err     error // why the receiver stopped, under mu
}

var errZMQClosed = errors.New("rpcpeer: zmq client closed")

func dialZMQ(_ context.Context, endpoint string) (Caller, error) {
	zc := zmq.NewContext()
	s, err := zc.NewSocket(zmq.DEALER, zmq.WithLinger(0))
	if err == nil {
		err = s.Connect(endpoint)
	}
	if err != nil {
		zc.Close()
		return nil, fmt.Errorf("rpcpeer: zmq dealer %s: %w", endpoint, err)
	}
	ctx, stop := context.WithCancel(context.Background())
	c := &zmqCaller{zc: zc, s: s, stop: stop, done: make(chan struct{}), pending: map[uint64]chan []byte{}}
	go c.receive(ctx)
	return c, nil
}

// receive hands each reply to the call waiting for its id; a reply nobody waits for (its call
// gave up at the deadline) is dropped.
func (c *zmqCaller) receive(ctx context.Context) {
	defer close(c.done)
	for {
		msg, err := c.s.Recv(ctx)
		if err != nil {
			c.mu.Lock()
			c.err = err
			for id, ch := range c.pending {
				close(ch)
				delete(c.pending, id)
			}
			c.mu.Unlock()
			return
		}
		if len(msg.Frames) != 1 {
			continue
		}
		id, ok := payloadID(msg.Frames[0])
		if !ok {
			continue
		}
		c.mu.Lock()
		ch := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if ch != nil {
			ch <- msg.Frames[0]
		}
	}
}

func (c *zmqCaller) Call(ctx context.Context, args []byte) ([]byte, error) {
	id, ok := payloadID(args)
	if !ok {
		return nil, fmt.Errorf("rpcpeer: args of %d bytes have no id", len(args))
	}
	ch := make(chan []byte, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, fmt.Errorf("%w: %w", errZMQClosed, c.err)
	}
	c.pending[id] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}
	if err := c.s.Send(ctx, zmq.Msg{Frames: [][]byte{args}}); err != nil {
		forget()
		return nil, err
	}
	select {
	case reply, ok := <-ch:
		if !ok {
			return nil, errZMQClosed
		}
		return reply, nil
	case <-ctx.Done():
		forget()
		return nil, ctx.Err()
	}
}

func (c *zmqCaller) Close() error {
	c.stop()
	<-c.done
	err := c.s.Close()
	if cerr := c.zc.Close(); err == nil {
		err = cerr
	}
	return err
}
