package bridge

import (
	"context"
	"errors"
	"fmt"

	zmq "github.com/purezmq/zmq"
)

// item is one message from ZeroMQ on its way to the broker. It holds one of the route's
// window slots from its receipt until the broker confirms or rejects it.
type item struct {
	msg Message
	env [][]byte // ROUTER: the routing id and envelope to answer on; nil otherwise
	cf  Confirm
}

// toBroker receives from the socket while fewer than Window messages are unsettled and
// publishes them; what a lost connection left unconfirmed is published again, in order, on
// the next one. When stop ends it stops receiving and publishes what it holds until hard.
func (x *runner) toBroker(stop, hard context.Context) error {
	w := x.window()
	slots := make(chan struct{}, w)
	in := make(chan *item, w)
	received := make(chan error, 1)
	go func() { received <- x.receive(stop, slots, in) }()

	bo := newBackoff(x.r.Backoff)
	var retry []*item
	for again := false; ; again = true {
		var pub Publisher
		b, err := x.connect(hard, bo, again, func(ctx context.Context, b Broker) (err error) {
			pub, err = b.Publisher(ctx, x.r.Address)
			return err
		})
		if err != nil {
			// Only hard ends a dial: the drain is over, receive has stopped.
			left := len(retry) + len(in)
			if left > 0 {
				x.log.Error("stopped with messages not confirmed by the broker", "messages", left)
			}
			return <-received
		}
		var done bool
		retry, done = x.session(hard, pub, slots, in, retry)
		x.disconnect(b, pub)
		if done && len(retry) == 0 {
			return <-received
		}
	}
}

// receive takes messages from the socket, one per free slot, until stop ends; it closes in
// when it returns.
func (x *runner) receive(stop context.Context, slots chan struct{}, in chan<- *item) error {
	defer close(in)
	for {
		select {
		case slots <- struct{}{}:
		case <-stop.Done():
			return nil
		}
		msg, err := x.sock.Recv(stop)
		if err != nil {
			<-slots
			if stop.Err() != nil {
				return nil
			}
			return fmt.Errorf("bridge: route %q: receive: %w", x.r.Name, err)
		}
		x.m.in.Inc()
		x.m.pending.Inc()
		it, err := x.item(msg.Frames)
		if err != nil {
			x.m.malformed.Inc()
			x.log.Warn("dropped a malformed message", "err", err)
			x.settle(it, "ERR "+err.Error(), slots)
			continue
		}
		in <- it // never blocks: every item in it holds a slot
	}
}

// item maps a message from the socket; on error the item still holds the envelope to answer.
func (x *runner) item(frames [][]byte) (*item, error) {
	it := &item{}
	body := frames
	if x.sock.Type() == zmq.ROUTER {
		it.env, body = splitEnvelope(frames)
		if len(body) == 0 {
			return it, fmt.Errorf("%w: nothing after the envelope", ErrMalformed)
		}
	}
	var err error
	it.msg, err = FromFrames(body, !x.r.NoSubject)
	return it, err
}

// splitEnvelope splits a message a ROUTER received into its envelope, answered on, and its
// body: the envelope is the routing id and, when a later frame is empty, every frame up to
// and including the first empty one (a REQ's or a DEALER's delimiter).
func splitEnvelope(frames [][]byte) (env, body [][]byte) {
	for i := 1; i < len(frames); i++ {
		if len(frames[i]) == 0 {
			return frames[: i+1 : i+1], frames[i+1:]
		}
	}
	return frames[:1:1], frames[1:]
}

// settle ends an item: a ROUTER's sender gets answer, its slot is free again.
func (x *runner) settle(it *item, answer string, slots <-chan struct{}) {
	x.m.pending.Dec()
	if it.env != nil {
		// Never waits: a sender gone or at its HWM misses the answer and sends again.
		if err := x.sock.Send(doneCtx, zmq.NewMsg(append(it.env, []byte(answer))...)); err != nil {
			x.log.Debug("answer not sent", "err", err)
		}
	}
	<-slots
}

// doneCtx makes a Send non-blocking.
var doneCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// session publishes retry, then what comes in, until in closes (done) or the connection
// fails; it returns, in order, what must be published again on the next connection.
func (x *runner) session(hard context.Context, pub Publisher, slots <-chan struct{}, in <-chan *item, retry []*item) (lost []*item, done bool) {
	ctx, fail := context.WithCancel(hard)
	defer fail()
	waits := make(chan *item, cap(slots)) // never blocks: every item in it holds a slot
	confirmed := make(chan []*item, 1)
	go func() { confirmed <- x.confirm(ctx, fail, waits, slots) }()

	var unsent []*item
	publish := func(it *item) bool {
		cf, err := pub.Publish(ctx, it.msg)
		if err != nil {
			x.log.Warn("publish failed", "err", err)
			fail()
			return false
		}
		x.m.published.Inc()
		it.cf = cf
		waits <- it
		return true
	}
	for i, it := range retry {
		if !publish(it) {
			unsent = retry[i:]
			break
		}
	}
	for unsent == nil && !done {
		select {
		case it, ok := <-in:
			switch {
			case !ok:
				done = true
			case !publish(it):
				unsent = []*item{it}
			}
		case <-ctx.Done():
			unsent = []*item{}
		}
	}
	close(waits)
	return append(<-confirmed, unsent...), done
}

// confirm waits for each publication's confirmation, in order; after a lost one it collects
// the rest, to publish again.
func (x *runner) confirm(ctx context.Context, fail func(), waits <-chan *item, slots <-chan struct{}) []*item {
	var lost []*item
	for it := range waits {
		if lost != nil {
			lost = append(lost, it)
			continue
		}
		err := it.cf.Wait(ctx)
		switch {
		case err == nil:
			x.m.confirmed.Inc()
			x.m.out.Inc()
			x.settle(it, "OK", slots)
		case errors.Is(err, ErrRejected):
			x.m.rejected.Inc()
			x.log.Warn("the broker rejected a message", "err", err)
			x.settle(it, "ERR "+err.Error(), slots)
		default:
			x.log.Warn("confirmation lost", "err", err)
			fail()
			lost = append(lost, it)
		}
	}
	return lost
}
