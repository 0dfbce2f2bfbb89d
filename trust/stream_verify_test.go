package trust_test

import (
	"fmt"

	zmq "github.com/purezmq/zmq"
)

// accept checks a message the side received against what its sender must have sent, and
// accounts for it. It returns a summary for the side's history, or "" after failing the session.
func (sd *side) accept(m zmq.Msg) string {
	frames := m.Frames
	var from *side
	if sd.typ == zmq.ROUTER {
		if len(frames) < 2 {
			sd.s.fail("%v: received %d frames, a ROUTER gets at least a routing id and a frame", sd, len(frames))
			return ""
		}
		if from = sd.peers[string(frames[0])]; from == nil {
			sd.s.fail("%v: received a message from unknown routing id %q; expecting %s", sd, frames[0], sd.expecting())
			return ""
		}
		frames = frames[1:]
		if len(frames) == 1 && len(frames[0]) == 0 {
			return sd.acceptProbe(from)
		}
	}
	h, err := parseHeader(frames[0])
	if err != nil {
		sd.s.fail("%v: received a message of %d frames (sizes %v) that is none of ours: first frame: %v; expecting %s",
			sd, len(frames), frameSizes(frames, 12), err, sd.expecting())
		return ""
	}
	var st *flow
	for _, in := range sd.in {
		if in.id == h.stream {
			st = in
		}
	}
	if st == nil || from != nil && st.from != from {
		sd.s.fail("%v: received a %v message of stream %d (seq %d) from %v; it receives no such stream", sd, h.kind, h.stream, h.seq, from)
		return ""
	}
	st.got.Add(1)
	switch h.kind {
	case kindProbe:
		if !st.lossy || len(frames) != 1 {
			sd.s.fail("%v: unexpected probe on %s (%d frames)", sd, st.name(), len(frames))
			return ""
		}
		st.syncOnce.Do(func() { close(st.synced) })
		return fmt.Sprintf("probe s%d", st.id)
	case kindFin:
		if !st.lossy || len(frames) != 1 || h.seq != int64(st.total) {
			sd.s.fail("%v: unexpected fin on %s (seq %d, %d frames)", sd, st.name(), h.seq, len(frames))
			return ""
		}
		st.finSeen.Store(true)
		return fmt.Sprintf("fin s%d", st.id)
	case kindData:
		return sd.acceptData(st, h, frames[1:])
	}
	sd.s.fail("%v: message of unknown kind %v on %s", sd, h.kind, st.name())
	return ""
}

// acceptProbe takes the empty message a peer's PROBE_ROUTER sends once it is connected.
func (sd *side) acceptProbe(from *side) string {
	for _, st := range sd.in {
		if st.from == from {
			if st.probesSeen.Load() >= st.probes {
				sd.s.fail("%v: an unexpected empty message from %v (a second probe: did it reconnect?)", sd, from)
				return ""
			}
			st.probesSeen.Add(1)
			sd.seen[from] = true
			return fmt.Sprintf("probe from %s", from.name)
		}
	}
	sd.s.fail("%v: an empty message from %v, which streams nothing to it", sd, from)
	return ""
}

func (sd *side) acceptData(st *flow, h header, data [][]byte) string {
	want := st.ack.Load()
	switch {
	case h.seq >= int64(st.total):
		sd.s.fail("%v: %s seq %d, past its last (%d)", sd, st.name(), h.seq, st.total-1)
		return ""
	case h.seq < want:
		sd.s.fail("%v: %s seq %d after seq %d: duplicated or reordered", sd, st.name(), h.seq, want-1)
		return ""
	case h.seq > want && !st.lossy:
		sd.s.fail("%v: %s seq %d after seq %d: %d messages lost", sd, st.name(), h.seq, want-1, h.seq-want)
		return ""
	}
	kind, sizes := st.shape(h.seq)
	if bad := checkData(sd.s.key, st.id, h, sizes, data); bad != "" {
		sd.s.fail("%v: CORRUPT message %s seq %d (sent as %s; previous seq received %d):\n    %s",
			sd, st.name(), h.seq, describe(kind, sizes), want-1, bad)
		return ""
	}
	st.lost.Add(h.seq - want)
	st.ack.Store(h.seq + 1)
	st.recvd.Add(1)
	sd.seen[st.from] = true
	size := 0
	for _, n := range sizes {
		size += n
	}
	sd.s.stats.messages.Add(1)
	sd.s.stats.bytes.Add(int64(size))
	if sd.trigger != nil && st.id == 0 && h.seq+1 >= sd.s.cfg.joinAt && !isClosed(sd.trigger) {
		close(sd.trigger)
	}
	return fmt.Sprintf("s%d #%d (%s)", st.id, h.seq, describe(kind, sizes))
}
