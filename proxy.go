package zmq

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
)

// Proxy connects frontend and backend (zmq_proxy): every message either receives goes whole,
// all its frames together, to the other, and a copy goes to capture if it is not nil. The
// classic devices are a queue (ROUTER frontend, DEALER backend), a forwarder (XSUB frontend
// towards publishers, XPUB backend towards subscribers: subscriptions flow back upstream as
// messages) and a streamer (PULL frontend, PUSH backend). A direction runs only where its
// sockets allow it, so a streamer moves messages one way.
//
// Each direction is one goroutine that blocks in Recv and Send; nothing busy-waits. Proxy
// returns when ctx ends (ctx's error) or when a socket fails, as a closed one does (ErrClosed),
// after its goroutines have ended. A message already received when that happens is lost, as
// in libzmq when its context terminates.
func Proxy(ctx context.Context, frontend, backend, capture *Socket) error {
	return proxy(ctx, frontend, backend, capture, nil)
}

// SteerableProxy is Proxy under the control of commands received on control
// (zmq_proxy_steerable), each a one-frame message:
//   - "PAUSE" stops moving messages (they queue in the sockets, up to their HWMs);
//   - "RESUME" moves them again;
//   - "TERMINATE" makes SteerableProxy return nil;
//   - "STATISTICS" replies with 8 frames, each a uint64 in little-endian order (libzmq sends
//     its native order, which is little-endian on the platforms it is used on): frontend
//     messages received, bytes received, messages sent, bytes sent, then the same for backend.
//     A multipart message counts once, its bytes are all its frames'.
//
// Control is a REP, PAIR or SUB socket, as in libzmq. A REP gets a reply to every command, so
// that it can take the next one: the statistics, or an empty frame for the others. Unknown
// commands are ignored.
func SteerableProxy(ctx context.Context, frontend, backend, capture, control *Socket) error {
	return proxy(ctx, frontend, backend, capture, control)
}

var errTerminate = errors.New("zmq: proxy terminated")

type proxyRun struct {
	frontend, backend, capture *Socket

	stats [8]atomic.Uint64
	// inFlight is held (shared) by a forward from the moment it has a message until its
	// statistics count it, and taken whole by STATISTICS: as in libzmq's one-threaded proxy, a
	// reply never misses a message already passed on, nor counts one half.
	inFlight sync.RWMutex

	mu  sync.Mutex
	run chan struct{} // closed while running; a fresh one while paused
}

func proxy(ctx context.Context, frontend, backend, capture, control *Socket) error {
	p := &proxyRun{frontend: frontend, backend: backend, capture: capture, run: make(chan struct{})}
	close(p.run)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	start := func(f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil {
				cancel(err)
			}
		}()
	}
	if frontend.s.Caps().Recv && backend.s.Caps().Send {
		start(func(ctx context.Context) error { return p.forward(ctx, frontend, backend, 0, 4) })
	}
	if backend != frontend && backend.s.Caps().Recv && frontend.s.Caps().Send {
		start(func(ctx context.Context) error { return p.forward(ctx, backend, frontend, 4, 0) })
	}
	if control != nil {
		start(func(ctx context.Context) error { return p.steer(ctx, control) })
	}
	wg.Wait()
	err := context.Cause(ctx)
	if errors.Is(err, errTerminate) {
		return nil
	}
	return err
}

// forward moves whole messages from one socket to the other; from and to index p.stats.
func (p *proxyRun) forward(ctx context.Context, src, dst *Socket, from, to int) error {
	for {
		if err := p.running(ctx); err != nil {
			return err
		}
		m, err := src.Recv(ctx)
		if err != nil {
			return err
		}
		// A PAUSE that came while Recv waited holds this message back too.
		if err := p.running(ctx); err != nil {
			return err
		}
		if err := p.pass(ctx, m, dst, from, to); err != nil {
			return err
		}
	}
}

// pass sends m to the capture socket, if any, and to dst, and counts it. It first waits, holding
// nothing, until dst can take a message: libzmq's proxy reads only when the other side is
// writable, so its control socket is answered even while a backend has no peer, and so is ours.
// (A peer leaving between that check and the Send can still hold one message up, as in libzmq.)
func (p *proxyRun) pass(ctx context.Context, m Msg, dst *Socket, from, to int) error {
	if err := writable(ctx, dst); err != nil {
		return err
	}
	p.inFlight.RLock()
	defer p.inFlight.RUnlock()
	size := uint64(m.Size())
	if p.capture != nil {
		// A copy: m itself goes on to dst.
		if err := p.capture.SendCopy(ctx, m); err != nil {
			return err
		}
	}
	if err := dst.Send(ctx, m); err != nil {
		return err
	}
	p.stats[from].Add(1)
	p.stats[from+1].Add(size)
	p.stats[to+2].Add(1)
	p.stats[to+3].Add(size)
	return nil
}

// writable waits until a Send on s would not block.
func writable(ctx context.Context, s *Socket) error {
	if _, out, _ := s.s.Ready(false, true); out {
		return nil
	}
	pl := NewPoller()
	pl.Add(s, PollOut)
	_, err := pl.Poll(ctx)
	if err != nil && ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// running waits while the proxy is paused.
func (p *proxyRun) running(ctx context.Context) error {
	p.mu.Lock()
	run := p.run
	p.mu.Unlock()
	select {
	case <-run:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (p *proxyRun) pause(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.run: // running
		if on {
			p.run = make(chan struct{})
		}
	default: // paused
		if !on {
			close(p.run)
		}
	}
}

func (p *proxyRun) steer(ctx context.Context, control *Socket) error {
	for {
		m, err := control.Recv(ctx)
		if err != nil {
			return err
		}
		var reply Msg
		cmd := ""
		if len(m.Frames) == 1 {
			cmd = string(m.Frames[0])
		}
		switch cmd {
		case "PAUSE":
			p.pause(true)
		case "RESUME":
			p.pause(false)
		case "TERMINATE":
			if control.Type() == REP {
				_ = control.Send(ctx, NewMsg([]byte{}))
			}
			return errTerminate
		case "STATISTICS":
			reply.Frames = make([][]byte, len(p.stats))
			p.inFlight.Lock()
			for i := range p.stats {
				reply.Frames[i] = binary.LittleEndian.AppendUint64(nil, p.stats[i].Load())
			}
			p.inFlight.Unlock()
		}
		if reply.Frames == nil && control.Type() == REP {
			reply = NewMsg([]byte{})
		}
		if reply.Frames != nil {
			if err := control.Send(ctx, reply); err != nil {
				return err
			}
		}
	}
}
