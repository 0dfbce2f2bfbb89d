package rpc

import (
	"cmp"
	"context"
	"fmt"
)

// pending is a call waiting for its reply.
type pending struct {
	conn *conn
	done chan result // 1 slot: whoever takes the call out of the map sends once
	// stopRead interrupts the read turn of this call's goroutine, if it has it; under pmu.
	stopRead context.CancelFunc
	progress func() // restarts the call monitor (set before the call is added), or nil
	drops    uint64 // its connection's drops when it was added: a later drop fails it
}

type result struct {
	rep reply
	err *Error // the connection failed, no reply
}

func (c *clientCore) addPending(id uint64, p *pending) *Error {
	c.pmu.Lock()
	if limit := cmp.Or(c.cfg.dl.maxInFlight, DefaultMaxInFlight); len(c.pending) >= limit {
		c.pmu.Unlock()
		return newError(ResourceExhausted, fmt.Sprintf("%d calls in flight already", limit))
	}
	p.drops = p.conn.drops.Load()
	c.pending[id] = p
	p.conn.calls++
	c.pmu.Unlock()
	return nil
}

// takePending takes a call out of the map; nil when a reply (or a failure) took it first.
func (c *clientCore) takePending(id uint64) *pending {
	c.pmu.Lock()
	p := c.pending[id]
	last := false
	if p != nil {
		delete(c.pending, id)
		last = c.ended(p.conn)
	}
	c.pmu.Unlock()
	if last {
		c.closeRetired(p.conn)
	}
	return p
}

// ended counts a call of cn ended, under pmu; true when cn is retired and that was its last.
func (c *clientCore) ended(cn *conn) bool {
	cn.calls--
	return cn.retired && cn.calls == 0
}

// failPending ends the calls waiting on cn with e.
func (c *clientCore) failPending(cn *conn, e *Error) { c.failSent(cn, ^uint64(0), e) }

// failSent ends with e the calls waiting on cn that were sent before its drops reached drops.
func (c *clientCore) failSent(cn *conn, drops uint64, e *Error) {
	c.pmu.Lock()
	last := false
	for id, p := range c.pending {
		if p.conn == cn && p.drops < drops {
			delete(c.pending, id)
			last = c.ended(cn)
			p.done <- result{err: e}
			if p.stopRead != nil {
				p.stopRead()
			}
		}
	}
	c.pmu.Unlock()
	if last {
		c.closeRetired(cn)
	}
}
