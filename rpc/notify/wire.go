package notify

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// The wire, rpc/WIRE.md "Notifications": the rpc header (20 bytes) with kinds 10–12.
const (
	wireVersion = 1
	headerLen   = 20
	codecJSON   = 1
)

type kind byte

const (
	kindNotify kind = 10 // a notification (publisher → listener, notifier → hub, dispatcher → member)
	kindAck    kind = 11 // member → dispatcher: done with a delivery
	kindReady  kind = 12 // member → dispatcher: join / heartbeat / leave; dispatcher → member and publisher → listener: welcome
)

// ACK statuses.
const (
	statusHandled byte = 0
	statusRequeue byte = 1
)

// READY statuses (member → dispatcher).
const (
	statusJoin  byte = 0 // join, or still here: id is the member's credit (0: paused)
	statusLeave byte = 1 // leaving: what it has not acknowledged goes to other members
)

// header is the first frame (after the topic, on PUB/SUB).
type header struct {
	kind   kind
	status byte
	id     uint64 // NOTIFY: sequence (PUB/SUB) or delivery tag (pool); ACK: the tag; READY: credit
	aux    uint64 // NOTIFY on PUB/SUB: the publisher's stream id; otherwise 0
}

func (h header) marshal() []byte {
	b := make([]byte, headerLen)
	b[0], b[1], b[2], b[3] = wireVersion, byte(h.kind), codecJSON, h.status
	binary.BigEndian.PutUint64(b[4:], h.id)
	binary.BigEndian.PutUint64(b[12:], h.aux)
	return b
}

func parseHeader(b []byte) (header, error) {
	if len(b) != headerLen {
		return header{}, malformed("header of %d bytes, want %d", len(b), headerLen)
	}
	if b[0] != wireVersion {
		return header{}, malformed("version %d", b[0])
	}
	h := header{kind: kind(b[1]), status: b[3], id: binary.BigEndian.Uint64(b[4:]), aux: binary.BigEndian.Uint64(b[12:])}
	if h.kind < kindNotify || h.kind > kindReady {
		return header{}, malformed("kind %d", b[1])
	}
	if b[2] != codecJSON {
		return header{}, malformed("codec %d", b[2])
	}
	switch {
	case h.kind == kindNotify && h.status != 0,
		h.kind == kindAck && h.status > statusRequeue,
		h.kind == kindReady && h.status > statusLeave:
		return header{}, malformed("kind %d with status %d", h.kind, h.status)
	}
	return h, nil
}

// welcomePrefix starts the topics of handshakes: no notification topic starts with a zero byte.
const welcomePrefix = "\x00notify.welcome."

func isWelcome(topic []byte) bool {
	return len(topic) > len(welcomePrefix) && len(topic) <= maxName && strings.HasPrefix(string(topic), welcomePrefix)
}

// welcomeMsg answers a welcome subscription on an XPUB: [topic, READY header, empty].
func welcomeMsg(topic []byte) [][]byte {
	return [][]byte{append([]byte(nil), topic...), header{kind: kindReady}.marshal(), nil}
}

// ready is a member's READY: its pool, credit and the topics it takes.
type ready struct {
	leave  bool
	credit uint64
	pool   string
	topics []string
}

// maxTopics bounds a READY's topics (a member takes at most a few topics × 7 priorities).
const maxTopics = 1024

func (r *ready) frames() [][]byte {
	st := statusJoin
	if r.leave {
		st = statusLeave
	}
	f := [][]byte{header{kind: kindReady, status: st, id: r.credit}.marshal(), []byte(r.pool)}
	for _, t := range r.topics {
		f = append(f, []byte(t))
	}
	return f
}

func parseReady(h header, rest [][]byte) (ready, error) {
	if len(rest) < 1 || len(rest) > 1+maxTopics {
		return ready{}, malformed("READY with %d frames", len(rest)+1)
	}
	r := ready{leave: h.status == statusLeave, credit: h.id, pool: string(rest[0])}
	if err := checkName("pool", r.pool); err != nil {
		return ready{}, malformed("%v", err)
	}
	if !r.leave && (r.credit > maxCredit || len(rest) < 2) {
		return ready{}, malformed("READY with credit %d and %d topics", r.credit, len(rest)-1)
	}
	for _, t := range rest[1:] {
		if len(t) == 0 || len(t) > maxName || !utf8.Valid(t) {
			return ready{}, malformed("READY topic of %d bytes", len(t))
		}
		r.topics = append(r.topics, string(t))
	}
	return r, nil
}

// maxCredit bounds a member's credit, so that a peer cannot make a dispatcher hold more for it
// than its queue.
const maxCredit = 4096
