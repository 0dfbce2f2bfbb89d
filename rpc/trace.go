package rpc

import (
	"context"
	"strings"
)

// W3C Trace Context (https://www.w3.org/TR/trace-context/): a request carries the caller's
// traceparent and tracestate in its metadata, and the handler's ctx carries them on, so that
// the handler's own calls continue the trace. rpc only copies them; a tracer (OpenTelemetry,
// say) makes spans from them through WithTracePropagator.

type traceKey struct{}

type traceContext struct{ parent, state string }

// ContextWithTrace returns ctx carrying a W3C trace context, which the calls made with it send.
// A traceparent that is not valid (version 00: 00-<32 hex>-<16 hex>-<2 hex>, lower case, ids
// not all zero) leaves ctx as it is; a tracestate that is not valid is dropped.
func ContextWithTrace(ctx context.Context, traceparent, tracestate string) context.Context {
	if !validTraceparent(traceparent) {
		return ctx
	}
	if !validTracestate(tracestate) {
		tracestate = ""
	}
	return context.WithValue(ctx, traceKey{}, traceContext{traceparent, tracestate})
}

// TraceFromContext is the trace context of ctx, from ContextWithTrace or, in a handler, from
// the request; ok is false when it has none.
func TraceFromContext(ctx context.Context) (traceparent, tracestate string, ok bool) {
	t, ok := ctx.Value(traceKey{}).(traceContext)
	return t.parent, t.state, ok
}

// WithTracePropagator replaces how trace context goes into requests and comes out of them:
// a client calls inject with each call's ctx and sends what it returns as metadata (keys
// other than rpc's own: traceparent, tracestate, baggage, ...); a server calls extract with
// the handler's ctx and the request's metadata and gives the handler the ctx it returns. Either
// may be nil to keep the default, ContextWithTrace and TraceFromContext. For OpenTelemetry,
// with prop a propagation.TextMapPropagator:
//
//	rpc.WithTracePropagator(
//		func(ctx context.Context) map[string]string { m := propagation.MapCarrier{}; prop.Inject(ctx, m); return m },
//		func(ctx context.Context, md map[string]string) context.Context { return prop.Extract(ctx, propagation.MapCarrier(md)) })
func WithTracePropagator(inject func(context.Context) map[string]string, extract func(context.Context, map[string]string) context.Context) Option {
	return func(c *config) error {
		c.dl.inject, c.dl.extract = inject, extract
		return nil
	}
}

// traceMeta is the trace metadata of a call made with ctx; nil when none.
func (cl *Client) traceMeta(ctx context.Context) map[string]string {
	if cl.dl.inject != nil {
		m := map[string]string{}
		for k, v := range cl.dl.inject(ctx) {
			if k != metaIdemKey && k != metaCallMonitor { // rpc's own keys are not the tracer's
				m[k] = v
			}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	}
	parent, state, ok := TraceFromContext(ctx)
	if !ok {
		return nil
	}
	m := map[string]string{metaTraceparent: parent}
	if state != "" {
		m[metaTracestate] = state
	}
	return m
}

// handlerCtx is the ctx a handler gets: the job's, with the request's trace context.
func (s *Server) handlerCtx(j *job) context.Context {
	meta := j.req.meta
	if s.cfg.dl.extract != nil {
		if len(meta) == 0 {
			return &j.ctx
		}
		return s.cfg.dl.extract(&j.ctx, meta)
	}
	parent, ok := meta[metaTraceparent]
	if !ok {
		return &j.ctx
	}
	return ContextWithTrace(&j.ctx, parent, meta[metaTracestate])
}

// validTraceparent checks a version 00 traceparent.
func validTraceparent(s string) bool {
	if len(s) != 55 || s[2] != '-' || s[35] != '-' || s[52] != '-' || s[:2] != "00" {
		return false
	}
	traceID, parentID, flags := s[3:35], s[36:52], s[53:55]
	return lowerHex(traceID) && lowerHex(parentID) && lowerHex(flags) &&
		strings.Trim(traceID, "0") != "" && strings.Trim(parentID, "0") != ""
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validTracestate checks a tracestate's outline: at most 512 printable ASCII bytes, at most
// 32 list members, each key=value. Its vendors' values are theirs to judge.
func validTracestate(s string) bool {
	if len(s) > 512 {
		return false
	}
	members := 0
	for m := range strings.SplitSeq(s, ",") {
		m = strings.Trim(m, " \t")
		if m == "" {
			continue
		}
		if members++; members > 32 {
			return false
		}
		k, v, ok := strings.Cut(m, "=")
		if !ok || k == "" || v == "" {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
