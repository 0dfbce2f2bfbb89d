package proxy

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq"
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

// fromClient handles a message on the frontend: [routing id, header, ...].
func (p *Proxy) fromClient(f [][]byte) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(f) < 2 {
		p.dropLocked("malformed")
		return
	}
	rid, rest := f[0], f[1:]
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
	key := string(rest[1])
	if h.Kind == wire.Cast && strings.HasSuffix(key, wire.FanoutSuffix) {
		p.cfg.Metrics.request("fanout")
		p.fanoutLocked(strings.TrimSuffix(key, wire.FanoutSuffix), rest)
		return
	}
	if h.Kind == wire.Call {
		p.cfg.Metrics.request("call")
	} else {
		p.cfg.Metrics.request("cast")
	}
	k := p.st.keys[key]
	if k == nil || !k.live() {
		p.answerLocked(rid, h, "no_responders", noResponders, "no server of "+key+" ready")
		return
	}
	if h.answered && len(p.st.calls) >= p.cfg.MaxCalls {
		p.answerLocked(rid, h, "too_many_calls", resourceExhausted, fmt.Sprintf("%d calls in flight", len(p.st.calls)))
		return
	}
	q := &queued{rid: rid, frames: rest, h: h, in: now}
	if h.Timeout > 0 {
		q.deadline = now.Add(h.Timeout)
	}
	if srv := k.pick(); srv != nil {
		p.forwardLocked(srv, q)
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
	k.queue = append(k.queue, q)
	p.cfg.Metrics.queue(key, len(k.queue))
}

// forwardLocked sends q to srv, which spends one credit on it.
func (p *Proxy) forwardLocked(srv *server, q *queued) {
	srv.credit--
	if q.h.answered {
		p.st.calls[callRef{string(q.rid), q.h.ID}] = &call{srv: srv, h: q.h, in: q.in, deadline: q.deadline}
		p.cfg.Metrics.inflight(len(p.st.calls))
	}
	msg := make([][]byte, 0, 2+len(q.frames))
	msg = append(msg, []byte(srv.id), append(p.nonce[:len(p.nonce):len(p.nonce)], q.rid...))
	msg = append(msg, q.frames...)
	err := p.back.Send(p.now, zmq.NewMsg(msg...))
	switch {
	case err == nil:
	case errors.Is(err, zmq.ErrHostUnreachable):
		// Its connection closed: losing it answers its calls, this one included, Unavailable.
		if !q.h.answered {
			p.dropLocked("server_lost")
		}
		p.loseLocked(srv, "gone")
	default: // not reading, its queue full: this request did not reach it
		srv.credit++
		delete(p.st.calls, callRef{string(q.rid), q.h.ID})
		p.answerLocked(q.rid, q.h, "server_busy", unavailable, "server not reading: "+err.Error())
	}
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
	if c := p.st.calls[ref]; c != nil {
		delete(p.st.calls, ref)
		p.cfg.Metrics.inflight(len(p.st.calls))
		ret := append(p.nonce[:len(p.nonce):len(p.nonce)], rid...)
		_ = p.back.Send(p.now, zmq.NewMsg([]byte(c.srv.id), ret, wire.Header{Kind: wire.Cancel, ID: h.ID}.Marshal()))
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

// answerLocked counts a request not delivered and, when its caller waits for a reply, answers
// it with code.
func (p *Proxy) answerLocked(rid []byte, h header, reason string, code rpc.Code, msg string) {
	p.dropLocked(reason)
	if h.answered {
		p.replyLocked(rid, errorReply(h, code, msg), code, time.Time{})
	}
}

// replyLocked sends a reply to a client without waiting: a client that does not read loses
// it (and waits for its deadline), counted.
func (p *Proxy) replyLocked(rid []byte, f [][]byte, status rpc.Code, in time.Time) {
	if err := p.front.Send(p.now, zmq.NewMsg(rid, f[0], f[1])); err != nil {
		p.dropLocked("client_unreachable")
		return
	}
	p.stats.Replies++
	p.cfg.Metrics.reply(status, in)
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
