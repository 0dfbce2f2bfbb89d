package socket

import (
	"time"

	"github.com/purezmq/zmq/internal/zerr"
)

// Close stops the socket and returns at once, as zmq_close: blocked calls return ErrClosed and
// bound endpoints stop accepting. Queued outbound messages still go out, in the background, for
// up to the linger period; Context.Shutdown is what waits for them. With nothing queued (or
// LINGER 0) the socket is torn down before Close returns.
func (s *Socket) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return zerr.ErrClosed
	}
	s.closed = true
	s.closeErr = zerr.ErrClosed
	if s.ctx.terminated.Load() {
		s.closeErr = zerr.ErrContextClosed
	}
	close(s.closing)
	s.updateSoleLocked() // a Recv reading the connection itself returns
	eps := s.endpoints
	s.endpoints = map[string]endpoint{}
	s.mu.Unlock()
	s.watch.stop()
	s.notifyReady() // a Poll waiting on the socket reports it closed now, not after the linger

	// Stop accepting, but keep every connection open while lingering: a REP's last reply or
	// a bound PUSH's backlog still has to reach peers that are already connected.
	for _, e := range eps {
		if l, ok := e.(*listener); ok {
			l.l.Close()
		}
	}
	linger := s.opts().Linger // as it is now: a closed socket refuses SetOption
	if linger == 0 || s.flushed() {
		s.teardown(eps)
		return nil
	}
	go func() {
		s.linger(linger)
		s.teardown(eps)
	}()
	return nil
}

// teardown ends everything Close left running: endpoints, connections and their goroutines,
// monitors, and the socket's place in its context.
func (s *Socket) teardown(eps map[string]endpoint) {
	close(s.quit)
	s.endBase()
	for _, e := range eps {
		e.stop()
	}
	s.closeConns(nil)
	s.wg.Wait()
	s.inbox.Bufs().Close()
	s.stopMonitors()
	s.ctx.remove(s)
	close(s.done)
}

// linger waits until every queued outbound message is written, the linger period ends, or the
// context's Shutdown gives up waiting.
func (s *Socket) linger(linger time.Duration) {
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
		case <-s.ctx.drop:
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
		if n := l.q.Len(); n > 0 || (l.conn != nil && l.conn.Busy()) || (l.raw != nil && l.raw.Busy()) ||
			(l.dgram != nil && l.dgram.Busy()) {
			return false
		}
	}
	return true
}
