package socket

import (
	"errors"
	"net"
	"sync"

	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/transport"
)

// Monitor event types, with libzmq's ZMQ_EVENT_* bit values.
const (
	EvConnected               = 1 << 0
	EvConnectDelayed          = 1 << 1
	EvConnectRetried          = 1 << 2
	EvListening               = 1 << 3
	EvBindFailed              = 1 << 4
	EvAccepted                = 1 << 5
	EvAcceptFailed            = 1 << 6
	EvClosed                  = 1 << 7
	EvCloseFailed             = 1 << 8
	EvDisconnected            = 1 << 9
	EvMonitorStopped          = 1 << 10
	EvHandshakeFailedNoDetail = 1 << 11
	EvHandshakeSucceeded      = 1 << 12
	EvHandshakeFailedProtocol = 1 << 13
	EvHandshakeFailedAuth     = 1 << 14
)

// MonitorEvent is one event as the socket reports it.
type MonitorEvent struct {
	Type     uint32
	Endpoint string
	PeerAddr string
	Value    int
	Err      error
}

// MonitorSink receives a socket's events. Both methods are called with the socket's monitor
// lock held, one call at a time, and must not block: a slow reader must never stall the socket.
type MonitorSink interface {
	Deliver(MonitorEvent)
	Stop() // the last call: the socket has closed or the monitor was removed
}

// monitors is the socket's set of sinks. It has its own lock so events can be reported from
// anywhere, including with the socket's mu held.
type monitors struct {
	mu     sync.Mutex
	sinks  []MonitorSink
	closed bool
}

// AddMonitor starts delivering the socket's events to m; on a closed socket m is stopped at once.
func (s *Socket) AddMonitor(m MonitorSink) {
	s.mon.mu.Lock()
	defer s.mon.mu.Unlock()
	if s.mon.closed {
		m.Stop()
		return
	}
	s.mon.sinks = append(s.mon.sinks, m)
}

// RemoveMonitor stops m, if the socket still delivers to it.
func (s *Socket) RemoveMonitor(m MonitorSink) {
	s.mon.mu.Lock()
	defer s.mon.mu.Unlock()
	for i, x := range s.mon.sinks {
		if x == m {
			s.mon.sinks = append(s.mon.sinks[:i], s.mon.sinks[i+1:]...)
			m.Stop()
			return
		}
	}
}

// stopMonitors stops every sink; the socket has closed and reports nothing more.
func (s *Socket) stopMonitors() {
	s.mon.mu.Lock()
	defer s.mon.mu.Unlock()
	s.mon.closed = true
	for _, m := range s.mon.sinks {
		m.Stop()
	}
	s.mon.sinks = nil
}

func (s *Socket) emit(e MonitorEvent) {
	s.mon.mu.Lock()
	defer s.mon.mu.Unlock()
	for _, m := range s.mon.sinks {
		m.Deliver(e)
	}
}

// peerAddr names a connection's far end as the monitor reports it.
func peerAddr(nc net.Conn) string { return transport.PeerName(nc) }

// handshakeEvent reports how a handshake on a connection to or from ep ended, as libzmq does.
// A peer of an incompatible socket type, one that refuses us without a ZAP status code, or a
// ZMTP 2.0 peer refused for want of security gets no handshake event: libzmq 4.3 reports only
// the DISCONNECTED that follows.
func (s *Socket) handshakeEvent(ep string, nc net.Conn, err error) {
	if err != nil && s.quitting() {
		return // our own Close cut the handshake short
	}
	e := MonitorEvent{Endpoint: ep, PeerAddr: peerAddr(nc), Err: err}
	var (
		zerr  *mechanism.ZAPError
		refus *mechanism.PeerError
	)
	switch {
	case err == nil:
		e.Type = EvHandshakeSucceeded
	case errors.As(err, &zerr):
		e.Type, e.Value = EvHandshakeFailedAuth, zerr.StatusCode()
	case errors.As(err, &refus):
		if refus.ZAPStatus() == 0 {
			return
		}
		e.Type, e.Value = EvHandshakeFailedAuth, refus.ZAPStatus()
	case errors.Is(err, engine.ErrSocketType), errors.Is(err, engine.ErrDowngrade):
		return
	case errors.Is(err, engine.ErrMechanism):
		e.Type, e.Value = EvHandshakeFailedProtocol, int(mechanism.ProtoMechanismMismatch)
	default:
		if !s.protocolEvent(&e, err) {
			e.Type = EvHandshakeFailedNoDetail
		}
	}
	s.emit(e)
}

// protocolEvent makes e a HANDSHAKE_FAILED_PROTOCOL event when err breaks the protocol, with
// libzmq's code for it; false when it does not. A CURVE MESSAGE that fails after the handshake
// (replayed, reordered, forged) is reported so too, as libzmq does.
func (s *Socket) protocolEvent(e *MonitorEvent, err error) bool {
	var pe *mechanism.ProtocolError
	switch {
	case errors.As(err, &pe):
		e.Type, e.Value = EvHandshakeFailedProtocol, int(pe.Code)
	case errors.Is(err, engine.ErrProtocol):
		e.Type, e.Value = EvHandshakeFailedProtocol, int(mechanism.ProtoUnspecified)
	default:
		return false
	}
	return true
}

// messageEvent reports a connection whose CURVE MESSAGE broke the protocol after the handshake
// (replayed, reordered, forged), as libzmq does: a HANDSHAKE_FAILED_PROTOCOL event with the
// code, before the DISCONNECTED.
func (s *Socket) messageEvent(ep string, nc net.Conn, err error) {
	var pe *mechanism.ProtocolError
	if s.quitting() || !errors.As(err, &pe) {
		return
	}
	s.emit(MonitorEvent{Type: EvHandshakeFailedProtocol, Endpoint: ep, PeerAddr: peerAddr(nc), Value: int(pe.Code), Err: err})
}

// endedEvent reports a connection to or from ep that ended, and why when it failed, unless the
// socket itself is closing (libzmq reports DISCONNECTED only for connections that fail, not
// those it shuts).
func (s *Socket) endedEvent(ep string, nc net.Conn, err error) {
	if s.quitting() {
		return
	}
	s.emit(MonitorEvent{Type: EvDisconnected, Endpoint: ep, PeerAddr: peerAddr(nc), Err: err})
}

func (s *Socket) quitting() bool {
	select {
	case <-s.quit:
		return true
	default:
		return false
	}
}
