// Package mechanism holds the ZMTP security mechanisms (NULL, PLAIN, CURVE) behind one small
// interface, as grpc-go's TransportCredentials holds TLS and ALTS: the engine exchanges
// greetings, then hands the connection's command stream to the mechanism the socket chose.
package mechanism

import (
	"errors"
	"fmt"

	"github.com/purezmq/zmq/zmtp"
)

// Mechanism names as the greeting carries them.
const (
	Null  = "NULL"
	Plain = "PLAIN"
	Curve = "CURVE"
)

// Errors a mechanism's handshake ends with; match with errors.Is.
var (
	ErrAuth     = errors.New("zmq: authentication failed")
	ErrProtocol = errors.New("zmq: security handshake protocol error")
	ErrRefused  = errors.New("zmq: peer refused the security handshake")
)

// Transport is how a mechanism exchanges handshake commands with its peer.
type Transport interface {
	// WriteCommand writes one complete, encoded command frame.
	WriteCommand(frame []byte) error
	// ReadCommand reads the next command frame; a message frame is a protocol error.
	ReadCommand() (zmtp.Command, error)
}

// Codec seals and opens frames after the handshake (CURVE's MESSAGE). NULL and PLAIN have none,
// so their data path stays untouched.
type Codec interface {
	// Seal appends body, with frame flags zmtp.FlagMore and zmtp.FlagCommand, as one encoded
	// wire frame.
	Seal(dst []byte, flags byte, body []byte) []byte
	// PayloadLen checks the shape of one received frame's body and returns the length of the
	// payload it carries, for the caller to find a buffer for.
	PayloadLen(body []byte) (int, error)
	// OpenInto opens body into dst, PayloadLen(body) bytes not overlapping it, and returns the
	// frame flags it carries. dst is written only once the body proved genuine.
	OpenInto(dst, body []byte) (flags byte, err error)
	// Overhead is how many bytes a sealed frame's body has beyond the payload it carries.
	Overhead() int
}

// Result is what a handshake learned.
type Result struct {
	Meta  zmtp.Metadata // the peer's READY/INITIATE metadata (aliases handshake buffers: clone)
	Codec Codec         // nil unless frames are encrypted

	ZAPAsked bool          // a ZAP handler judged the peer: UserID is the connection's User-Id
	UserID   string        // from the ZAP handler
	ZAPMeta  zmtp.Metadata // from the ZAP handler
}

// Handshake runs cfg's mechanism over t, announcing md.
func Handshake(cfg Config, t Transport, md zmtp.Metadata) (Result, error) {
	switch cfg.Name() {
	case Null:
		return nullHandshake(cfg, t, md)
	case Plain:
		if cfg.Server {
			return plainServer(cfg, t, md)
		}
		return plainClient(cfg, t, md)
	case Curve:
		if cfg.Server {
			return curveServer(cfg, t, md)
		}
		return curveClient(cfg, t, md)
	}
	return Result{}, fmt.Errorf("%w: unknown mechanism %q", ErrProtocol, cfg.Mechanism)
}

// expect reads the next command and checks that it is name; a peer's ERROR becomes a
// *PeerError.
func expect(t Transport, name string) (zmtp.Command, error) {
	cmd, err := t.ReadCommand()
	if err != nil {
		return cmd, err
	}
	if cmd.Name == zmtp.CmdError {
		reason, err := zmtp.ParseError(cmd)
		if err != nil {
			return cmd, malformed(ProtoMalformedError, err)
		}
		return cmd, &PeerError{Reason: reason}
	}
	if cmd.Name != name {
		return cmd, protoErr(ProtoUnexpectedCommand, "expected %s, got %q", name, cmd.Name)
	}
	return cmd, nil
}

// PeerError is the peer's refusal of the handshake: an ERROR command. It matches ErrRefused,
// and ErrAuth when the reason is a ZAP status code, which libzmq reports as an authentication
// failure.
type PeerError struct{ Reason string }

func (e *PeerError) Error() string { return fmt.Sprintf("%v: ERROR %q", ErrRefused, e.Reason) }
func (e *PeerError) Is(target error) bool {
	return target == ErrRefused || target == ErrAuth && e.ZAPStatus() != 0
}

// ZAPStatus is the reason as a ZAP status code (300, 400 or 500), or 0 when it is not one:
// libzmq reports a refusal with such a code as an authentication failure.
func (e *PeerError) ZAPStatus() int { return zapStatus(e.Reason) }

// zapStatus is a ZAP status code ("300", "400", "500") as a number, or 0 for anything else.
func zapStatus(s string) int {
	if len(s) != 3 || s[0] < '3' || s[0] > '5' || s[1] != '0' || s[2] != '0' {
		return 0
	}
	return int(s[0]-'0') * 100
}
