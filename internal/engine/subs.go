package engine

import (
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// Interceptor is a Sink that consumes some inbound messages as they arrive, before they are
// queued: a publisher's pipe takes subscriptions. SUBSCRIBE and CANCEL commands reach it in
// message form (\x01topic, \x00topic), as ZMTP 3.0 peers send them. Intercept reports whether
// it took m, and appends to dst what the application must see in its place (an XPUB's
// subscriptions): those are delivered like any message, within the sink's credit. An error
// ends the connection (the peer's subscriptions are over their limit).
type Interceptor interface {
	Intercept(m pipe.Msg, dst []pipe.Msg) ([]pipe.Msg, bool, error)
}

// SendSubscription queues a subscription in message form (\x01topic or \x00topic) for the
// peer, ahead of queued data and never dropped: as a SUBSCRIBE or CANCEL command when commands
// is true (a ZMTP 3.1 peer), else as a one-frame message (3.0).
func (c *Conn) SendSubscription(sub []byte, commands bool) {
	if len(sub) == 0 {
		return
	}
	var f []byte
	switch {
	case !commands:
		f = zmtp.AppendFrame(nil, 0, sub)
	case sub[0] == 1:
		f = zmtp.AppendSubscribe(nil, sub[1:])
	default:
		f = zmtp.AppendCancel(nil, sub[1:])
	}
	c.sendControl(f)
}

// subscription hands a SUBSCRIBE (on) or CANCEL command's topic to the sink in message form.
func (d *decoder) subscription(topic []byte, on bool) error {
	if d.ic == nil {
		return nil
	}
	m := make([]byte, 1+len(topic))
	if on {
		m[0] = 1
	}
	copy(m[1:], topic)
	var err error
	d.batch, _, err = d.ic.Intercept(pipe.Msg{m}, d.batch)
	return err
}
