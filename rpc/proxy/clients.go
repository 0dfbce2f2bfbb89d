package proxy

import (
	"bytes"
	"fmt"
	"maps"
	"time"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/wire"
)

const (
	noResponders      = rpc.NoResponders
	unavailable       = rpc.Unavailable
	resourceExhausted = rpc.ResourceExhausted
	deadlineExceeded  = rpc.DeadlineExceeded
)

// Stats counts what a proxy did since it started.
type Stats struct {
	Requests uint64            // CALLs and CASTs taken from clients (a fanout once)
	Replies  uint64            // REPLYs sent to clients: the servers' and the proxy's own
	Progress uint64            // PROGRESS messages passed on to callers
	Drops    map[string]uint64 // requests (and replies) not delivered, by reason (see Metrics)
	Servers  int               // server connections known now
	Calls    int               // calls in flight on servers now
	Queued   int               // requests waiting for a server now
	QueuedB  int               // their bytes
}

// Stats returns the proxy's counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Replies, s.Progress = p.replies.Load(), p.progress.Load()
	s.Drops = maps.Clone(p.stats.Drops)
	s.Servers, s.Calls, s.QueuedB = len(p.st.servers), len(p.st.calls), p.st.queued
	for _, k := range p.st.keys {
		s.Queued += len(k.queue)
	}
	return s
}

func (p *Proxy) dropLocked(reason string) {
	if p.stats.Drops == nil {
		p.stats.Drops = map[string]uint64{}
	}
	p.stats.Drops[reason]++
	p.cfg.Metrics.drop(reason)
}

// fromClientLocked handles a message on the frontend: [routing id, header, ...].
func (p *Proxy) fromClientLocked(f [][]byte, now time.Time) {
	if len(f) < 2 {
		p.dropLocked("malformed")
		return
	}
	rid, rest := f[0], f[1:]
	if len(rest) == 1 && len(rest[0]) == 0 {
		p.callerGoneLocked(rid) // ROUTER_NOTIFY: its connection ended
		return
	}
	if h, ok := parseHeader(rest[0]); ok && h.Kind == wire.Cancel && len(rest) == 1 {
		p.cancelLocked(rid, h)
		return
	}
	h, ok := checkRequest(rest)
	if !ok {
		p.dropLocked("malformed")
		return
	}
	p.stats.Requests++
	key := rest[wire.FrameKey]
	if h.Kind == wire.Cast && bytes.HasSuffix(key, fanoutSuffix) {
		p.cfg.Metrics.request("fanout")
		p.fanoutLocked(string(key[:len(key)-len(fanoutSuffix)]), rest)
		return
	}
	if h.Kind == wire.Call {
		p.cfg.Metrics.request("call")
	} else {
		p.cfg.Metrics.request("cast")
	}
	k := p.st.keys[string(key)]
	if k == nil || !k.live() {
		p.answerLocked(rid, h, "no_responders", noResponders, "no server of "+string(key)+" ready")
		return
	}
	if h.answered && len(p.st.calls) >= p.cfg.MaxCalls {
		p.answerLocked(rid, h, "too_many_calls", resourceExhausted, fmt.Sprintf("%d calls in flight", len(p.st.calls)))
		return
	}
	q := queued{rid: rid, frames: rest, h: h, in: now}
	if h.Timeout > 0 {
		q.deadline = now.Add(h.Timeout)
	}
	if srv := k.pick(); srv != nil {
		p.forwardLocked(srv, &q)
		return
	}
	for _, b := range rest {
		q.size += len(b)
	}
	if len(k.queue) >= p.cfg.Queue || p.st.queued+q.size > p.cfg.QueueBytes {
		p.answerLocked(rid, h, "queue_full", resourceExhausted, fmt.Sprintf("%d requests (%d bytes in all queues) already wait for a server of %s",
			len(k.queue), p.st.queued, key))
		return
	}
	p.st.queued += q.size
	qp := new(queued)
	*qp = q
	k.queue = append(k.queue, qp)
	p.cfg.Metrics.queue(k.key, len(k.queue))
}

var fanoutSuffix = []byte(wire.FanoutSuffix)

// forwardLocked sends q to srv, which spends one credit on it.
func (p *Proxy) forwardLocked(srv *server, q *queued) {
	srv.credit--
	if q.h.answered {
		p.st.calls[callRef{string(q.rid), q.h.ID}] = call{srv: srv, h: q.h, in: q.in, deadline: q.deadline}
		p.cfg.Metrics.inflight(len(p.st.calls))
	}
	msg := make([][]byte, 0, 2+len(q.frames))
	msg = append(msg, srv.rid, p.returnAddress(q.rid))
	msg = append(msg, q.frames...)
	p.outLocked(outMsg{frames: msg, back: true, kind: sendForward, srv: srv, rid: q.rid, h: q.h})
}

// returnAddress is what a server sends back with its reply to the client rid: this proxy's
// nonce then rid.
func (p *Proxy) returnAddress(rid []byte) []byte {
	ret := make([]byte, len(p.nonce)+len(rid))
	copy(ret[copy(ret, p.nonce):], rid)
	return ret
}

// fanoutLocked sends a cast to every server of key, whatever its credit: a fanout is not
// queued. Each copy is one request to return credit for.
func (p *Proxy) fanoutLocked(key string, f [][]byte) {
	k := p.st.keys[key]
	if k == nil || !k.live() {
		p.dropLocked("no_responders")
		return
	}
	frames := append([][]byte{f[0], []byte(key)}, f[2:]...)
	for _, srv := range append([]*server(nil), k.servers...) {
		if !srv.leaving {
			p.forwardLocked(srv, &queued{rid: []byte{0}, frames: frames, h: header{Header: wire.Header{Kind: wire.Cast}}})
		}
	}
}

// cancelLocked takes a cancelled call out of its queue, or passes the CANCEL on to its server.
func (p *Proxy) cancelLocked(rid []byte, h header) {
	ref := callRef{string(rid), h.ID}
	if c, ok := p.st.calls[ref]; ok {
		delete(p.st.calls, ref)
		p.cfg.Metrics.inflight(len(p.st.calls))
		cancel := wire.Header{Kind: wire.Cancel, ID: h.ID}.Marshal()
		p.outLocked(outMsg{frames: [][]byte{c.srv.rid, p.returnAddress(rid), cancel}, back: true})
		return
	}
	for _, k := range p.st.keys {
		for i, q := range k.queue {
			if q.h.answered && q.h.ID == h.ID && string(q.rid) == string(rid) {
				k.queue = append(k.queue[:i], k.queue[i+1:]...)
				p.st.queued -= q.size
				p.cfg.Metrics.queue(k.key, len(k.queue))
				p.dropLocked("cancelled")
				return
			}
		}
	}
}

// callerGoneLocked forgets the calls of a client whose connection ended, as the client's
// CANCELs would: those a server runs are cancelled there, those queued are dropped ("caller
// gone"), for their replies could reach nobody (a client that reconnects has another routing
// id). At-least-once calls are left alone (the retry finds the result of the one running in
// the servers' dedup store), and so are casts (a client may well leave right after one).
func (p *Proxy) callerGoneLocked(rid []byte) {
	gone := func(h header) bool { return h.Kind == wire.Call && !h.idem }
	for ref, c := range p.st.calls {
		if ref.rid == string(rid) && gone(c.h) {
			delete(p.st.calls, ref)
			cancel := wire.Header{Kind: wire.Cancel, ID: ref.id}.Marshal()
			p.outLocked(outMsg{frames: [][]byte{c.srv.rid, p.returnAddress(rid), cancel}, back: true})
		}
	}
	p.cfg.Metrics.inflight(len(p.st.calls))
	for _, k := range p.st.keys {
		kept := k.queue[:0]
		for _, q := range k.queue {
			if string(q.rid) == string(rid) && gone(q.h) {
				p.st.queued -= q.size
				p.dropLocked("caller_gone")
				continue
			}
			kept = append(kept, q)
		}
		clear(k.queue[len(kept):])
		k.queue = kept
		p.cfg.Metrics.queue(k.key, len(k.queue))
	}
}

// answerLocked counts a request not delivered and, when its caller waits for a reply, answers
// it with code.
func (p *Proxy) answerLocked(rid []byte, h header, reason string, code rpc.Code, msg string) {
	p.dropLocked(reason)
	if h.answered {
		f := errorReply(h, code, msg)
		p.replyLocked([][]byte{rid, f[0], f[1]}, code, time.Time{})
	}
}

// replyLocked sends a reply, [client's routing id, header, body], without waiting: a client
// that does not read loses it (and waits for its deadline), counted.
func (p *Proxy) replyLocked(msg [][]byte, status rpc.Code, in time.Time) {
	p.outLocked(outMsg{frames: msg, kind: sendReply, status: status, in: in})
}

// expireLocked answers DeadlineExceeded to the queued calls whose deadline passed, and forgets
// the calls in flight that outlived theirs by the servers' silence allowance (their callers
// have given up; the server answers them itself, or is lost).
func (p *Proxy) expireLocked(now time.Time) {
	for key, k := range p.st.keys {
		kept := k.queue[:0]
		for _, q := range k.queue {
			if !q.deadline.IsZero() && now.After(q.deadline) {
				p.st.queued -= q.size
				p.answerLocked(q.rid, q.h, "expired", deadlineExceeded, "no server of "+key+" was free before the deadline")
				continue
			}
			kept = append(kept, q)
		}
		clear(k.queue[len(kept):])
		if len(kept) != len(k.queue) {
			k.queue = kept
			p.cfg.Metrics.queue(key, len(k.queue))
		}
	}
	grace := time.Duration(p.cfg.Misses) * p.cfg.Heartbeat
	for ref, c := range p.st.calls {
		if !c.deadline.IsZero() && now.Sub(c.deadline) > grace {
			delete(p.st.calls, ref)
			p.dropLocked("expired")
		}
	}
	p.cfg.Metrics.inflight(len(p.st.calls))
}
