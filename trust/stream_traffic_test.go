package trust_test

import (
	"fmt"
	"strings"

	zmq "github.com/purezmq/zmq"
)

// recv takes the next message, sometimes after a Poll, checks it, and may answer it at once
// with a burst of sends.
func (sd *side) recv() {
	if sd.s.cfg.pollRecv > 0 && sd.rng.IntN(100) < sd.s.cfg.pollRecv && !sd.pollIn() {
		return
	}
	ctx, cancel := sd.s.opCtx()
	m, err := sd.sock.Recv(ctx)
	cancel()
	if err != nil {
		sd.s.failCall(err, "%v: Recv, expecting %s", sd, sd.expecting())
		return
	}
	what := sd.accept(m)
	if what == "" {
		return
	}
	sd.hist.add("recv %s", what)
	sd.answered = true
	if sd.bg != nil {
		sd.bg.poke()
	}
	if sd.s.cfg.recycle > 0 && sd.rng.IntN(100) < sd.s.cfg.recycle {
		sd.sock.Recycle(m)
	}
	switch sd.typ {
	case zmq.REQ:
		sd.awaiting = false
	case zmq.REP:
		sd.holding = true
	}
	sd.s.kick()
	// Sends right after a Recv are where a socket writes its connection itself (DESIGN.md §2).
	if st := sd.sendable(); st != nil && (sd.rng.IntN(100) < sd.s.cfg.pipeline || st.handover()) {
		sd.send(st, max(2, sd.burst()))
	}
}

// send sends up to k data messages of st back to back, all built before the first Send as an
// application's pipelined sends would be.
func (sd *side) send(st *flow, k int) {
	if sd.s.p.reqrep {
		k = 1
	}
	type pending struct {
		seq    int64
		frames [][]byte
		desc   string
		kind   shapeKind
		large  bool // has a frame of 8 KiB or more (writev)
	}
	var burst []pending
	for len(burst) < k {
		size := st.nextSize()
		if st.room(size) == 0 {
			break
		}
		kind, sizes := st.shape(st.next)
		frames := message(sd.s.key, st.id, st.next, sizes)
		if sd.typ == zmq.ROUTER {
			frames = append([][]byte{st.to.id}, frames...)
		}
		large := false
		for _, n := range sizes {
			large = large || n >= 8192
		}
		burst = append(burst, pending{st.next, frames, describe(kind, sizes), kind, large})
		st.cum = append(st.cum, st.cum[st.next]+int64(size))
		st.next++
	}
	how := "not answering a Recv"
	if sd.answered {
		how = "answering a Recv"
		if len(burst) > 1 {
			sd.s.stats.pipelined.Add(1)
		}
	}
	sd.answered = false
	var b strings.Builder
	for i, m := range burst {
		copying := sd.s.cfg.sendCopy > 0 && sd.rng.IntN(100) < sd.s.cfg.sendCopy
		by := "Send"
		if copying {
			by = "SendCopy"
		}
		st.notes[m.seq] = fmt.Sprintf("sent %s by %s, message %d of a burst of %d", how, by, i+1, len(burst))
		ctx, cancel := sd.s.opCtx()
		var err error
		if copying {
			err = sd.sock.SendCopy(ctx, zmq.NewMsg(m.frames...))
			// The frames are the caller's again: a copy kept by mistake shows. (Not a ROUTER's
			// routing id, which is the side's record of its peer.)
			data := m.frames
			if sd.typ == zmq.ROUTER {
				data = data[1:]
			}
			scribble(data)
		} else {
			err = sd.sock.Send(ctx, zmq.NewMsg(m.frames...))
		}
		cancel()
		if err != nil {
			sd.s.failCall(err, "%v: Send of %s seq %d (%s)", sd, st.name(), m.seq, m.desc)
			return
		}
		st.sent.Add(1)
		fmt.Fprintf(&b, " #%d (%s)", m.seq, m.desc)
		if how == "answering a Recv" && i == 1 && burst[0].kind == wide && m.large {
			sd.s.stats.handovers.Add(1)
		}
	}
	sd.hist.add("send %s: s%d%s", how, st.id, b.String())
	switch sd.typ {
	case zmq.REQ:
		sd.awaiting = true
	case zmq.REP:
		sd.holding = false
	}
}

func (sd *side) sendFin(st *flow) {
	st.finGot = st.got.Load()
	ctx, cancel := sd.s.opCtx()
	err := sd.sock.Send(ctx, zmq.NewMsg(control(kindFin, st.id, int64(st.total))...))
	cancel()
	if err != nil {
		sd.s.failCall(err, "%v: Send of the fin of %s", sd, st.name())
		return
	}
	sd.answered = false
	st.finSends++
	st.finSent.Store(true)
	sd.hist.add("send fin s%d (%d)", st.id, st.finSends)
}

// scribble overwrites frames, as a program reusing its buffers after SendCopy would.
func scribble(frames [][]byte) {
	for _, f := range frames {
		for i := range f {
			f[i] = 0xa5
		}
	}
}
