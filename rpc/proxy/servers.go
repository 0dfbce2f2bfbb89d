package proxy

import (
	"bytes"
	"time"
	"unicode/utf8"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/wire"
)

// fromServerLocked handles a message on the backend: [server's routing id, return address,
// header, ...]; the return address is empty for READY, CREDIT, HEARTBEAT and DISCONNECT.
func (p *Proxy) fromServerLocked(f [][]byte, now time.Time) {
	if len(f) < 3 {
		p.dropLocked("malformed")
		return
	}
	id, ret := f[0], f[1]
	h, ok := parseHeader(f[2])
	if !ok {
		p.dropLocked("malformed")
		return
	}
	srv := p.st.servers[string(id)]
	if srv != nil {
		srv.heard = now
	}
	if len(ret) == 0 {
		p.controlLocked(id, srv, h, f[3:], now)
		return
	}
	if h.Kind == wire.Progress && len(f) == 3 {
		p.progressLocked(ret, f[2])
		return
	}
	if h.Kind != wire.Reply || len(f) != 4 {
		p.dropLocked("malformed")
		return
	}
	if srv == nil {
		p.disconnectLocked(id) // from before a restart: announce yourself again
	} else if !srv.leaving {
		srv.credit = min(srv.credit+1, maxCredit)
		p.drainLocked(srv, now)
	}
	rid, ok := p.returnee(ret)
	if !ok {
		p.dropLocked("late_reply") // a call of an earlier proxy at this address
		return
	}
	ref := callRef{string(rid), h.ID}
	c, ok := p.st.calls[ref]
	if !ok {
		p.dropLocked("late_reply") // expired, cancelled, or answered Unavailable already
		return
	}
	delete(p.st.calls, ref)
	p.cfg.Metrics.inflight(len(p.st.calls))
	f[1] = rid // the message received becomes the reply: [rid, header, body]
	p.replyLocked(f[1:], rpc.Code(h.Status), c.in)
}

// returnee is the client's routing id in a return address this proxy gave; false for one it
// did not give (an earlier proxy's, at the same address).
func (p *Proxy) returnee(ret []byte) ([]byte, bool) {
	if len(ret) <= len(p.nonce) || !bytes.Equal(ret[:len(p.nonce)], p.nonce) {
		return nil, false
	}
	return ret[len(p.nonce):], true
}

// progressLocked passes a PROGRESS on to the caller of a call in flight: it spends no credit
// and ends nothing.
func (p *Proxy) progressLocked(ret, h []byte) {
	rid, ok := p.returnee(ret)
	hd, _ := parseHeader(h)
	if _, in := p.st.calls[callRef{string(rid), hd.ID}]; !ok || !in {
		p.dropLocked("late_reply")
		return
	}
	p.outLocked(outMsg{frames: [][]byte{rid, h}, kind: sendProgress})
}

// controlLocked handles READY, CREDIT, HEARTBEAT and DISCONNECT from server id (srv when
// known).
func (p *Proxy) controlLocked(id []byte, srv *server, h header, keys [][]byte, now time.Time) {
	if h.Kind != wire.Ready && len(keys) != 0 {
		p.dropLocked("malformed")
		return
	}
	switch h.Kind {
	case wire.Ready:
		if len(keys) == 0 || len(keys) > maxKeys {
			p.dropLocked("malformed")
			return
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			if len(k) == 0 || len(k) > wire.MaxName || !utf8.Valid(k) {
				p.dropLocked("malformed")
				return
			}
			names = append(names, string(k))
		}
		if srv != nil && !srv.leaving {
			p.unlistLocked(srv)
		}
		if srv == nil {
			srv = &server{id: string(id), rid: id, heard: now}
			p.st.servers[srv.id] = srv
			p.cfg.Metrics.servers(len(p.st.servers))
		}
		srv.keys, srv.leaving = names, false
		srv.credit = int(min(h.ID, maxCredit))
		srv.ivl = p.interval(h)
		p.addServerLocked(srv)
		// A heartbeat at once acknowledges the READY: the server's Start waits for it, so that
		// a call or fanout sent after Start returned finds the server here.
		hb := wire.Header{Kind: wire.Heartbeat, Timeout: p.cfg.Heartbeat}.Marshal()
		p.outLocked(outMsg{frames: [][]byte{srv.rid, nil, hb}, back: true, kind: sendBeat, srv: srv})
		p.drainLocked(srv, now)
	case wire.Credit, wire.Heartbeat:
		if srv == nil {
			p.disconnectLocked(id)
			return
		}
		if h.Kind == wire.Credit && !srv.leaving {
			// Fanouts may have taken it below zero.
			srv.credit = min(srv.credit+int(min(h.ID, maxCredit)), maxCredit)
			p.drainLocked(srv, now)
		}
		srv.ivl = p.interval(h)
	case wire.Disconnect:
		if srv != nil && !srv.leaving {
			p.unlistLocked(srv)
			srv.leaving = true
		}
	default:
		p.dropLocked("malformed")
	}
}

// interval is the heartbeat interval a server announced, within reason; the proxy's own when
// it announced none.
func (p *Proxy) interval(h header) time.Duration {
	if h.Timeout <= 0 || h.Timeout > time.Hour {
		return p.cfg.Heartbeat
	}
	return h.Timeout
}

// disconnectLocked tells a server the proxy does not know it.
func (p *Proxy) disconnectLocked(id []byte) {
	h := wire.Header{Kind: wire.Disconnect, Timeout: p.cfg.Heartbeat}.Marshal()
	p.outLocked(outMsg{frames: [][]byte{id, nil, h}, back: true})
}

// drainLocked gives srv's fresh credit to the requests waiting for its keys, oldest first.
func (p *Proxy) drainLocked(srv *server, now time.Time) {
	for _, key := range srv.keys {
		k := p.st.keys[key]
		for k != nil && len(k.queue) > 0 && srv.credit > 0 && p.st.servers[srv.id] == srv {
			q := k.queue[0]
			k.queue[0] = nil
			k.queue = k.queue[1:]
			p.st.queued -= q.size
			p.cfg.Metrics.queue(key, len(k.queue))
			if !q.deadline.IsZero() && now.After(q.deadline) {
				p.answerLocked(q.rid, q.h, "expired", deadlineExceeded, "no server of "+key+" was free before the deadline")
				continue
			}
			q.frames[0] = retimed(q.frames[0], q.deadline, now)
			p.forwardLocked(srv, q)
		}
	}
}

// heartbeatLocked tells every server the proxy is alive, and drops those silent for their
// misses.
func (p *Proxy) heartbeatLocked(now time.Time) {
	hb := wire.Header{Kind: wire.Heartbeat, Timeout: p.cfg.Heartbeat}.Marshal()
	for _, srv := range p.st.servers {
		if now.Sub(srv.heard) > time.Duration(p.cfg.Misses)*srv.ivl {
			p.loseLocked(srv, "silent")
			continue
		}
		p.outLocked(outMsg{frames: [][]byte{srv.rid, nil, hb}, back: true, kind: sendBeat, srv: srv})
	}
}
