package proxy

import (
	"encoding/json"
	"time"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/wire"
)

// The proxy reads only what it routes by: the header and the target key (rpc/WIRE.md, "Through
// a proxy"). The servers check the rest.

const maxKeys = 16 // keys in one READY: a server has two

// header is a message's header, and for a request whether its caller waits for a REPLY.
type header struct {
	wire.Header
	answered bool // a CALL, or a CAST asking for an acknowledgement
	idem     bool // at-least-once: it carries an idempotency key
}

// parseHeader reads a header; ok is false for anything that is not one.
func parseHeader(b []byte) (header, bool) {
	h, err := wire.ParseHeader(b)
	return header{Header: h}, err == nil
}

// retimed is a request's header with its timeout made what is left of it at now: a request
// that waited in the queue tells the server the time its caller has left, not what it had when
// it sent it. The caller checked that the deadline is after now.
func retimed(h []byte, deadline, now time.Time) []byte {
	if deadline.IsZero() {
		return h
	}
	r := append([]byte(nil), h...)
	wire.PutTimeout(r, deadline.Sub(now))
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
	if !ok || (h.Kind != wire.Call && h.Kind != wire.Cast) || h.Status != 0 || codec(h.Codec) == nil {
		return h, false
	}
	if len(f) != wire.RequestFrames && len(f) != wire.RequestFrames+1 {
		return h, false
	}
	for i := wire.FrameKey; i <= wire.FrameMethod; i++ {
		if !wire.ValidName(f[i]) {
			return h, false
		}
	}
	if len(f[wire.FrameKey]) == 0 || len(f[wire.FrameMethod]) == 0 {
		return h, false
	}
	h.answered = h.Kind == wire.Call
	if len(f) > wire.FrameMeta { // decoded only when present: the map escapes to json
		var meta map[string]string
		if json.Unmarshal(f[wire.FrameMeta], &meta) != nil {
			return h, false
		}
		// An at-least-once CAST (an id and an idempotency key) is acknowledged with a REPLY.
		h.idem = meta[wire.MetaIdemKey] != ""
		h.answered = h.answered || h.ID != 0 && h.idem
	}
	return h, true
}

// errorReply is the REPLY the proxy answers a call with itself.
func errorReply(h header, code rpc.Code, msg string) [][]byte {
	body, _ := codec(h.Codec).Marshal(wire.ErrorObject{Code: code.String(), Message: "proxy: " + msg}) // strings: cannot fail
	rh := wire.Header{Kind: wire.Reply, Codec: h.Codec, Status: byte(code), ID: h.ID}
	return [][]byte{rh.Marshal(), body}
}
