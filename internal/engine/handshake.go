// Package engine runs one ZMTP connection: the greeting and NULL handshake, then a reader and a
// writer goroutine moving whole messages between the wire and a pipe.
package engine

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/purezmq/zmq/zmtp"
)

// Config is what the handshake announces and enforces.
type Config struct {
	SocketType   string        // our Socket-Type, as on the wire
	Identity     []byte        // our routing id, announced by REQ, DEALER and ROUTER
	MaxMsgSize   int64         // largest frame accepted, -1 for no limit
	HandshakeIvl time.Duration // deadline for the whole handshake, 0 for none
}

// Peer is what the handshake learned.
type Peer struct {
	SocketType string
	Identity   []byte
	Minor      uint8 // 0 for a ZMTP 3.0 peer, 1 for 3.1 and later
	Meta       zmtp.Metadata
}

// Errors a handshake can end with; match with errors.Is.
var (
	ErrHandshake      = errors.New("zmq: handshake failed")
	ErrMechanism      = fmt.Errorf("%w: security mechanism mismatch", ErrHandshake)
	ErrSocketType     = fmt.Errorf("%w: incompatible socket type", ErrHandshake)
	ErrPeerError      = fmt.Errorf("%w: peer sent ERROR", ErrHandshake)
	ErrProtocolFormat = fmt.Errorf("%w: protocol error", ErrHandshake)
)

// announcesIdentity lists the socket types whose READY carries an Identity property.
var announcesIdentity = map[string]bool{"REQ": true, "DEALER": true, "ROUTER": true}

// Handshake exchanges greetings and READY commands over nc with the NULL mechanism. On failure
// nc is left open for the caller to close.
func Handshake(nc net.Conn, cfg Config) (*Conn, Peer, error) {
	if cfg.HandshakeIvl > 0 {
		_ = nc.SetDeadline(time.Now().Add(cfg.HandshakeIvl))
		defer nc.SetDeadline(time.Time{})
	}
	c := newConn(nc, cfg)
	out := zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(make([]byte, 0, 256))
	if _, err := nc.Write(out); err != nil {
		return nil, Peer{}, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	// Look at the signature first so a ZMTP 1.0/2.0 peer, which never sends 64 bytes, is
	// refused at once instead of at the deadline. A ZMTP 1.0 peer may send as little as a
	// 2-byte identity frame before it waits for us, so judge its first byte alone, as libzmq
	// does: only a 3.x signature (or a 1.0 frame too long to matter here) starts with 0xFF.
	if err := c.fill(1); err != nil {
		return nil, Peer{}, err
	}
	if c.buffered()[0] != 0xFF {
		return nil, Peer{}, fmt.Errorf("%w: %w: ZMTP 1.0 peer", ErrProtocolFormat, zmtp.ErrVersion)
	}
	if err := c.fill(zmtp.SignatureSize); err != nil {
		return nil, Peer{}, err
	}
	if _, err := zmtp.CheckSignature(c.buffered()); err != nil {
		return nil, Peer{}, fmt.Errorf("%w: %w", ErrProtocolFormat, err)
	}
	if err := c.fill(zmtp.GreetingSize); err != nil {
		return nil, Peer{}, err
	}
	g, err := zmtp.ParseGreeting(c.buffered())
	if err != nil {
		return nil, Peer{}, fmt.Errorf("%w: %w", ErrProtocolFormat, err)
	}
	c.consume(zmtp.GreetingSize)
	if g.Mechanism != "NULL" {
		return nil, Peer{}, fmt.Errorf("%w: peer wants %s, we use NULL", ErrMechanism, g.Mechanism)
	}
	md := zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte(cfg.SocketType)}}
	if announcesIdentity[cfg.SocketType] {
		md = append(md, zmtp.Property{Name: zmtp.PropIdentity, Value: cfg.Identity})
	}
	if _, err := nc.Write(zmtp.AppendReady(out[:0], md)); err != nil {
		return nil, Peer{}, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	cmd, err := c.readCommand()
	if err != nil {
		return nil, Peer{}, err
	}
	switch cmd.Name {
	case zmtp.CmdReady:
	case zmtp.CmdError:
		reason, _ := zmtp.ParseError(cmd)
		return nil, Peer{}, fmt.Errorf("%w: %q", ErrPeerError, reason)
	default:
		return nil, Peer{}, fmt.Errorf("%w: expected READY, got %q", ErrProtocolFormat, cmd.Name)
	}
	meta, err := zmtp.ParseReady(cmd)
	if err != nil {
		return nil, Peer{}, fmt.Errorf("%w: %w", ErrProtocolFormat, err)
	}
	peer := Peer{Minor: g.Minor, Meta: cloneMeta(meta)}
	if g.Major > 3 {
		peer.Minor = 1
	}
	st, _ := peer.Meta.Get(zmtp.PropSocketType)
	peer.SocketType = string(st)
	if id, ok := peer.Meta.Get(zmtp.PropIdentity); ok {
		peer.Identity = id
	} else if id, ok := peer.Meta.Get(zmtp.PropRoutingID); ok {
		peer.Identity = id
	}
	if !zmtp.Compatible(cfg.SocketType, peer.SocketType) {
		_, _ = nc.Write(zmtp.AppendError(out[:0], "Invalid socket type"))
		return nil, Peer{}, fmt.Errorf("%w: %s cannot talk to %q", ErrSocketType, cfg.SocketType, peer.SocketType)
	}
	return c, peer, nil
}

// readCommand reads one whole command frame during the handshake.
func (c *Conn) readCommand() (zmtp.Command, error) {
	for {
		flags, size, n, err := zmtp.ParseFrameHeader(c.buffered(), handshakeMax)
		if errors.Is(err, zmtp.ErrNeedMore) {
			if err := c.fill(len(c.buffered()) + 1); err != nil {
				return zmtp.Command{}, err
			}
			continue
		}
		if err != nil {
			return zmtp.Command{}, fmt.Errorf("%w: %w", ErrProtocolFormat, err)
		}
		if flags&zmtp.FlagCommand == 0 {
			return zmtp.Command{}, fmt.Errorf("%w: expected a command frame", ErrProtocolFormat)
		}
		if err := c.fill(n + size); err != nil {
			return zmtp.Command{}, err
		}
		body := c.buffered()[n : n+size]
		c.consume(n + size)
		cmd, err := zmtp.ParseCommand(body)
		if err != nil {
			return zmtp.Command{}, fmt.Errorf("%w: %w", ErrProtocolFormat, err)
		}
		return cmd, nil
	}
}

// handshakeMax bounds a handshake command: metadata is small, and a peer must not make us
// allocate before it is known.
const handshakeMax = 64 << 10

func cloneMeta(m zmtp.Metadata) zmtp.Metadata {
	out := make(zmtp.Metadata, len(m))
	for i, p := range m {
		out[i] = zmtp.Property{Name: p.Name, Value: append([]byte(nil), p.Value...)}
	}
	return out
}

func ioErr(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
