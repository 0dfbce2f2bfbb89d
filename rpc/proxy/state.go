package proxy

import (
	"time"
)

// state is what a proxy knows, under Proxy.mu: the servers, each key's ready servers and
// queue, and the calls in flight.
type state struct {
	servers map[string]*server // by backend routing id
	keys    map[string]*keyState
	calls   map[callRef]call
	queued  int // bytes of the requests in every queue
}

func (s *state) init() {
	s.servers, s.keys, s.calls = map[string]*server{}, map[string]*keyState{}, map[callRef]call{}
}

// server is one server connection on the backend.
type server struct {
	id      string // its routing id
	rid     []byte // the same, to send with
	keys    []string
	credit  int           // requests it will take now
	heard   time.Time     // its last message
	ivl     time.Duration // its heartbeat interval, as it announced it
	leaving bool          // DISCONNECT: nothing new goes to it
}

// maxCredit bounds what a server may announce, so that no sum overflows.
const maxCredit = 1 << 20

// keyState is one key: its servers, round robin, and its requests waiting for credit.
type keyState struct {
	key     string
	servers []*server
	rr      int
	queue   []*queued // oldest first; at most Config.Queue
}

// queued is a request waiting for a server with credit.
type queued struct {
	rid      []byte   // the client's routing id
	frames   [][]byte // header and what follows
	h        header
	in       time.Time
	deadline time.Time // zero: none
	size     int       // bytes of its frames
}

// callRef names a call: the client's routing id and its id.
type callRef struct {
	rid string
	id  uint64
}

// call is a call forwarded to a server, waiting for its reply.
type call struct {
	srv      *server
	h        header
	in       time.Time
	deadline time.Time
}

// pick returns a server of k with credit, round robin; nil when none has any.
func (k *keyState) pick() *server {
	n := len(k.servers)
	for i := range n {
		s := k.servers[(k.rr+i)%n]
		if s.credit > 0 && !s.leaving {
			k.rr = (k.rr + i + 1) % n
			return s
		}
	}
	return nil
}

// live is whether a server of k can take requests, now or later.
func (k *keyState) live() bool {
	for _, s := range k.servers {
		if !s.leaving {
			return true
		}
	}
	return false
}

// addServer puts srv under its keys.
func (p *Proxy) addServerLocked(srv *server) {
	for _, key := range srv.keys {
		k := p.st.keys[key]
		if k == nil {
			k = &keyState{key: key}
			p.st.keys[key] = k
		}
		k.servers = append(k.servers, srv)
		p.cfg.Metrics.ready(key, len(k.servers))
	}
}

// unlistLocked takes srv out of its keys' lists; its calls in flight stay.
func (p *Proxy) unlistLocked(srv *server) {
	for _, key := range srv.keys {
		k := p.st.keys[key]
		if k == nil {
			continue
		}
		for i, s := range k.servers {
			if s == srv {
				k.servers = append(k.servers[:i], k.servers[i+1:]...)
				break
			}
		}
		p.cfg.Metrics.ready(key, len(k.servers))
		if !k.live() {
			// Nobody left to serve what waits: the callers learn it now, not at their deadline.
			for _, q := range k.queue {
				p.st.queued -= q.size
				p.answerLocked(q.rid, q.h, "no_responders", noResponders, "no server of "+key+" left")
			}
			k.queue = nil
			p.cfg.Metrics.queue(key, 0)
		}
		if len(k.servers) == 0 && len(k.queue) == 0 {
			delete(p.st.keys, key)
			p.cfg.Metrics.forget(key)
		}
	}
}

// loseLocked drops a server that went silent or away: its calls in flight are answered
// Unavailable.
func (p *Proxy) loseLocked(srv *server, why string) {
	if p.st.servers[srv.id] != srv {
		return
	}
	delete(p.st.servers, srv.id)
	p.cfg.Metrics.servers(len(p.st.servers))
	if !srv.leaving {
		p.unlistLocked(srv)
	}
	for ref, c := range p.st.calls {
		if c.srv == srv {
			delete(p.st.calls, ref)
			p.answerLocked([]byte(ref.rid), c.h, "server_lost", unavailable, "server "+why+" with the call in flight")
		}
	}
	p.cfg.Metrics.inflight(len(p.st.calls))
}
