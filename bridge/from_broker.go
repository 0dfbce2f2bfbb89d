package bridge

import (
	"context"
	"errors"
	"fmt"
	"sync"

	zmq "github.com/purezmq/zmq"
)

// fromBroker consumes with at most Window deliveries unacknowledged and sends each on the
// socket, blocking while the socket is at its HWM, so the broker keeps the rest. A delivery
// is acknowledged once the socket took it, or with PeerAck once the peer answered.
func (x *runner) fromBroker(stop, hard context.Context) error {
	var acks *peerAcks
	if x.r.PeerAck {
		answers, quit := context.WithCancel(hard)
		acks = newPeerAcks(x)
		var wg sync.WaitGroup
		wg.Go(func() { acks.read(answers) })
		defer func() {
			quit()
			wg.Wait()
			acks.close()
		}()
	}
	bo := newBackoff(x.r.Backoff)
	for again := false; ; again = true {
		var c Consumer
		b, err := x.connect(stop, bo, again, func(ctx context.Context, b Broker) (err error) {
			c, err = b.Consumer(ctx, x.r.Address, x.window())
			return err
		})
		if err != nil {
			return nil // stop ended: nothing is held
		}
		err = x.consume(stop, hard, c, acks)
		if acks != nil {
			if stop.Err() != nil {
				acks.drain(hard)
			}
			acks.reset() // the broker delivers again what is left
		}
		x.disconnect(b, c)
		if err != nil || stop.Err() != nil {
			return err
		}
	}
}

// consume moves deliveries to the socket until stop ends or the connection fails (nil), or
// the socket fails (the route's fatal error).
func (x *runner) consume(stop, hard context.Context, c Consumer, acks *peerAcks) error {
	for {
		d, err := c.Receive(stop)
		if errors.Is(err, ErrMalformed) && stop.Err() == nil {
			// The protocol could not map it and has rejected it already; the link is fine.
			x.m.in.Inc()
			x.m.malformed.Inc()
			x.log.Warn("the broker delivered a message that cannot be mapped; rejected", "err", err)
			continue
		}
		if err != nil {
			if stop.Err() == nil {
				x.log.Warn("broker connection lost", "err", err)
			}
			return nil
		}
		x.m.in.Inc()
		x.m.pending.Inc()
		frames, err := d.Message().Frames(!x.r.NoSubject)
		if err != nil {
			x.m.malformed.Inc()
			x.log.Warn("rejected a malformed delivery", "err", err)
			x.settleDelivery(hard, d, false)
			continue
		}
		var id uint64
		if acks != nil {
			id, frames = acks.add(d, frames)
		}
		if err := x.sock.Send(stop, zmq.NewMsg(frames...)); err != nil {
			if acks != nil {
				acks.forget(id)
			}
			x.m.pending.Dec() // not acknowledged: the broker delivers it again
			if stop.Err() != nil {
				return nil
			}
			return fmt.Errorf("bridge: route %q: send: %w", x.r.Name, err)
		}
		x.m.out.Inc()
		if acks == nil && !x.ack(hard, d) {
			return nil
		}
	}
}

// ack acknowledges d; false when the connection failed (the broker delivers it again).
func (x *runner) ack(ctx context.Context, d Delivery) bool {
	x.m.pending.Dec()
	if err := d.Ack(ctx); err != nil {
		x.log.Warn("acknowledgement failed", "err", err)
		return false
	}
	x.m.acked.Inc()
	return true
}

// settleDelivery gives d back: requeued, or dropped.
func (x *runner) settleDelivery(ctx context.Context, d Delivery, requeue bool) {
	x.m.pending.Dec()
	if err := d.Reject(ctx, requeue); err != nil {
		x.log.Warn("reject failed", "err", err)
		return
	}
	if requeue {
		x.m.requeued.Inc()
	}
}
