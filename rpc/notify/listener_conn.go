package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	zmq "github.com/purezmq/zmq"
)

// lconn is a listener's connection to one publisher (a SUB) or one pool dispatcher (a DEALER),
// with its reader goroutine.
type lconn struct {
	l        *Listener
	ep       string
	pooled   bool
	sock     *zmq.Socket
	welcomed chan struct{} // pooled: closed by the reader at the dispatcher's first READY
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{} // closed when the reader has ended

	sendMu sync.Mutex        // READY and ACK come from several goroutines; keep each whole and ordered
	seq    map[seqKey]uint64 // reader's only

	wmu      sync.Mutex
	welcomes map[string]chan struct{} // SUB: welcome topics awaited → closed when answered
}

type seqKey struct {
	stream uint64
	topic  string
}

// dial connects to ep and starts its reader; under l.mu.
func (l *Listener) dial(ep string) (*lconn, error) {
	c := &lconn{l: l, ep: ep, pooled: l.cfg.pool != "", welcomed: make(chan struct{}), done: make(chan struct{}),
		seq: map[seqKey]uint64{}, welcomes: map[string]chan struct{}{}}
	maxMsg := zmq.WithMaxMsgSize(int64(l.cfg.maxMsg + 2*maxName + 64))
	var err error
	if c.pooled {
		c.sock, err = l.zctx.NewSocket(zmq.DEALER, zmq.WithLinger(time.Second), maxMsg,
			zmq.WithRecvHWM(maxCredit+16), zmq.WithSendHWM(maxCredit+16))
	} else {
		c.sock, err = l.zctx.NewSocket(zmq.SUB, append([]zmq.Option{zmq.WithLinger(0), maxMsg, zmq.WithRecvHWM(l.cfg.hwm)}, l.cfg.sockOpts...)...)
	}
	if err != nil {
		return nil, err
	}
	if !c.pooled {
		for t := range l.topics {
			if err := c.sock.Subscribe([]byte(t)); err != nil {
				_ = c.sock.Close()
				return nil, err
			}
		}
	}
	if err := c.sock.Connect(ep); err != nil {
		_ = c.sock.Close()
		return nil, err
	}
	if c.pooled {
		c.sendReady(false, uint64(l.cfg.workers)) // queued for the connection on its way
	}
	c.ctx, c.cancel = context.WithCancel(l.run)
	l.readers.Add(1)
	go c.read()
	return c, nil
}

// barrier returns once the publisher has answered a welcome subscribed now: subscriptions of
// one connection are applied in order, so those before it are in place, and the answer comes
// after everything queued for this listener before it, so all that has been read. A welcome
// lost at the HWM is tried again, fresh, after a heartbeat interval.
func (c *lconn) barrier(ctx context.Context) error {
	for {
		var b [12]byte
		_, _ = rand.Read(b[:])
		topic := welcomePrefix + hex.EncodeToString(b[:])
		ch := make(chan struct{})
		c.wmu.Lock()
		c.welcomes[topic] = ch
		c.wmu.Unlock()
		err := c.sock.Subscribe([]byte(topic))
		t := time.NewTimer(c.l.cfg.heartbeat)
		if err == nil {
			select {
			case <-ch:
			case <-t.C:
			case <-ctx.Done():
				err = ctx.Err()
			case <-c.done:
				err = ErrClosed
			}
		}
		t.Stop()
		c.wmu.Lock()
		delete(c.welcomes, topic)
		c.wmu.Unlock()
		_ = c.sock.Unsubscribe([]byte(topic))
		select {
		case <-ch:
			return nil
		default:
		}
		if err != nil {
			return err
		}
	}
}

// handshake waits for the connection's first answer: a welcome (SUB) or READY (pool member).
func (c *lconn) handshake(ctx context.Context) error {
	if !c.pooled {
		return c.barrier(ctx)
	}
	select {
	case <-c.welcomed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// read is the connection's reader: notifications to the workers, welcomes to their waiters.
func (c *lconn) read() {
	defer c.l.readers.Done()
	defer close(c.done)
	for {
		m, err := c.sock.Recv(c.ctx)
		if err != nil {
			if c.ctx.Err() != nil || errors.Is(err, zmq.ErrClosed) {
				return
			}
			continue
		}
		ok := true
		if c.pooled {
			ok = c.onPooled(m.Frames)
		} else {
			ok = c.onPublished(m.Frames)
		}
		if !ok {
			return
		}
	}
}

// onPublished takes [topic, header, body] from a publisher.
func (c *lconn) onPublished(f [][]byte) bool {
	if len(f) == 3 && isWelcome(f[0]) {
		c.wmu.Lock()
		if ch := c.welcomes[string(f[0])]; ch != nil {
			close(ch)
			delete(c.welcomes, string(f[0]))
		}
		c.wmu.Unlock()
		return true // or an answer to a welcome given up on
	}
	if len(f) != 3 {
		c.l.stats.garbage.Add(1)
		return true
	}
	h, err := parseHeader(f[1])
	if err != nil || h.kind != kindNotify {
		c.l.stats.garbage.Add(1)
		return true
	}
	n, err := decodeNotification(f[0], f[2], c.l.cfg.maxMsg)
	if err != nil {
		c.l.stats.garbage.Add(1)
		return true
	}
	c.countGap(h, n.Topic)
	return c.l.deliver(c, n, 0)
}

// countGap counts the notifications of topic lost before this one, from its sequence.
func (c *lconn) countGap(h header, topic string) {
	if h.id == 0 {
		return // not numbered
	}
	k := seqKey{h.aux, topic}
	if last, ok := c.seq[k]; ok && h.id > last {
		c.l.stats.dropped.Add(h.id - last - 1)
	}
	if len(c.seq) >= maxSeqTopics {
		clear(c.seq)
	}
	c.seq[k] = h.id
}

// onPooled takes READY (the dispatcher's welcome) and NOTIFY [header, topic, body].
func (c *lconn) onPooled(f [][]byte) bool {
	if len(f) == 0 {
		c.l.stats.garbage.Add(1)
		return true
	}
	h, err := parseHeader(f[0])
	if err != nil {
		c.l.stats.garbage.Add(1)
		return true
	}
	switch {
	case h.kind == kindReady && len(f) == 1:
		select {
		case <-c.welcomed:
		default:
			close(c.welcomed)
		}
		return true
	case h.kind == kindNotify && len(f) == 3:
		n, err := decodeNotification(f[1], f[2], c.l.cfg.maxMsg)
		if err != nil {
			c.l.stats.garbage.Add(1)
			c.ack(h.id, Handled) // nobody can handle it: not again either
			return true
		}
		return c.l.deliver(c, n, h.id)
	}
	c.l.stats.garbage.Add(1)
	return true
}

func (c *lconn) ack(tag uint64, res Result) {
	st := statusHandled
	if res == Requeue {
		st = statusRequeue
	}
	c.send([][]byte{header{kind: kindAck, status: st, id: tag}.marshal()})
}

func (c *lconn) sendReady(leave bool, credit uint64) {
	r := ready{leave: leave, credit: credit, pool: c.l.cfg.pool}
	for t := range c.l.topics {
		r.topics = append(r.topics, t)
	}
	c.send(r.frames())
}

// send does not wait: a DEALER with no live connection holds its messages (within its HWM, far
// above the credit), and a dispatcher that restarted hears the next heartbeat.
func (c *lconn) send(f [][]byte) {
	c.sendMu.Lock()
	_ = c.sock.Send(doneCtx, zmq.NewMsg(f...))
	c.sendMu.Unlock()
}

// close ends the reader and closes the socket.
func (c *lconn) close() {
	c.cancel()
	<-c.done
	_ = c.sock.Close()
}
