package zmq

import (
	"errors"
	"fmt"
)

// PopEnvelope splits a message a ROUTER received (or a DEALER talking to a REP) into its
// routing envelope, the frames up to and including the first empty delimiter frame, and the
// body after it; m is left holding the body. A message without a delimiter is
// ErrInvalidEnvelope, and m is left as it was.
func (m *Msg) PopEnvelope() (envelope [][]byte, err error) {
	for i, f := range m.Frames {
		if len(f) == 0 {
			envelope, m.Frames = m.Frames[:i+1:i+1], m.Frames[i+1:]
			return envelope, nil
		}
	}
	return nil, fmt.Errorf("%w: no empty delimiter frame in %d frames", ErrInvalidEnvelope, len(m.Frames))
}

// PushEnvelope puts an envelope back in front of m's frames, for the reply: as PopEnvelope
// returned it, or a routing id alone, in which case the empty delimiter is added.
func (m *Msg) PushEnvelope(envelope ...[]byte) {
	if n := len(envelope); n == 0 || len(envelope[n-1]) != 0 {
		envelope = append(envelope[:n:n], []byte{})
	}
	m.Frames = append(append(make([][]byte, 0, len(envelope)+len(m.Frames)), envelope...), m.Frames...)
}

// ErrInvalidEnvelope is a message without the empty delimiter frame that ends a routing
// envelope.
var ErrInvalidEnvelope = errors.New("zmq: message has no routing envelope")
