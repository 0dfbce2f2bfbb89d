package wirefuzz_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"golang.org/x/crypto/nacl/box"

	zmq "github.com/purezmq/zmq"
)

// want is what a correct socket makes of the hostile traffic: the reference's own reading of
// the bytes (RFC 23/37 framing, RFC 26 MESSAGE boxes), written apart from the engine's decoder.
type want struct {
	msgs   [][][]byte // complete messages, in order
	topics [][]byte   // topics of SUBSCRIBE and CANCEL commands
	broken bool       // the stream breaks the protocol: the socket must drop it there
	open   bool       // it ends inside a frame or a message
}

// reference reads h's traffic as a socket with MAXMSGSIZE maxMsg must.
func reference(h *hostile, maxMsg int64) want {
	var w want
	b := h.traffic
	var cur [][]byte
	var msgSize uint64
	last := h.startNonce
	for len(b) > 0 {
		f := b[0]
		if f&^7 != 0 || f&5 == 5 { // reserved bits, or a command with MORE
			w.broken = true
			return w
		}
		var size uint64
		n := 2
		if f&2 != 0 {
			if len(b) < 9 {
				w.open = true
				return w
			}
			size, n = binary.BigEndian.Uint64(b[1:9]), 9
		} else if len(b) >= 2 {
			size = uint64(b[1])
		} else {
			w.open = true
			return w
		}
		// A frame on the wire may be as big as MAXMSGSIZE, a sealed one (CURVE) 33 bytes more;
		// a message counts its frames' bytes (opened, under CURVE), and 64 more for each
		// frame past its 64th.
		wireMax := uint64(maxMsg)
		if h.st.mech == mechCurve {
			wireMax += 33
		}
		over := func(size uint64) bool {
			cost := size
			if len(cur) >= 64 {
				cost += 64
			}
			return maxMsg >= 0 && msgSize+cost > uint64(maxMsg)
		}
		if size > 1<<62 || maxMsg >= 0 && size > wireMax || h.st.mech != mechCurve && f&4 == 0 && over(size) {
			w.broken = true
			return w
		}
		if uint64(len(b)-n) < size {
			w.open = true
			return w
		}
		body := b[n : n+int(size)]
		b = b[n+int(size):]
		flags := f & 5
		if h.st.mech == mechCurve {
			var ok bool
			if flags, body, ok = openMessage(h, body, &last); !ok {
				w.broken = true
				return w
			}
		}
		if flags&4 != 0 {
			name, data, ok := parseCommand(body)
			switch {
			case !ok, name == "ERROR", name == "PING" && (len(data) < 2 || len(data) > 18):
				w.broken = true
				return w
			case name == "SUBSCRIBE", name == "CANCEL":
				w.topics = append(w.topics, data)
			}
			continue
		}
		if over(uint64(len(body))) {
			w.broken = true
			return w
		}
		msgSize += uint64(len(body))
		if len(cur) >= 64 {
			msgSize += 64
		}
		cur = append(cur, body)
		if flags&1 == 0 {
			w.msgs = append(w.msgs, cur)
			cur, msgSize = nil, 0
		}
	}
	w.open = cur != nil
	return w
}

// openMessage opens a CURVE MESSAGE: its nonce must exceed the last one and its box open.
func openMessage(h *hostile, body []byte, last *uint64) (flags byte, text []byte, ok bool) {
	name, data, ok := parseCommand(body)
	if !ok || name != "MESSAGE" || len(data) < 8+17 {
		return 0, nil, false
	}
	n := binary.BigEndian.Uint64(data[:8])
	if n <= *last {
		return 0, nil, false
	}
	var nonce [24]byte
	copy(nonce[copy(nonce[:], h.prefix):], data[:8])
	text, ok = box.OpenAfterPrecomputation(nil, data[8:], &nonce, &h.shared)
	if !ok {
		return 0, nil, false
	}
	*last = n
	switch {
	case text[0]&2 != 0:
		flags = 4
	case text[0]&1 != 0:
		flags = 1
	}
	return flags, text[1:], true
}

func parseCommand(body []byte) (string, []byte, bool) {
	if len(body) == 0 || body[0] == 0 || len(body)-1 < int(body[0]) {
		return "", nil, false
	}
	name := body[1 : 1+int(body[0])]
	for _, c := range name {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return "", nil, false
		}
	}
	return string(name), body[1+len(name):], true
}

// deliverable is what the socket type hands its application out of the messages w reads.
func deliverable(typ zmq.Type, w want) [][][]byte {
	var out [][][]byte
	for _, m := range w.msgs {
		switch typ {
		case zmq.REQ, zmq.PUB, zmq.PUSH:
			// REQ takes replies only from the peer it asked; PUB and PUSH never receive.
		case zmq.REP:
			for i, f := range m {
				if len(f) == 0 {
					out = append(out, m[i+1:])
					break
				}
			}
		case zmq.XPUB:
			if len(m[0]) == 0 || m[0][0] > 1 {
				out = append(out, m) // anything but a subscription goes to the application
			}
		default:
			out = append(out, m)
		}
	}
	return out
}

// checkDeliveries checks what the socket delivered from the hostile connection (got, in order)
// against what the hostile peer sent.
func checkDeliveries(t testing.TB, fx *fixture, h *hostile, got []zmq.Msg) {
	t.Helper()
	typ := fx.st.typ
	if h.refused && len(got) > 0 {
		t.Fatalf("the socket refused the handshake, yet delivered %d messages from it: %q", len(got), got[0].Frames)
	}
	if typ == zmq.ROUTER && len(got) > 0 {
		id := got[0].Frames[0]
		for i, m := range got {
			if len(m.Frames) < 2 || len(m.Frames[0]) == 0 || !bytes.Equal(m.Frames[0], id) {
				t.Fatalf("ROUTER delivery %d has no routing id, or another one: %q", i, m.Frames)
			}
			got[i].Frames = m.Frames[1:]
		}
	}
	if !h.accepted() {
		at := 0 // where the last frame was found: the next is usually after it
		for _, m := range got {
			if typ == zmq.XPUB && len(m.Frames) == 1 && len(m.Frames[0]) > 0 && m.Frames[0][0] <= 1 {
				if !h.topicSent(m.Frames[0][1:]) {
					t.Fatalf("XPUB delivered a (un)subscription to a topic the hostile peer never sent: %q (%s)", trunc(m.Frames[0]), fx.st)
				}
				continue
			}
			for _, f := range m.Frames {
				if !h.sentWhole(f, &at) {
					t.Fatalf("delivered a frame the hostile peer never sent whole: %q (%s)", trunc(f), fx.st)
				}
			}
		}
		return
	}
	w := reference(h, fx.st.maxMsg)
	seq := deliverable(typ, w)
	i := 0
	for k, m := range got {
		if typ == zmq.XPUB && len(m.Frames) == 1 && len(m.Frames[0]) > 0 && m.Frames[0][0] <= 1 {
			if !h.subscribed(w, m.Frames[0][1:]) {
				t.Fatalf("XPUB delivered a (un)subscription the hostile peer never made: %q", trunc(m.Frames[0]))
			}
			continue
		}
		for i < len(seq) && !sameFrames(seq[i], m.Frames) {
			i++
		}
		if i == len(seq) {
			t.Fatalf("delivery %d of %d is not one the peer sent whole, in order: %d frames, first %q (reference: %d messages, broken %v, open %v) (%s)",
				k+1, len(got), len(m.Frames), trunc(first(m.Frames)), len(seq), w.broken, w.open, fx.st)
		}
		i++
	}
	// A stream that keeps the protocol to its end reaches the application whole where the type
	// delivers everything it reads.
	switch typ {
	case zmq.PULL, zmq.DEALER, zmq.ROUTER, zmq.SUB, zmq.XSUB:
		if !w.broken && !w.open && !h.broken && len(got) != len(seq) {
			t.Fatalf("a valid stream of %d messages was delivered as %d (%s)", len(seq), len(got), fx.st)
		}
	}
}

// sentWhole reports whether f is something the hostile peer put on the wire: bytes it wrote
// (no mechanism hides them), or a plaintext it sealed (CURVE). Frames come in the order they
// were sent, so the search starts where the last one was found (*at), and only a frame not
// found after it costs a search of everything.
func (h *hostile) sentWhole(f []byte, at *int) bool {
	if h.st.mech == mechCurve {
		return len(f) == 0 || h.sealed[string(f)]
	}
	if i := bytes.Index(h.written[*at:], f); i >= 0 {
		*at += i + len(f)
		return true
	}
	return bytes.Contains(h.written, f)
}

// topicSent reports whether topic is in what the hostile peer sent: in a command or a message
// frame, where a subscription's topic comes from.
func (h *hostile) topicSent(topic []byte) bool {
	if h.st.mech != mechCurve {
		return bytes.Contains(h.written, topic)
	}
	for _, p := range h.plain {
		if bytes.Contains(p, topic) {
			return true
		}
	}
	return false
}

// subscribed reports whether topic is one the hostile peer subscribed to or cancelled.
func (h *hostile) subscribed(w want, topic []byte) bool {
	for _, t := range w.topics {
		if bytes.Equal(t, topic) {
			return true
		}
	}
	for _, m := range w.msgs {
		if len(m[0]) > 0 && m[0][0] <= 1 && bytes.Equal(m[0][1:], topic) {
			return true
		}
	}
	return false
}

func sameFrames(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func first(fs [][]byte) []byte {
	if len(fs) == 0 {
		return nil
	}
	return fs[0]
}

func trunc(b []byte) []byte { return b[:min(len(b), 32)] }
