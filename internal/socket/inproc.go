package socket

import (
	"fmt"
	"slices"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
	"github.com/purezmq/zmq/internal/zerr"
	"github.com/purezmq/zmq/zmtp"
)

// Inproc peers share no wire: each side's pipe delivers straight into the other socket's Inbox,
// with credit for the sender's SNDHWM plus the receiver's RCVHWM, as in libzmq. A connecter may
// come before its binder; it queues meanwhile and is linked when the bind arrives, and again
// after the binder goes away and another binds the name.

// inprocConnecter is one Connect to an inproc name. Its fields are guarded by Context.mu.
type inprocConnecter struct {
	s         *Socket
	name      string
	connectID []byte
	l         *link    // persistent link (queues while unlinked), or nil
	o         *Options // the connecting socket's options at Connect
	peer      *Socket  // the binder it is linked to, or nil
	local     *link    // our side of the live link
	remote    *link    // the binder's side
}

func (c *inprocConnecter) stop() { c.s.ctx.dropConnecter(c) }

type inprocBinding struct {
	s    *Socket
	name string
}

func (b *inprocBinding) stop() { b.s.ctx.dropBinding(b.s, b.name) }

// inprocOut delivers into the peer pipe's Inbox.
type inprocOut struct{ peer *pipe.Pipe }

func (o inprocOut) TryPush(m pipe.Msg) bool {
	// An inproc peer is the program's own: its subscriptions are not limited (no error).
	if out, took, _ := o.peer.Intercept(m, nil); took {
		for _, n := range out {
			o.peer.Push(n)
		}
		return true
	}
	return o.peer.TryDeliver(m)
}

func inprocHWM(snd, rcv int) int {
	if snd == 0 || rcv == 0 {
		return 0
	}
	return snd + rcv
}

func (c *Context) bindInproc(s *Socket, ep transport.Endpoint) error {
	name := ep.Addr
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.binds[name]; taken {
		return fmt.Errorf("%w: %s", zerr.ErrAddrInUse, ep)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return s.closeErr
	}
	b := &inprocBinding{s: s, name: name}
	s.endpoints[ep.String()] = b
	s.lastEP = ep.String()
	s.mu.Unlock()
	c.binds[name] = s
	for _, ic := range c.conns[name] {
		c.link(ic, s)
	}
	return nil
}

func (c *Context) connectInproc(s *Socket, ep transport.Endpoint, connectID []byte, o *Options) error {
	name := ep.Addr
	l, err := s.persistentLink(connectID, o)
	if err != nil {
		return err
	}
	ic := &inprocConnecter{s: s, name: name, connectID: connectID, o: o, l: l}
	c.mu.Lock()
	defer c.mu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return s.closeErr
	}
	s.endpoints[ep.String()] = ic
	s.lastEP = ep.String()
	s.mu.Unlock()
	c.conns[name] = append(c.conns[name], ic)
	if b := c.binds[name]; b != nil {
		c.link(ic, b)
	}
	return nil
}

// link joins connecter ic to binder b; with c.mu held. Each socket's lock is taken alone.
func (c *Context) link(ic *inprocConnecter, b *Socket) {
	a := ic.s
	if ic.peer != nil || !zmtp.Compatible(a.typ.String(), b.typ.String()) {
		return
	}
	ao, bo := ic.o, b.opts()
	local := ic.l
	if local == nil {
		local = &link{}
		local.p = pipe.New(a.inbox, inprocHWM(bo.SendHWM, ao.RecvHWM), b.wakeSenders)
		local.p.RoutingID = ic.connectID
	} else {
		local.p.SetOnSpace(b.wakeSenders)
		local.p.SetHWM(inprocHWM(bo.SendHWM, ao.RecvHWM))
	}
	remote := &link{}
	remote.p = pipe.New(b.inbox, inprocHWM(ao.SendHWM, bo.RecvHWM), a.wakeSenders)
	remote.p.PeerType, remote.p.PeerIdentity = a.typ.String(), ao.RoutingID
	remote.p.SetOut(inprocOut{local.p})
	linkInprocSubs(a, b, ao, bo, local.p, remote.p, ic.l == nil)
	conflateInproc(remote.p, a, b, ao, bo)
	conflateInproc(local.p, b, a, bo, ao)

	b.mu.Lock()
	ok := !b.closed && b.attachLocked(remote)
	b.mu.Unlock()
	if !ok {
		return
	}
	a.mu.Lock()
	local.p.PeerType, local.p.PeerIdentity = b.typ.String(), bo.RoutingID
	// A lingering socket still hands over what it queued before the bind.
	ok = local.attached || !a.closed && a.attachLocked(local)
	if ok {
		// PROBE_ROUTER: each side's empty probe is the first thing its peer sees, as over tcp.
		if b.probes(bo) {
			local.p.Push(pipe.Msg{{}})
		}
		if a.probes(ao) {
			remote.p.Push(pipe.Msg{{}})
		}
		if local.q != nil {
			// Hand over what queued before the bind, ahead of anything sent from now on.
			for _, m := range local.q.DrainAll(nil) {
				remote.p.Push(m)
			}
		}
		local.p.SetOut(inprocOut{remote.p})
	}
	a.mu.Unlock()
	if !ok {
		b.mu.Lock()
		b.detachLocked(remote)
		b.mu.Unlock()
		return
	}
	ic.peer, ic.local, ic.remote = b, local, remote
	a.wakeSenders()
	a.wakeIdle() // the queue is handed over: a lingering Close may be done
	b.wakeSenders()
}

// unlink breaks ic's live link; a persistent connecter goes back to queueing. With c.mu held.
func (c *Context) unlink(ic *inprocConnecter, keep bool) {
	if ic.peer == nil {
		return
	}
	b, a := ic.peer, ic.s
	b.mu.Lock()
	b.detachLocked(ic.remote)
	b.mu.Unlock()
	a.mu.Lock()
	if ic.local == ic.l && keep {
		ic.l.p.SetOut(ic.l)
		ic.l.p.SetOnSpace(func() { pipe.Signal(ic.l.space) })
	} else {
		a.detachLocked(ic.local)
	}
	a.mu.Unlock()
	ic.peer, ic.local, ic.remote = nil, nil, nil
}

func (c *Context) dropConnecter(ic *inprocConnecter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unlink(ic, false)
	if ic.l != nil {
		a := ic.s
		a.mu.Lock()
		a.detachLocked(ic.l)
		ic.l.q.Close() // under a.mu, so no push straddles it (pipe.OutQueue)
		a.mu.Unlock()
	}
	list := c.conns[ic.name]
	if i := slices.Index(list, ic); i >= 0 {
		c.conns[ic.name] = slices.Delete(list, i, i+1)
	}
	if len(c.conns[ic.name]) == 0 {
		delete(c.conns, ic.name)
	}
}

func (c *Context) dropBinding(s *Socket, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.binds[name] != s {
		return
	}
	delete(c.binds, name)
	for _, ic := range c.conns[name] {
		if ic.peer == s {
			c.unlink(ic, true)
		}
	}
}

func (c *Context) unbindInproc(s *Socket, ep transport.Endpoint) error {
	return s.stopEndpoint(ep.String(), func(e endpoint) bool { _, ok := e.(*inprocBinding); return ok })
}

func (c *Context) disconnectInproc(s *Socket, ep transport.Endpoint) error {
	return s.stopEndpoint(ep.String(), func(e endpoint) bool { _, ok := e.(*inprocConnecter); return ok })
}
