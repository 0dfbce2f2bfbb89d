// Package engine runs one ZMTP connection: the greeting and the security mechanism's handshake,
// then a reader and a writer goroutine moving whole messages between the wire and a pipe. A
// socket's own goroutine may do either's work when that spares a hand-off: ReadAsCaller takes
// the read turn (turn.go), WriteNow writes without blocking (writer.go).
package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/zerr"
	"github.com/purezmq/zmq/zmtp"
)

// Config is what the handshake announces and enforces.
type Config struct {
	SocketType   string        // our Socket-Type, as on the wire
	Identity     []byte        // our routing id, announced by REQ, DEALER and ROUTER
	MaxMsgSize   int64         // largest frame accepted, -1 for no limit
	HandshakeIvl time.Duration // deadline for the whole handshake, 0 for none
	// Connecting is the side that connected. Under NULL it sends READY only once the peer's
	// has come: the greeting's last steps cross, and our READY could otherwise reach a libzmq
	// peer with our greeting's tail, to be judged (a wrong socket type hung up on) before
	// libzmq sends its own READY; we would see only EOF, and retry.
	Connecting bool
	// AnnounceIdentity puts Identity in READY, as libzmq's REQ, DEALER and ROUTER do.
	AnnounceIdentity bool
	Security         mechanism.Config
	Metadata         zmtp.Metadata // METADATA: our "X-" properties, announced after the standard ones

	HeartbeatIvl     time.Duration // between PINGs to a ZMTP 3.1 peer, 0 for none
	HeartbeatTTL     time.Duration // announced in our PINGs, in whole deciseconds
	HeartbeatTimeout time.Duration // for the peer to say anything after a PING; 0 means HeartbeatIvl
}

// Peer is what the handshake learned.
type Peer struct {
	SocketType string
	Identity   []byte
	Minor      uint8 // 0 for a ZMTP 3.0 or 2.0 peer, 1 for 3.1 and later
	Meta       zmtp.Metadata
}

// ErrProtocol is a peer breaking ZMTP, in the handshake or after it: malformed frames or
// commands, or a CURVE box that does not open. A mechanism's *ProtocolError matches it too.
var ErrProtocol = zerr.ErrProtocol

// Errors a handshake can end with; match with errors.Is.
var (
	ErrHandshake  = errors.New("zmq: handshake failed")
	ErrMechanism  = fmt.Errorf("%w: security mechanism mismatch", ErrHandshake)
	ErrSocketType = fmt.Errorf("%w: incompatible socket type", ErrHandshake)
	ErrPeerError  = fmt.Errorf("%w: peer sent ERROR", ErrHandshake)
	// ErrProtocolFormat is a handshake that breaks ZMTP; it matches ErrProtocol too.
	ErrProtocolFormat = fmt.Errorf("%w: %w", ErrHandshake, ErrProtocol)
	// ErrAuth is a failed authentication: wrong CURVE keys, or credentials a ZAP handler denied.
	// It also matches ErrHandshake.
	ErrAuth = mechanism.ErrAuth
)

// Properties only this side sets (libzmq's names): the user a ZAP handler authenticated, and the
// peer's address — its IP for tcp; for ipc, as libzmq on Linux, "localhost:uid:gid:pid" of the
// peer process.
const (
	PropUserID      = "User-Id"
	PropPeerAddress = "Peer-Address"
)

// Handshake exchanges greetings over nc, then runs cfg.Security's mechanism (NULL, PLAIN or
// CURVE), which exchanges the peers' metadata. On failure nc is left open for the caller to
// close.
func Handshake(nc net.Conn, cfg Config) (*Conn, Peer, error) {
	if cfg.HandshakeIvl > 0 {
		_ = nc.SetDeadline(time.Now().Add(cfg.HandshakeIvl))
		defer nc.SetDeadline(time.Time{})
	}
	c := newConn(nc, cfg)
	sec := cfg.Security
	// In two steps: the signature and our major version at once, the rest once the peer's
	// version has come, since a ZMTP 2.0 peer expects a socket type where 3.x has the minor
	// version. libzmq waits for the peer's signature before it sends its major version, for
	// the sake of ZMTP 1.0 peers, which we refuse anyway: sending it at once saves a half
	// round trip per connection. (A NULL connector still sends READY only after the peer's,
	// so a libzmq server that hangs up on a wrong socket type has told us its own first.)
	out := append(zmtp.AppendSignature(make([]byte, 0, 256), len(cfg.Identity)), 3)
	if _, err := nc.Write(out); err != nil {
		return nil, Peer{}, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	// Look at the first byte alone so a ZMTP 1.0 peer, which may send as little as a 2-byte
	// identity frame before it waits for us, is refused at once instead of at the deadline:
	// only a versioned signature (or a 1.0 frame too long to matter here) starts with 0xFF.
	if err := c.fill(1); err != nil {
		return nil, Peer{}, err
	}
	if c.buffered()[0] != 0xFF {
		return nil, Peer{}, fmt.Errorf("%w: %w: ZMTP 1.0 peer", ErrProtocolFormat, zmtp.ErrVersion)
	}
	if err := c.fill(zmtp.SignatureSize - 1); err != nil {
		return nil, Peer{}, err
	}
	if c.buffered()[zmtp.SignatureSize-2]&1 == 0 {
		return nil, Peer{}, fmt.Errorf("%w: %w: ZMTP 1.0 peer", ErrProtocolFormat, zmtp.ErrVersion)
	}
	if err := c.fill(zmtp.SignatureSize); err != nil {
		return nil, Peer{}, err
	}
	if major, err := zmtp.CheckSignature(c.buffered()); err != nil {
		if errors.Is(err, zmtp.ErrVersion) && major == zmtp.Revision2 {
			return c.handshake2(out[:0])
		}
		return nil, Peer{}, fmt.Errorf("%w: %w", ErrProtocolFormat, err)
	}
	mine := zmtp.Greeting{Major: 3, Minor: 1, Mechanism: sec.Name(), AsServer: sec.AsServer()}
	if _, err := nc.Write(mine.AppendTail(out[:0])); err != nil {
		return nil, Peer{}, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	if err := c.fill(zmtp.GreetingSize); err != nil {
		return nil, Peer{}, err
	}
	g, err := zmtp.ParseGreeting(c.buffered())
	if err != nil {
		return nil, Peer{}, fmt.Errorf("%w: %w", ErrProtocolFormat, err)
	}
	c.consume(zmtp.GreetingSize)
	if g.Mechanism != sec.Name() {
		return nil, Peer{}, fmt.Errorf("%w: peer wants %s, we use %s", ErrMechanism, g.Mechanism, sec.Name())
	}
	md := zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte(cfg.SocketType)}}
	if cfg.AnnounceIdentity {
		md = append(md, zmtp.Property{Name: zmtp.PropIdentity, Value: cfg.Identity})
	}
	md = append(md, cfg.Metadata...)
	addr := peerAddress(nc)
	sec.ReadyFirst = cfg.Connecting
	if sec.Authorize != nil {
		sec.Identity = cfg.Identity
		sec.PeerAddress = addr
	}
	res, err := mechanism.Handshake(sec, handshakeTransport{c}, md)
	if err != nil {
		switch {
		case errors.Is(err, ErrHandshake):
			return nil, Peer{}, err
		case errors.Is(err, mechanism.ErrRefused):
			return nil, Peer{}, fmt.Errorf("%w: %w", ErrPeerError, err)
		case errors.Is(err, mechanism.ErrAuth):
			return nil, Peer{}, fmt.Errorf("%w: %w", ErrHandshake, err)
		case errors.Is(err, mechanism.ErrProtocol):
			return nil, Peer{}, fmt.Errorf("%w: %w", ErrProtocolFormat, err)
		}
		return nil, Peer{}, fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	c.codec = res.Codec
	peer := Peer{Minor: g.Minor, Meta: peerMeta(addr, res)}
	if g.Major > 3 {
		peer.Minor = 1
	}
	c.minor = peer.Minor
	// The socket type and identity are the peer's own word, whatever a ZAP handler added.
	st, _ := res.Meta.Get(zmtp.PropSocketType)
	peer.SocketType = string(st)
	if id, ok := res.Meta.Get(zmtp.PropIdentity); ok {
		peer.Identity = bytes.Clone(id)
	} else if id, ok := res.Meta.Get(zmtp.PropRoutingID); ok {
		peer.Identity = bytes.Clone(id)
	}
	if !zmtp.Compatible(cfg.SocketType, peer.SocketType) {
		if c.codec == nil { // under CURVE an ERROR would have to be sealed; just hang up
			_, _ = nc.Write(zmtp.AppendError(out[:0], "Invalid socket type"))
		}
		return nil, Peer{}, fmt.Errorf("%w: %s cannot talk to %q", ErrSocketType, cfg.SocketType, peer.SocketType)
	}
	return c, peer, nil
}

// handshakeTransport gives a mechanism the connection's command stream.
type handshakeTransport struct{ c *Conn }

func (t handshakeTransport) WriteCommand(frame []byte) error {
	if _, err := t.c.nc.Write(frame); err != nil {
		return fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	return nil
}

func (t handshakeTransport) ReadCommand() (zmtp.Command, error) { return t.c.readCommand() }

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
			// libzmq 4.3's PLAIN server spells ERROR wrongly (zmtp.ParseLibzmqPlainError);
			// its clients read it as meant, and so do we.
			if sec := c.cfg.Security; sec.Name() == mechanism.Plain && !sec.AsServer() {
				if cmd, ok := zmtp.ParseLibzmqPlainError(body); ok {
					return cmd, nil
				}
			}
			return zmtp.Command{}, fmt.Errorf("%w: %w", ErrProtocolFormat, err)
		}
		return cmd, nil
	}
}

// handshakeMax bounds a handshake command: metadata is small, and a peer must not make us
// allocate before it is known.
const handshakeMax = 64 << 10

// peerMeta is the connection's properties: first what this side knows for itself (the
// Peer-Address, and when a ZAP handler judged the peer its User-Id and metadata), then the
// peer's own metadata without those names, so a peer can never pose as another user or
// address (libzmq, too, lets its own properties win).
func peerMeta(addr string, res mechanism.Result) zmtp.Metadata {
	var md zmtp.Metadata
	if addr != "" {
		md = append(md, zmtp.Property{Name: PropPeerAddress, Value: []byte(addr)})
	}
	if res.ZAPAsked {
		md = append(md, zmtp.Property{Name: PropUserID, Value: []byte(res.UserID)})
		md = appendMeta(md, res.ZAPMeta, false)
	}
	return appendMeta(md, res.Meta, true)
}

// appendMeta appends deep copies of m's properties (the handshake's buffers are reused); with
// mine, not the names only this side may set.
func appendMeta(md, m zmtp.Metadata, mine bool) zmtp.Metadata {
	for _, p := range m {
		if mine && (strings.EqualFold(p.Name, PropUserID) || strings.EqualFold(p.Name, PropPeerAddress)) {
			continue
		}
		md = append(md, zmtp.Property{Name: p.Name, Value: bytes.Clone(p.Value)})
	}
	return md
}

func ioErr(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
