package engine

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/zmtp"
)

// ErrDowngrade is a ZMTP 2.0 peer refused because this socket authenticates its peers (a
// mechanism other than NULL, or a ZAP domain): ZMTP 2.0 has no security, and libzmq 4.3
// refuses the downgrade then too. It matches ErrProtocol and ErrHandshake.
var ErrDowngrade = fmt.Errorf("%w: ZMTP 2.0 peer refused: it cannot authenticate", ErrProtocolFormat)

// handshake2 finishes the handshake with a ZMTP 2.0 peer (RFC 15), whose signature and
// revision byte are buffered, as libzmq 4.3 does: we send our socket-type byte and identity
// frame and read the peer's; the connection then speaks 3.x framing without commands, and
// subscriptions as messages. out is a buffer to encode into.
func (c *Conn) handshake2(out []byte) (*Conn, Peer, error) {
	cfg := c.cfg
	if sec := cfg.Security; sec.Name() != mechanism.Null || sec.Domain != "" {
		return nil, Peer{}, ErrDowngrade
	}
	ours, ok := zmtp.SocketTypeNumber2(cfg.SocketType)
	if !ok {
		return nil, Peer{}, fmt.Errorf("%w: %s cannot talk to a ZMTP 2.0 peer", ErrSocketType, cfg.SocketType)
	}
	if _, err := c.nc.Write(zmtp.AppendGreeting2Tail(out, ours, cfg.Identity)); err != nil {
		return nil, Peer{}, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	if err := c.fill(zmtp.Greeting2Size); err != nil {
		return nil, Peer{}, err
	}
	st := c.buffered()[zmtp.Greeting2Size-1]
	theirs, ok := zmtp.SocketType2(st)
	if !ok {
		return nil, Peer{}, fmt.Errorf("%w: ZMTP 2.0 socket type %d", ErrProtocolFormat, st)
	}
	c.consume(zmtp.Greeting2Size)
	var id []byte
	for {
		var n int
		var err error
		id, n, err = zmtp.ParseIdentity2(c.buffered())
		if errors.Is(err, zmtp.ErrNeedMore) {
			if err := c.fill(len(c.buffered()) + 1); err != nil {
				return nil, Peer{}, err
			}
			continue
		}
		if err != nil {
			return nil, Peer{}, fmt.Errorf("%w: %w", ErrProtocolFormat, err)
		}
		c.consume(n)
		break
	}
	if !zmtp.Compatible(cfg.SocketType, theirs) {
		// RFC 15: disconnect silently; there is no ERROR command to send.
		return nil, Peer{}, fmt.Errorf("%w: %s cannot talk to %q", ErrSocketType, cfg.SocketType, theirs)
	}
	c.v2 = true
	peer := Peer{
		SocketType: theirs,
		Identity:   bytes.Clone(id),
		Meta:       peerMeta(peerAddress(c.nc), mechanism.Result{}),
	}
	return c, peer, nil
}

// errCommand2 is a frame with the COMMAND bit from a ZMTP 2.0 peer, for which it is reserved.
var errCommand2 = fmt.Errorf("%w: ZMTP 2.0 frame with reserved flag bit 2", ErrProtocol)
