package rpc

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	zmq "github.com/purezmq/zmq"
)

// send queues a request on cn. It waits (within ctx) only while cn is up and its queue full:
// with IMMEDIATE a DEALER whose connection dropped would wait for a reconnect that may never
// come, and a call without a deadline would hang.
func (c *clientCore) send(ctx context.Context, cn *conn, frames [][]byte) error {
	err := cn.sock.Send(c.now, zmq.NewMsg(frames...))
	if errors.Is(err, zmq.ErrAgain) && cn.state.Load() == connUp {
		err = cn.sock.Send(ctx, zmq.NewMsg(frames...))
	}
	return err
}

// ctxError is the *Error of a done ctx.
func ctxError(ctx context.Context) *Error {
	if ctx.Err() == context.Canceled {
		return newError(Cancelled, "call cancelled")
	}
	return newError(DeadlineExceeded, "deadline exceeded")
}

// withTimeout applies the client's timeout to a ctx without an earlier deadline.
func (cl *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if cl.timeout > 0 {
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > cl.timeout {
			return context.WithTimeout(ctx, cl.timeout)
		}
	}
	return ctx, func() {}
}

// request makes a request for the client's target; its timeout is what ctx has left.
func (cl *Client) request(ctx context.Context, k kind, id uint64, method string, args []byte) (request, *Error) {
	h := header{kind: k, codec: cl.codec.ID(), id: id}
	if dl, ok := ctx.Deadline(); ok {
		if h.timeout = time.Until(dl); h.timeout <= 0 {
			return request{}, newError(DeadlineExceeded, "deadline exceeded")
		}
	}
	return request{header: h, key: cl.key, namespace: cl.target.Namespace, version: cl.target.Version,
		method: method, args: args}, nil
}

// Call calls method with args on one server of the target, round robin, and decodes the
// result into reply (a pointer, or nil to drop it). The deadline is ctx's, or the client's
// timeout; cancelling ctx cancels the handler too. Errors are *Error: errors.Is against
// ErrNotFound, ErrDeadlineExceeded, ..., and errors.As to a type allowed by WithRemoteError.
func (cl *Client) Call(ctx context.Context, method string, args, reply any) error {
	if cl.target.Fanout {
		return newError(InvalidTarget, "a call cannot be fanout; cast instead")
	}
	ctx, cancel := cl.withTimeout(ctx)
	defer cancel()
	body, err := cl.codec.Marshal(args)
	if err != nil {
		return &Error{Code: Internal, Message: "encoding arguments: " + err.Error()}
	}
	ctx = cl.withCallMeta(ctx)
	return cl.retry(ctx, func() error { return cl.call(ctx, kindCall, method, body, reply) })
}

// call sends a CALL (or an acknowledged CAST) and waits for its reply.
func (cl *Client) call(ctx context.Context, k kind, method string, args []byte, out any) error {
	c := cl.core
	r, err := c.route(ctx, cl.key)
	if err != nil {
		return err
	}
	cn, err := c.pick(ctx, r)
	if err != nil {
		return err
	}
	id := c.nextID.Add(1)
	req, e := cl.request(ctx, k, id, method, args)
	if e != nil {
		return e
	}
	req.meta = callMeta(ctx)
	p := &pending{conn: cn, done: make(chan result, 1)}
	mctx, stopMonitor := cl.watchProgress(ctx, p)
	defer stopMonitor()
	if e := c.addPending(id, p); e != nil {
		return e
	}
	if err := c.send(ctx, cn, req.frames()); err != nil {
		c.takePending(id)
		if ctx.Err() != nil {
			return ctxError(ctx)
		}
		return newError(Unavailable, "sending to "+cn.endpoint+": "+err.Error())
	}
	res, ok := c.await(mctx, cn, p)
	if !ok {
		if c.takePending(id) != nil {
			// A cancellation travels (a done ctx makes the Send not wait); at the deadline the
			// server's own deadline ends the handler. A silent at-least-once call is left to run:
			// its retry finds it running, then done.
			quiet := silent(ctx, mctx)
			if ctx.Err() == context.Canceled || quiet != nil && cl.dl.mode == AtMostOnce {
				cancelReq := request{header: header{kind: kindCancel, codec: cl.codec.ID(), id: id}}
				_ = cn.sock.Send(c.now, zmq.NewMsg(cancelReq.frames()...))
			}
			if quiet != nil {
				return quiet
			}
			return ctxError(ctx)
		}
		res = <-p.done // the reply came at the same time
	}
	if res.err != nil {
		return res.err
	}
	return cl.decode(res.rep, out)
}

// decode turns a reply into the result or the call's *Error.
func (cl *Client) decode(r reply, out any) error {
	cd, _ := codecByID(r.codec)
	if cd == nil {
		cd = cl.codec
	}
	if r.status != OK {
		e := decodeError(cd, r.status, r.body)
		if build := cl.errTypes[e.Type]; build != nil && e.Code == Remote && e.Type != "" {
			e.cause = build(e.Message, e.Details)
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := cd.Unmarshal(r.body, out); err != nil {
		return &Error{Code: Internal, Message: "decoding the result: " + err.Error()}
	}
	return nil
}

// Cast sends method with args to one server of the target, round robin, or to every one for a
// fanout target, without waiting for any reply. It returns once the message is queued on the
// connection(s): NoResponders when no server is connected.
func (cl *Client) Cast(ctx context.Context, method string, args any) error {
	ctx, cancel := cl.withTimeout(ctx)
	defer cancel()
	body, err := cl.codec.Marshal(args)
	if err != nil {
		return &Error{Code: Internal, Message: "encoding arguments: " + err.Error()}
	}
	if cl.dl.mode == AtLeastOnce && cl.target.Fanout {
		return errFanoutAtLeastOnce()
	}
	ctx = cl.withCallMeta(ctx)
	if cl.ackedCast() {
		return cl.retry(ctx, func() error { return cl.call(ctx, kindCast, method, body, nil) })
	}
	return cl.retry(ctx, func() error { return cl.cast(ctx, method, body) })
}

func (cl *Client) cast(ctx context.Context, method string, args []byte) error {
	c := cl.core
	r, err := c.route(ctx, cl.key)
	if err != nil {
		return err
	}
	var conns []*conn
	if cl.target.Fanout && !c.proxied { // a proxy does the fanout
		c.refresh(ctx, r)
		conns, err = c.live(ctx, r)
	} else {
		var cn *conn
		cn, err = c.pick(ctx, r)
		conns = []*conn{cn}
	}
	if err != nil {
		return err
	}
	req, e := cl.request(ctx, kindCast, 0, method, args)
	if e != nil {
		return e
	}
	req.meta = callMeta(ctx)
	sent := 0
	var last error
	for _, cn := range conns {
		if err := c.send(ctx, cn, req.frames()); err != nil {
			last = err
			continue
		}
		sent++
	}
	switch {
	case sent > 0:
		return nil
	case ctx.Err() != nil:
		return ctxError(ctx)
	}
	return newError(Unavailable, "cast not sent: "+last.Error())
}

// retry runs f again, up to the client's retries, while it fails with Unavailable or
// NoResponders, after a jittered backoff that never passes ctx's deadline.
func (cl *Client) retry(ctx context.Context, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		if c := CodeOf(err); attempt >= cl.maxRetries() || (c != Unavailable && c != NoResponders) {
			return err
		}
		d := time.Second // at-least-once may try many times: no shift overflows
		if attempt < 7 {
			d = 10 * time.Millisecond << attempt
		}
		d = d/2 + rand.N(d/2+1)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
			return err
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
}
