package rpc

import (
	"context"
	"strings"
	"testing"
)

const (
	goodParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	goodState  = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
)

func TestTraceparentValidation(t *testing.T) {
	for _, tc := range []struct {
		name, parent string
		ok           bool
	}{
		{"valid", goodParent, true},
		{"flags 00", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true},
		{"empty", "", false},
		{"version 01", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
		{"version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
		{"upper case", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false},
		{"zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", false},
		{"zero parent id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false},
		{"short trace id", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", false},
		{"long", goodParent + "-00", false},
		{"not hex", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", false},
		{"wrong separators", "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01", false},
	} {
		ctx := ContextWithTrace(context.Background(), tc.parent, goodState)
		p, s, ok := TraceFromContext(ctx)
		if ok != tc.ok || ok && (p != tc.parent || s != goodState) {
			t.Errorf("%s: got %q %q %v", tc.name, p, s, ok)
		}
	}
	for _, tc := range []struct {
		name, state string
		keep        bool
	}{
		{"empty", "", true},
		{"two members", goodState, true},
		{"spaces", "a=1 , b=2", true},
		{"no value", "a=", false},
		{"no equals", "a", false},
		{"too long", "a=" + strings.Repeat("x", 511), false},
		{"control byte", "a=1\n", false},
		{"33 members", strings.Repeat("a=1,", 32) + "a=1", false},
	} {
		_, s, _ := TraceFromContext(ContextWithTrace(context.Background(), goodParent, tc.state))
		if (s == tc.state) != tc.keep {
			t.Errorf("tracestate %s: kept %q", tc.name, s)
		}
	}
}

// traceSeen is what a handler found in its ctx.
type traceSeen struct {
	Parent string `json:"parent"`
	State  string `json:"state"`
	OK     bool   `json:"ok"`
}

// A chain A → B → C: the trace context of A's ctx reaches C's handler through B's, whose ctx
// carries it on; an invalid one is not sent.
func TestTraceChain(t *testing.T) {
	c := startServer(t, Target{Topic: "c"}, func(s *Server) {
		_ = Handle(s, "see", func(ctx context.Context, _ struct{}) (traceSeen, error) {
			p, st, ok := TraceFromContext(ctx)
			return traceSeen{p, st, ok}, nil
		})
	})
	toC, err := NewClient(Target{Topic: "c"}, WithEndpoint(c.Endpoint()))
	if err != nil {
		t.Fatal(err)
	}
	defer toC.Close()
	b := startServer(t, Target{Topic: "b"}, func(s *Server) {
		_ = Handle(s, "relay", func(ctx context.Context, _ struct{}) (traceSeen, error) {
			var seen traceSeen
			err := toC.Call(ctx, "see", struct{}{}, &seen)
			return seen, err
		})
	})
	a, err := NewClient(Target{Topic: "b"}, WithEndpoint(b.Endpoint()))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, tc := range []struct {
		name          string
		parent, state string
		want          traceSeen
	}{
		{"valid", goodParent, goodState, traceSeen{goodParent, goodState, true}},
		{"no state", goodParent, "", traceSeen{goodParent, "", true}},
		{"invalid", "00-zz", goodState, traceSeen{}},
	} {
		var seen traceSeen
		ctx := ContextWithTrace(testCtx(t), tc.parent, tc.state)
		if err := a.Call(ctx, "relay", struct{}{}, &seen); err != nil {
			t.Fatal(err)
		}
		if seen != tc.want {
			t.Errorf("%s: C saw %+v, want %+v", tc.name, seen, tc.want)
		}
	}
	// A forged traceparent on the wire is ignored by the server.
	d := rawDealer(t, c.Endpoint())
	req := echoRequest(1, "openstack/c", "")
	req.method, req.args, req.meta = "see", []byte("{}"), map[string]string{"traceparent": "00-zz"}
	if r := rawCall(t, d, req); r.status != OK || string(r.body) != `{"parent":"","state":"","ok":false}` {
		t.Fatalf("forged traceparent: %d %s", r.status, r.body)
	}
}

// An OpenTelemetry-like propagator: inject writes what it likes (but rpc's own keys), extract
// gets every key.
func TestTracePropagator(t *testing.T) {
	type baggageKey struct{}
	extract := func(ctx context.Context, md map[string]string) context.Context {
		return context.WithValue(ctx, baggageKey{}, md["baggage"]+"|"+md["traceparent"]+"|"+md[metaIdemKey])
	}
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) {
		_ = Handle(s, "bag", func(ctx context.Context, _ struct{}) (string, error) {
			v, _ := ctx.Value(baggageKey{}).(string)
			return v, nil
		})
	}, WithTracePropagator(nil, extract))
	inject := func(ctx context.Context) map[string]string {
		v, _ := ctx.Value(baggageKey{}).(string)
		return map[string]string{"baggage": v, "traceparent": "custom", metaIdemKey: "stolen"}
	}
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()), WithTracePropagator(inject, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var got string
	if err := cl.Call(context.WithValue(testCtx(t), baggageKey{}, "k=v"), "bag", struct{}{}, &got); err != nil {
		t.Fatal(err)
	}
	if got != "k=v|custom|" {
		t.Fatalf("handler saw %q", got)
	}
}
