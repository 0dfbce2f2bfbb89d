package zmq

import (
	"fmt"
	"strings"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/socket"
)

// EventType is a socket event, or a set of them as a mask for Monitor. The values are libzmq's
// ZMQ_EVENT_* bits, so its documentation applies.
type EventType uint32

// Events a Monitor reports.
const (
	EventConnected               EventType = socket.EvConnected               // a connect-side connection is up; PeerAddr is the peer
	EventConnectDelayed          EventType = socket.EvConnectDelayed          // a tcp connect is in progress
	EventConnectRetried          EventType = socket.EvConnectRetried          // a reconnect is scheduled; Value is the wait in ms
	EventListening               EventType = socket.EvListening               // Bind succeeded; Endpoint is resolved
	EventBindFailed              EventType = socket.EvBindFailed              // Bind failed; Err says why
	EventAccepted                EventType = socket.EvAccepted                // a bound endpoint accepted PeerAddr
	EventAcceptFailed            EventType = socket.EvAcceptFailed            // accepting failed (out of descriptors...)
	EventClosed                  EventType = socket.EvClosed                  // a bound endpoint closed (Unbind, Close), or a failed connect attempt ended
	EventCloseFailed             EventType = socket.EvCloseFailed             // closing a bound endpoint failed
	EventDisconnected            EventType = socket.EvDisconnected            // a connection ended, not by our Close; Err says why
	EventMonitorStopped          EventType = socket.EvMonitorStopped          // the last event; the channel closes after it
	EventHandshakeFailedNoDetail EventType = socket.EvHandshakeFailedNoDetail // the handshake failed: I/O error, timeout
	EventHandshakeSucceeded      EventType = socket.EvHandshakeSucceeded      // the connection is attached: a Send after it can reach the peer
	EventHandshakeFailedProtocol EventType = socket.EvHandshakeFailedProtocol // malformed greeting or commands, mechanism mismatch; Value is one of the ProtocolError* codes
	EventHandshakeFailedAuth     EventType = socket.EvHandshakeFailedAuth     // ZAP refused the peer, or the peer's ZAP refused us; Value is the status code (300, 400, 500)

	EventAll EventType = 0xFFFF // ZMQ_EVENT_ALL
)

// Protocol error codes: the Value of an EventHandshakeFailedProtocol event, libzmq's
// ZMQ_PROTOCOL_ERROR_* values (a CURVE MESSAGE that fails after the handshake is reported with
// one too, as libzmq does).
const (
	ProtocolErrorZMTPUnspecified       = int(mechanism.ProtoUnspecified)        // ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED: any other ZMTP violation (greeting, framing)
	ProtocolErrorZMTPUnexpectedCommand = int(mechanism.ProtoUnexpectedCommand)  // ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND: not the command the handshake expects
	ProtocolErrorZMTPInvalidSequence   = int(mechanism.ProtoInvalidSequence)    // ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE: a CURVE nonce replayed or out of order
	ProtocolErrorZMTPKeyExchange       = int(mechanism.ProtoKeyExchange)        // ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE: a CURVE vouch for other keys
	ProtocolErrorZMTPMalformedCommand  = int(mechanism.ProtoMalformedCommand)   // ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED (not reported: the codes below say which)
	ProtocolErrorZMTPMalformedMessage  = int(mechanism.ProtoMalformedMessage)   // ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE: a malformed CURVE MESSAGE
	ProtocolErrorZMTPMalformedHello    = int(mechanism.ProtoMalformedHello)     // ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO
	ProtocolErrorZMTPMalformedInitiate = int(mechanism.ProtoMalformedInitiate)  // ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE
	ProtocolErrorZMTPMalformedError    = int(mechanism.ProtoMalformedError)     // ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR
	ProtocolErrorZMTPMalformedReady    = int(mechanism.ProtoMalformedReady)     // ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY
	ProtocolErrorZMTPMalformedWelcome  = int(mechanism.ProtoMalformedWelcome)   // ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME
	ProtocolErrorZMTPInvalidMetadata   = int(mechanism.ProtoInvalidMetadata)    // ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA: a malformed property in READY or INITIATE
	ProtocolErrorZMTPCryptographic     = int(mechanism.ProtoCryptographic)      // ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC: a CURVE box that does not open: wrong key, forged or replayed
	ProtocolErrorZMTPMechanismMismatch = int(mechanism.ProtoMechanismMismatch)  // ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH: the peer's greeting names another mechanism
	ProtocolErrorZAPUnspecified        = int(mechanism.ProtoZAPUnspecified)     // ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED (not reported: the codes below say what)
	ProtocolErrorZAPMalformedReply     = int(mechanism.ProtoZAPMalformedReply)  // ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY: a ZAP reply not of RFC 27's six frames
	ProtocolErrorZAPBadRequestID       = int(mechanism.ProtoZAPBadRequestID)    // ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID: a ZAP reply to another request
	ProtocolErrorZAPBadVersion         = int(mechanism.ProtoZAPBadVersion)      // ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION: a ZAP reply whose version is not "1.0"
	ProtocolErrorZAPInvalidStatusCode  = int(mechanism.ProtoZAPInvalidStatus)   // ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE: a ZAP status not 200, 300, 400 or 500
	ProtocolErrorZAPInvalidMetadata    = int(mechanism.ProtoZAPInvalidMetadata) // ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA: malformed metadata in a ZAP reply
)

var eventNames = []string{
	"CONNECTED", "CONNECT_DELAYED", "CONNECT_RETRIED", "LISTENING", "BIND_FAILED", "ACCEPTED",
	"ACCEPT_FAILED", "CLOSED", "CLOSE_FAILED", "DISCONNECTED", "MONITOR_STOPPED",
	"HANDSHAKE_FAILED_NO_DETAIL", "HANDSHAKE_SUCCEEDED", "HANDSHAKE_FAILED_PROTOCOL",
	"HANDSHAKE_FAILED_AUTH",
}

// String names the events in t as libzmq does, joined by "|".
func (t EventType) String() string {
	var names []string
	for i, n := range eventNames {
		if t&(1<<i) != 0 {
			names = append(names, n)
			t &^= 1 << i
		}
	}
	if t != 0 || len(names) == 0 {
		names = append(names, fmt.Sprintf("0x%x", uint32(t)))
	}
	return strings.Join(names, "|")
}

// Event is one thing that happened to a socket's endpoints or connections.
type Event struct {
	Type     EventType // what happened: one ZMQ_EVENT_* bit
	Endpoint string    // the endpoint given to Connect, or the resolved endpoint of a Bind
	PeerAddr string    // the far end of the connection ("tcp://10.0.0.2:51234"), when known
	Value    int       // as libzmq: CONNECT_RETRIED's interval in ms, HANDSHAKE_FAILED_AUTH's ZAP status, HANDSHAKE_FAILED_PROTOCOL's error code
	Err      error     // the cause of a failure, when there is one
	Dropped  uint64    // how many events this monitor has dropped so far because its reader lagged
}

// String renders the event on one line for logs: "CONNECTED tcp://127.0.0.1:5555 peer ...".
func (e Event) String() string {
	s := e.Type.String() + " " + e.Endpoint
	if e.PeerAddr != "" {
		s += " peer " + e.PeerAddr
	}
	if e.Value != 0 {
		s += fmt.Sprintf(" value %d", e.Value)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// MonitorBuffer is how many events a monitor holds for a reader that lags; further events are
// dropped and counted in Event.Dropped.
const MonitorBuffer = 256

// Monitor reports the socket's events of the types in mask (EventAll for every one) on the
// returned channel (zmq_socket_monitor, with a channel in place of its PAIR socket), from now
// on, until stop is called or the socket closes. Then comes one EventMonitorStopped, whatever
// the mask, and the channel closes. stop may be called any number of times, from any
// goroutine.
//
// Events are reported without waiting for the reader: the channel holds MonitorBuffer of
// them, and while it is full new events are dropped and counted in the Dropped field of the
// events that follow, so a slow reader never stalls the socket. Several monitors may watch one
// socket; each has its own buffer.
//
// As in libzmq: inproc has no connections to report, so it yields no events; an incompatible
// peer socket type, and a peer that refuses us with an ERROR that is not a ZAP status code,
// are reported only as EventDisconnected; a closing socket reports EventClosed for each bound
// endpoint but no EventDisconnected for the connections it shuts. Events of a connection come
// in order (CONNECTED or ACCEPTED, then a handshake event, then DISCONNECTED); events of
// different connections may interleave.
func (s *Socket) Monitor(mask EventType) (events <-chan Event, stop func()) {
	m := &monitor{mask: mask, ch: make(chan Event, MonitorBuffer+1)}
	s.s.AddMonitor(m)
	return m.ch, func() { s.s.RemoveMonitor(m) }
}

// monitor is a Monitor's sink. The socket calls it under its monitor lock, one call at a time,
// so it needs no lock of its own: only this side sends, so len(ch) only overstates the room.
type monitor struct {
	mask    EventType
	ch      chan Event // MonitorBuffer events, plus a slot kept for MONITOR_STOPPED
	dropped uint64
	stopped bool
}

func (m *monitor) Deliver(e socket.MonitorEvent) {
	t := EventType(e.Type)
	if m.stopped || m.mask&t == 0 {
		return
	}
	if len(m.ch) >= MonitorBuffer {
		m.dropped++
		return
	}
	m.ch <- Event{Type: t, Endpoint: e.Endpoint, PeerAddr: e.PeerAddr, Value: e.Value, Err: e.Err, Dropped: m.dropped}
}

func (m *monitor) Stop() {
	if m.stopped {
		return
	}
	m.stopped = true
	m.ch <- Event{Type: EventMonitorStopped, Dropped: m.dropped}
	close(m.ch)
}
