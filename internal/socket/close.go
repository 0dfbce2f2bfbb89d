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
	s.updateSoleLocked() // a Recv reading the connection itself returns
	eps := s.endpoints
	s.endpoints = map[string]endpoint{}
	s.mu.Unlock()

	// Stop accepting, but keep every connection open while lingering: a REP's last reply or
	// a bound PUSH's backlog still has to reach peers that are already connected.
	for _, e := range eps {
		if l, ok := e.(*listener); ok {
			l.l.Close()
		}
	}
	s.linger()
	close(s.quit)
	s.endBase()
	for _, e := range eps {
		e.stop()
	}
	s.closeConns(nil)
	s.wg.Wait()
	s.stopMonitors()
	s.ctx.remove(s)
	return nil
}

// linger waits until every queued outbound message is written, or the linger period ends.
func (s *Socket) linger() {
	linger := s.opts().Linger
	if linger == 0 {
		return
	}
	var deadline <-chan time.Time
	if linger > 0 {
		t := time.NewTimer(linger)
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
		if n := l.q.Len(); n > 0 || (l.conn != nil && l.conn.Busy()) || (l.raw != nil && l.raw.Busy()) {
			return false
		}
	}
	return true
}
