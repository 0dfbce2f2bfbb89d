package proxy

import (
	"encoding/binary"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/purezmq/zmq/rpc"
)

// The proxy reads only what it routes by: the header and the target key (rpc/WIRE.md, "Through
// a proxy"). The servers check the rest.
const (
	wireVersion = 1
	headerLen   = 20
	maxName     = 255
	maxKeys     = 16 // keys in one READY: a server has two

	kindCall       = 1
	kindCast       = 2
	kindCancel     = 3
	kindReply      = 4
	kindProgress   = 5 // server → caller while a call runs (WIRE.md, "Delivery, progress and trace context")
	kindReady      = 6
	kindCredit     = 7
	kindHeartbeat  = 8
	kindDisconnect = 9

	fanoutSuffix = "/*"
	maxTimeout   = 100 * 365 * 24 * time.Hour
)

type header struct {
	kind, codec, status byte
	id                  uint64
	timeout             time.Duration
	answered            bool // a request that gets a REPLY: a CALL, or a CAST asking for an acknowledgement
}

// parseHeader reads a header; ok is false for anything that is not one.
func parseHeader(b []byte) (h header, ok bool) {
	if len(b) != headerLen || b[0] != wireVersion {
		return h, false
	}
	h = header{kind: b[1], codec: b[2], status: b[3], id: binary.BigEndian.Uint64(b[4:])}
	us := min(binary.BigEndian.Uint64(b[12:]), uint64(maxTimeout/time.Microsecond))
	h.timeout = time.Duration(us) * time.Microsecond
	return h, true
}

func (h header) marshal() []byte {
	b := make([]byte, headerLen)
	b[0], b[1], b[2], b[3] = wireVersion, h.kind, h.codec, h.status
	binary.BigEndian.PutUint64(b[4:], h.id)
	if h.timeout > 0 {
		binary.BigEndian.PutUint64(b[12:], uint64(max(h.timeout.Microseconds(), 1)))
	}
	return b
}

// retimed is a request's header with its timeout made what is left of it at now: a request
// that waited in the queue tells the server the time its caller has left, not what it had when
// it sent it. The caller checked that the deadline is after now.
func retimed(h []byte, deadline, now time.Time) []byte {
	if deadline.IsZero() {
		return h
	}
	r := append([]byte(nil), h...)
	binary.BigEndian.PutUint64(r[12:], uint64(max(deadline.Sub(now).Microseconds(), 1)))
	return r
}

// codec is the codec a request names, for the errors the proxy answers itself.
func codec(id byte) rpc.Codec {
	switch id {
	case rpc.JSON.ID():
		return rpc.JSON
	case rpc.Msgpack.ID():
		return rpc.Msgpack
	}
	return nil
}

// checkRequest reads a CALL or CAST's frames (after the client's routing id) as far as the
// proxy needs: a request it would forward but a server would drop is dropped here, so that
// the proxy never waits for a reply that cannot come.
func checkRequest(f [][]byte) (header, bool) {
	h, ok := parseHeader(f[0])
	if !ok || (h.kind != kindCall && h.kind != kindCast) || h.status != 0 || codec(h.codec) == nil {
		return h, false
	}
	if len(f) != 6 && len(f) != 7 {
		return h, false
	}
	for i := 1; i <= 4; i++ {
		if len(f[i]) > maxName || !utf8.Valid(f[i]) {
			return h, false
		}
	}
	if len(f[1]) == 0 || len(f[4]) == 0 {
		return h, false
	}
	var meta map[string]string
	if len(f) == 7 && json.Unmarshal(f[6], &meta) != nil {
		return h, false
	}
	// An at-least-once CAST (an id and an idempotency key) is acknowledged with a REPLY.
	h.answered = h.kind == kindCall || h.id != 0 && meta[metaIdemKey] != ""
	return h, true
}

// metaIdemKey is the metadata key of an at-least-once request.
const metaIdemKey = "idempotency-key"

// errorObject is rpc's error reply body (WIRE.md, REPLY).
type errorObject struct {
	Code    string `json:"code" msgpack:"code"`
	Message string `json:"message" msgpack:"message"`
}

// errorReply is the REPLY the proxy answers a call with itself.
func errorReply(h header, code rpc.Code, msg string) [][]byte {
	body, _ := codec(h.codec).Marshal(errorObject{Code: code.String(), Message: "proxy: " + msg}) // strings: cannot fail
	rh := header{kind: kindReply, codec: h.codec, status: byte(code), id: h.id}
	return [][]byte{rh.marshal(), body}
}
