package rpc

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/purezmq/zmq/rpc/internal/wire"
)

// The wire format, version 1 (WIRE.md; the primitives rpc shares with its proxy are in
// internal/wire). Every message, after ZeroMQ's envelope, starts with a fixed header frame.
const (
	headerLen  = wire.HeaderLen
	maxName    = wire.MaxName
	maxTimeout = wire.MaxTimeout
)

// kind is what a message is.
type kind = wire.Kind

const (
	kindCall   = wire.Call
	kindCast   = wire.Cast
	kindCancel = wire.Cancel
	kindReply  = wire.Reply
)

// errMalformed is a message that does not follow the wire format; servers drop them.
var errMalformed = errors.New("rpc: malformed message")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// header is the first frame of every message.
type header struct {
	kind    kind
	codec   byte
	status  Code          // replies
	id      uint64        // matches a reply (and a cancel) to its call
	timeout time.Duration // requests: time left when sent; 0 = no deadline
}

func (h header) wire() wire.Header {
	return wire.Header{Kind: h.kind, Codec: h.codec, Status: byte(h.status), ID: h.id, Timeout: h.timeout}
}

func (h header) marshal() []byte { return h.wire().Marshal() }

func parseHeader(b []byte) (header, error) {
	w, err := wire.ParseHeader(b)
	if err != nil {
		return header{}, malformed("%v", err)
	}
	h := header{kind: w.Kind, codec: w.Codec, status: Code(w.Status), id: w.ID, timeout: w.Timeout}
	if h.kind < kindCall || h.kind > kindProgress {
		return header{}, malformed("kind %d", b[1])
	}
	if _, ok := codecByID(h.codec); !ok && h.kind != kindCancel {
		return header{}, malformed("codec %d", h.codec)
	}
	if int(h.status) >= len(codeNames) {
		return header{}, malformed("status %d", b[3])
	}
	return h, nil
}

// request is a CALL or CAST (or, with only its header, a CANCEL).
type request struct {
	header
	key, namespace, version, method string
	args                            []byte
	meta                            map[string]string // optional; nil when absent
}

// frames encodes r; the args slice is shared, not copied.
func (r *request) frames() [][]byte {
	h := r.header.marshal()
	if r.kind == kindCancel {
		return [][]byte{h}
	}
	f := [][]byte{h, []byte(r.key), []byte(r.namespace), []byte(r.version), []byte(r.method), r.args}
	if len(r.meta) > 0 {
		m, _ := json.Marshal(r.meta) // a map of strings always marshals
		f = append(f, m)
	}
	return f
}

// parseRequest decodes a request's frames (after the envelope). The strings are copies; args
// aliases its frame.
func parseRequest(frames [][]byte) (request, error) {
	if len(frames) == 0 {
		return request{}, malformed("no frames")
	}
	h, err := parseHeader(frames[0])
	if err != nil {
		return request{}, err
	}
	r := request{header: h}
	switch h.kind {
	case kindCancel:
		if len(frames) != 1 {
			return request{}, malformed("cancel with %d frames, want 1", len(frames))
		}
		return r, nil
	case kindCall, kindCast:
	default:
		return request{}, malformed("kind %d is not a request", h.kind)
	}
	if h.status != OK {
		return request{}, malformed("request with status %d", h.status)
	}
	if len(frames) != wire.RequestFrames && len(frames) != wire.RequestFrames+1 {
		return request{}, malformed("request with %d frames, want %d or %d", len(frames), wire.RequestFrames, wire.RequestFrames+1)
	}
	names := []*string{&r.key, &r.namespace, &r.version, &r.method}
	for i, p := range names {
		f := frames[1+i]
		if !wire.ValidName(f) {
			return request{}, malformed("frame %d: not a name of at most %d UTF-8 bytes", 1+i, maxName)
		}
		*p = string(f)
	}
	if r.key == "" || r.method == "" {
		return request{}, malformed("empty target key or method")
	}
	r.args = frames[wire.FrameArgs]
	if len(frames) > wire.FrameMeta {
		if err := json.Unmarshal(frames[wire.FrameMeta], &r.meta); err != nil {
			return request{}, malformed("metadata: %v", err)
		}
	}
	return r, nil
}

// reply is a REPLY: the result when status is OK, else an encoded errorObject.
type reply struct {
	header
	body []byte
}

func (r *reply) frames() [][]byte { return [][]byte{r.header.marshal(), r.body} }

func parseReply(frames [][]byte) (reply, error) {
	if len(frames) != 2 {
		return reply{}, malformed("reply with %d frames, want 2", len(frames))
	}
	h, err := parseHeader(frames[0])
	if err != nil {
		return reply{}, err
	}
	if h.kind != kindReply {
		return reply{}, malformed("kind %d is not a reply", h.kind)
	}
	return reply{header: h, body: frames[1]}, nil
}

// errorObject is a failed call's reply body, in the call's codec.
type errorObject = wire.ErrorObject

func encodeError(c Codec, e *Error) []byte {
	b, err := c.Marshal(errorObject{Code: e.Code.String(), Message: e.Message, Details: e.Details, Type: e.Type})
	if err != nil { // strings only: cannot happen; still say something
		return nil
	}
	return b
}

// decodeError rebuilds the *Error of a reply with status; a body that does not decode still
// gives an error of the status's code.
func decodeError(c Codec, status Code, body []byte) *Error {
	var o errorObject
	if err := c.Unmarshal(body, &o); err != nil {
		return &Error{Code: status, Message: "undecodable error from the server"}
	}
	e := &Error{Code: status, Message: o.Message, Details: o.Details, Type: o.Type}
	if c, ok := parseCode(o.Code); ok && c != status {
		e.Message = fmt.Sprintf("%s (server said %s)", e.Message, o.Code)
	}
	return e
}

// --- Delivery, progress and trace context (WIRE.md) ---

// kindProgress is a PROGRESS: the header alone, server to caller, with a CALL's id, while its
// handler runs (the call monitor).
const kindProgress = wire.Progress

// Metadata keys of delivery.
const (
	metaTraceparent = wire.MetaTraceparent
	metaTracestate  = wire.MetaTracestate
	metaIdemKey     = wire.MetaIdemKey
	metaCallMonitor = wire.MetaCallMonitor
)

// progressFrames is a PROGRESS for call id.
func progressFrames(codec byte, id uint64) []byte {
	return header{kind: kindProgress, codec: codec, id: id}.marshal()
}

// parseProgress says whether frames are a well-formed PROGRESS, and for which call.
func parseProgress(frames [][]byte) (uint64, bool) {
	if len(frames) != 1 {
		return 0, false
	}
	h, err := parseHeader(frames[0])
	if err != nil || h.kind != kindProgress || h.status != OK {
		return 0, false
	}
	return h.id, true
}

// maxIdemKey bounds an idempotency key: clients send 32 hex digits; other peers may choose
// their own, within this.
const maxIdemKey = 128

// checkIdemKey accepts 1-128 bytes of A-Z a-z 0-9 _ - . :, so that a key is safe inside a
// store's key (Redis, logs) whoever chose it.
func checkIdemKey(k string) error {
	if k == "" || len(k) > maxIdemKey {
		return malformed("idempotency key of %d bytes, want 1-%d", len(k), maxIdemKey)
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':') {
			return malformed("idempotency key: byte %#x", c)
		}
	}
	return nil
}

// parseCallMonitor reads a call-monitor value: whole milliseconds, at least minCallMonitor.
func parseCallMonitor(v string) (time.Duration, error) {
	ms, err := strconv.ParseUint(v, 10, 32)
	if err != nil || time.Duration(ms)*time.Millisecond < minCallMonitor {
		return 0, malformed("call-monitor %q: want whole milliseconds, at least %v", v, minCallMonitor)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// minCallMonitor bounds how often a server sends PROGRESS (a third of it), whatever a caller asks.
const minCallMonitor = 30 * time.Millisecond

// ---- Through a proxy (WIRE.md "Through a proxy"): kinds 6–9, between a server and a proxy's
// backend only (internal/wire says what each is).
const (
	kindReady      = wire.Ready
	kindCredit     = wire.Credit
	kindHeartbeat  = wire.Heartbeat
	kindDisconnect = wire.Disconnect
)

// fanoutSuffix ends the key of a fanout CAST a client sends to a proxy.
const fanoutSuffix = wire.FanoutSuffix
