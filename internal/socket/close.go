package socket

import (
	"time"

	"github.com/purezmq/zmq/internal/zerr"
)

// Close stops the socket: blocked calls return ErrClosed, bound endpoints close, and queued
// outbound messages get up to the linger period to be written before every connection closes.
func (s *Socket) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return zerr.ErrClosed
	}
	s.closed = true
	close(s.closing)
	eps := s.endpoints
	s.endpoints = map[string]endpoint{}
	s.mu.Unlock()

	seen := map[endpoint]bool{}
	for _, e := range eps {
		if lingers(e) || seen[e] {
			continue // connecters keep running while the socket lingers
		}
		seen[e] = true
		e.stop()
	}
	s.linger()
	close(s.quit)
	s.endBase()
	for _, e := range eps {
		if !seen[e] {
			seen[e] = true
			e.stop()
		}
	}
	s.closeConns(nil)
	s.wg.Wait()
	s.ctx.remove(s)
	return nil
}

// linger waits until every queued outbound message is written, or the linger period ends.
func (s *Socket) linger() {
	if s.opts.Linger == 0 {
		return
	}
	var deadline <-chan time.Time
	if s.opts.Linger > 0 {
		t := time.NewTimer(s.opts.Linger)
		defer t.Stop()
		deadline = t.C
	}
	for !s.flushed() {
		select {
		case <-s.idleWake:
		case <-deadline:
			return
		}
	}
}

func (s *Socket) flushed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for l := range s.links {
		if l.q == nil {
			continue
		}
		if n := l.q.Len(); n > 0 || (l.conn != nil && l.conn.Busy()) {
			return false
		}
	}
	return true
}

// lingers reports whether an endpoint stays up while the socket lingers: connecters, whose
// queued messages may still find their peer.
func lingers(e endpoint) bool {
	switch e.(type) {
	case *connecter, *inprocConnecter:
		return true
	}
	return false
}
