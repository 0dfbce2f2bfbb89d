package socket

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/zmtp"
)

// ZAP (RFC 27): a context's authentication handler is whatever socket binds this inproc
// endpoint and answers its REQ/REP protocol, so handlers written for libzmq work unchanged.
const zapEndpoint = "zeromq.zap.01"

// zapVersion is the only ZAP protocol version.
const zapVersion = "1.0"

// security returns the socket's mechanism configuration, with a way to ask the context's ZAP
// handler on the PLAIN or CURVE server side, and under NULL when a ZAP domain is set.
func (s *Socket) security(o *Options) mechanism.Config {
	sec := o.Security
	if sec.Server || sec.Name() == mechanism.Null && (sec.Domain != "" || sec.EnforceZAP) {
		sec.Authorize = s.askZAP
	}
	return sec
}

func (c *Context) zapBound() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.binds[zapEndpoint] != nil
}

// askZAP sends req to the context's ZAP handler over a REQ socket of its own and waits for the
// verdict, at most the handshake interval.
func (s *Socket) askZAP(req mechanism.ZAPRequest) (mechanism.ZAPReply, error) {
	if !s.ctx.zapBound() {
		return mechanism.ZAPReply{}, mechanism.ErrNoZAP
	}
	o := DefaultOptions()
	o.Linger = 0
	r, err := New(s.ctx, REQ, o)
	if err != nil {
		return mechanism.ZAPReply{}, err
	}
	defer r.Close()
	if err := r.Connect("inproc://" + zapEndpoint); err != nil {
		return mechanism.ZAPReply{}, err
	}
	ctx := s.base
	if s.opts().HandshakeIvl > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts().HandshakeIvl)
		defer cancel()
	}
	id := strconv.AppendUint(nil, zapRequests.Add(1), 10)
	m := [][]byte{[]byte(zapVersion), id, []byte(req.Domain), []byte(req.Address), req.Identity, []byte(req.Mechanism)}
	m = append(m, req.Credentials...)
	if err := r.Send(ctx, m); err != nil {
		return mechanism.ZAPReply{}, err
	}
	rep, _, err := r.Recv(ctx)
	if err != nil {
		return mechanism.ZAPReply{}, err
	}
	return parseZAPReply(rep, id)
}

// zapRequests numbers ZAP requests, so a reply that answers another one is seen.
var zapRequests atomic.Uint64

// parseZAPReply checks a handler's reply (version, request id, status, user id, metadata) as
// libzmq does, naming what is wrong with its protocol error code.
func parseZAPReply(rep [][]byte, id []byte) (mechanism.ZAPReply, error) {
	fail := func(code mechanism.ProtoCode, format string, args ...any) (mechanism.ZAPReply, error) {
		return mechanism.ZAPReply{}, &mechanism.ProtocolError{Code: code, Msg: "ZAP reply: " + fmt.Sprintf(format, args...)}
	}
	if len(rep) != 6 {
		return fail(mechanism.ProtoZAPMalformedReply, "%d frames, want 6", len(rep))
	}
	if string(rep[0]) != zapVersion {
		return fail(mechanism.ProtoZAPBadVersion, "version %q", rep[0])
	}
	if !bytes.Equal(rep[1], id) {
		return fail(mechanism.ProtoZAPBadRequestID, "answers request %q, not %q", rep[1], id)
	}
	status := string(rep[2])
	switch status {
	case "200", "300", "400", "500":
	default:
		return fail(mechanism.ProtoZAPInvalidStatus, "status %q", rep[2])
	}
	meta, err := zmtp.ParseMetadata(rep[5])
	if err != nil {
		return fail(mechanism.ProtoZAPInvalidMetadata, "%v", err)
	}
	return mechanism.ZAPReply{Status: status, Text: string(rep[3]), UserID: string(rep[4]), Metadata: meta}, nil
}
