package trust_test

import (
	"bytes"
	"time"

	zmq "github.com/purezmq/zmq"
)

// probeEvery is how often a publisher repeats its probe until the subscriber has seen one. A
// PUB drops what no subscription matches, and nothing tells the publisher when the
// subscription has arrived; so it retries. Nothing is assumed when the ticker fires: it only
// paces the retries.
const probeEvery = 2 * time.Millisecond

// sync starts the side's lossy streams: the subscriber subscribes (XSUB by a message, which
// XPUB receives), then the publisher probes until the subscriber has received a probe, so data
// is not dropped for want of a subscription. Other streams need nothing.
func (sd *side) sync() bool {
	for _, st := range sd.in {
		if st.lossy && !sd.syncRecv(st) {
			return false
		}
	}
	for _, st := range sd.out {
		if st.lossy && !sd.syncSend(st) {
			return false
		}
	}
	return true
}

func (sd *side) syncRecv(st *flow) bool {
	sub := append([]byte{1}, sd.s.cfg.prefix...)
	if sd.typ == zmq.XSUB && !sd.sendRaw(sub, "its subscription") {
		return false
	}
	for !isClosed(st.synced) {
		ctx, cancel := sd.s.opCtx()
		m, err := sd.sock.Recv(ctx)
		cancel()
		if err != nil {
			sd.s.failCall(err, "%v: Recv of %v's first probe", sd, st.from)
			return false
		}
		what := sd.accept(m)
		if what == "" {
			return false
		}
		sd.hist.add("recv %s", what)
	}
	return true
}

func (sd *side) syncSend(st *flow) bool {
	if sd.typ == zmq.XPUB {
		ctx, cancel := sd.s.opCtx()
		m, err := sd.sock.Recv(ctx)
		cancel()
		want := append([]byte{1}, sd.s.cfg.prefix...)
		if err != nil {
			sd.s.failCall(err, "%v: Recv of %v's subscription", sd, st.to)
			return false
		}
		if len(m.Frames) != 1 || !bytes.Equal(m.Frames[0], want) {
			sd.s.fail("%v: received %q for a subscription, want %q", sd, m.Frames, want)
			return false
		}
		sd.hist.add("recv subscription %q", want)
	}
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for probes := 1; ; probes++ {
		if !sd.sendRaw(control(kindProbe, st.id, 0)[0], "a probe") {
			return false
		}
		select {
		case <-st.synced:
			sd.hist.add("sent %d probes on s%d: the subscriber is there", probes, st.id)
			return true
		case <-t.C:
		case <-sd.s.ctx.Done():
			return false
		}
	}
}

// sendRaw sends a one-frame message outside any stream.
func (sd *side) sendRaw(f []byte, what string) bool {
	sd.answered = false
	ctx, cancel := sd.s.opCtx()
	err := sd.sock.Send(ctx, zmq.NewMsg(f))
	cancel()
	if err != nil {
		sd.s.failCall(err, "%v: Send of %s", sd, what)
		return false
	}
	return true
}
