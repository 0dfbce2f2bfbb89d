package socket

import (
	"context"
	"fmt"
	"time"

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
func (s *Socket) security() mechanism.Config {
	sec := s.opts.Security
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
	if s.opts.HandshakeIvl > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.HandshakeIvl)
		defer cancel()
	}
	id := fmt.Appendf(nil, "%d", time.Now().UnixNano())
	m := [][]byte{[]byte(zapVersion), id, []byte(req.Domain), []byte(req.Address), req.Identity, []byte(req.Mechanism)}
	m = append(m, req.Credentials...)
	if err := r.Send(ctx, m); err != nil {
		return mechanism.ZAPReply{}, err
	}
	rep, _, err := r.Recv(ctx)
	if err != nil {
		return mechanism.ZAPReply{}, err
	}
	if len(rep) != 6 || string(rep[0]) != zapVersion || string(rep[1]) != string(id) {
		return mechanism.ZAPReply{}, fmt.Errorf("malformed ZAP reply (%d frames)", len(rep))
	}
	meta, err := zmtp.ParseMetadata(rep[5])
	if err != nil {
		return mechanism.ZAPReply{}, fmt.Errorf("ZAP reply metadata: %w", err)
	}
	out := mechanism.ZAPReply{Status: string(rep[2]), Text: string(rep[3]), UserID: string(rep[4]), Metadata: meta}
	switch out.Status {
	case "200", "300", "400", "500":
		return out, nil
	}
	return mechanism.ZAPReply{}, fmt.Errorf("ZAP reply status %q", out.Status)
}
