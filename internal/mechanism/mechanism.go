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

// Config is a socket's security configuration: which mechanism, which side, which secrets.
// The zero value is NULL.
type Config struct {
	Mechanism string // Null (or ""), Plain or Curve
	Server    bool   // PLAIN_SERVER / CURVE_SERVER

	Username, Password []byte // PLAIN client credentials

	PublicKey [32]byte // CURVE long-term key pair (client and server)
	SecretKey [32]byte
	ServerKey [32]byte // CURVE server's public key (client)

	// Authorize asks the ZAP handler about a client (server side); nil when the context has
	// none. It may return ErrNoZAP.
	Authorize func(ZAPRequest) (ZAPReply, error)
	Domain    string // ZAP_DOMAIN
	// EnforceZAP is ZAP_ENFORCE_DOMAIN: a server whose handshake would consult ZAP refuses the
	// client when no handler runs, instead of going on without one.
	EnforceZAP  bool
	Identity    []byte // the server socket's routing id, for the ZAP request
	PeerAddress string // the client's IP address, set by the engine
}

// Name returns the mechanism name the greeting announces.
func (c Config) Name() string {
	if c.Mechanism == "" {
		return Null
	}
	return c.Mechanism
}

// AsServer is the greeting's as-server flag.
func (c Config) AsServer() bool { return c.Server && c.Mechanism != Null && c.Mechanism != "" }

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
	// Open decodes the body of one received frame, returning the frame flags and payload it
	// carries. The payload is a fresh allocation.
	Open(body []byte) (flags byte, payload []byte, err error)
}

// Result is what a handshake learned.
type Result struct {
	Meta  zmtp.Metadata // the peer's READY/INITIATE metadata (aliases handshake buffers: clone)
	Codec Codec         // nil unless frames are encrypted

	UserID  string        // from the ZAP handler
	ZAPMeta zmtp.Metadata // from the ZAP handler
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

// expect reads the next command and checks that it is name; a peer's ERROR becomes ErrRefused.
func expect(t Transport, name string) (zmtp.Command, error) {
	cmd, err := t.ReadCommand()
	if err != nil {
		return cmd, err
	}
	if cmd.Name == zmtp.CmdError {
		reason, _ := zmtp.ParseError(cmd)
		return cmd, fmt.Errorf("%w: ERROR %q", ErrRefused, reason)
	}
	if cmd.Name != name {
		return cmd, fmt.Errorf("%w: expected %s, got %q", ErrProtocol, name, cmd.Name)
	}
	return cmd, nil
}

func protocol(err error) error { return fmt.Errorf("%w: %w", ErrProtocol, err) }
