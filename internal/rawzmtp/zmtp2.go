package rawzmtp

import (
	"errors"
	"fmt"

	"github.com/purezmq/zmq/zmtp"
)

// Greet2 plays a ZMTP 2.0 peer's greeting (RFC 15) one step at a time, as libzmq 3.x did: the
// signature; after the other side's, the revision and socket type; after those, the identity
// frame. It returns the other side's socket-type byte and identity. The other side's revision
// must be 1 or more: a 3.x peer that downgrades sends its own major version, 3.
func (p *Peer) Greet2(socketType byte, identity []byte) (peerType byte, peerID []byte, err error) {
	if err := p.Write([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f}); err != nil {
		return 0, nil, err
	}
	sig := make([]byte, 10)
	if err := p.readFull(sig); err != nil {
		return 0, nil, err
	}
	if sig[0] != 0xff || sig[9]&1 == 0 {
		return 0, nil, fmt.Errorf("rawzmtp: signature %x is not versioned", sig)
	}
	if err := p.Write([]byte{zmtp.Revision2, socketType}); err != nil {
		return 0, nil, err
	}
	rt := make([]byte, 2)
	if err := p.readFull(rt); err != nil {
		return 0, nil, err
	}
	if rt[0] < zmtp.Revision2 {
		return 0, nil, fmt.Errorf("rawzmtp: revision %d", rt[0])
	}
	if err := p.WriteFrame(0, identity); err != nil {
		return 0, nil, err
	}
	flags, id, err := p.ReadFrame()
	if err != nil {
		return 0, nil, err
	}
	if flags != 0 {
		return 0, nil, fmt.Errorf("rawzmtp: identity frame with flags %#x", flags)
	}
	return rt[1], id, nil
}

// WriteMessage writes one message, MORE on every frame but the last.
func (p *Peer) WriteMessage(frames ...[]byte) error {
	var b []byte
	for i, f := range frames {
		var flags byte
		if i < len(frames)-1 {
			flags = zmtp.FlagMore
		}
		b = zmtp.AppendFrame(b, flags, f)
	}
	return p.Write(b)
}

// ReadMessage reads one message; a command frame, which ZMTP 2.0 does not have, is an error.
func (p *Peer) ReadMessage() ([][]byte, error) {
	var m [][]byte
	for {
		flags, body, err := p.ReadFrame()
		if err != nil {
			return m, err
		}
		if flags&zmtp.FlagCommand != 0 {
			return m, errors.New("rawzmtp: a command frame where a message frame belongs")
		}
		m = append(m, body)
		if flags&zmtp.FlagMore == 0 {
			return m, nil
		}
	}
}
