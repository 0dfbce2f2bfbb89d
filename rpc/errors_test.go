package rpc

import (
	"context"
	"errors"
	"testing"
)

// quotaError is a typed error a handler returns and a client may rebuild.
type quotaError struct {
	msg   string
	limit string
}

func (e *quotaError) Error() string                    { return e.msg }
func (e *quotaError) RemoteType() string               { return "test.Quota" }
func (e *quotaError) RemoteDetails() map[string]string { return map[string]string{"limit": e.limit} }

func TestRemoteErrors(t *testing.T) {
	srv := startServer(t, Target{Topic: "t", Version: "1.3"}, func(s *Server) {
		_ = Handle(s, "quota", func(context.Context, struct{}) (int, error) {
			return 0, &quotaError{msg: "over quota", limit: "10"}
		})
		_ = Handle(s, "plain", func(context.Context, struct{}) (int, error) { return 0, errors.New("plain failure") })
		_ = Handle(s, "coded", func(context.Context, struct{}) (int, error) {
			return 0, &Error{Code: NotFound, Message: "no such volume", Details: map[string]string{"id": "v1"}}
		})
		_ = Handle(s, "panics", func(context.Context, struct{}) (int, error) { panic("boom") })
		_ = Handle(s, "v2", func(context.Context, struct{}) (int, error) { return 2, nil }, WithHandlerVersion("2.1"),
			WithHandlerNamespace("ns"))
	})
	allowed, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()),
		WithRemoteError("test.Quota", func(msg string, d map[string]string) error {
			return &quotaError{msg: msg, limit: d["limit"]}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer allowed.Close()
	ctx := testCtx(t)

	err = allowed.Call(ctx, "quota", struct{}{}, nil)
	var q *quotaError
	var e *Error
	if !errors.As(err, &q) || q.limit != "10" || q.msg != "over quota" {
		t.Errorf("allowed type not rebuilt: %#v", err)
	}
	if !errors.As(err, &e) || e.Code != Remote || e.Type != "test.Quota" || e.Details["limit"] != "10" {
		t.Errorf("remote error: %#v", err)
	}

	notAllowed, err := allowed.Prepare()
	if err != nil {
		t.Fatal(err)
	}
	notAllowed.errTypes = nil // a client that allows nothing, sharing the connections
	err = notAllowed.Call(ctx, "quota", struct{}{}, nil)
	if errors.As(err, &q) || !errors.As(err, &e) || e.Type != "test.Quota" || !errors.Is(err, ErrRemote) {
		t.Errorf("type not allowed: %#v", err)
	}

	for _, tc := range []struct {
		method string
		opts   []Option
		want   *Error
	}{
		{"plain", nil, &Error{Code: Remote, Message: "plain failure"}},
		{"coded", nil, &Error{Code: NotFound, Message: "no such volume", Details: map[string]string{"id": "v1"}}},
		{"panics", nil, &Error{Code: Internal}},
		{"nope", nil, &Error{Code: NotFound}},
		{"echo", []Option{WithVersion("1.4")}, &Error{Code: UnsupportedVersion}},
		{"echo", []Option{WithVersion("1.2")}, nil},
		{"v2", []Option{WithVersion("2.0"), WithNamespace("ns")}, nil},
		{"v2", []Option{WithVersion("2.0")}, &Error{Code: NotFound}},
		{"v2", []Option{WithVersion("1.0"), WithNamespace("ns")}, &Error{Code: UnsupportedVersion}},
		{"echo", []Option{WithServer("other")}, &Error{Code: InvalidTarget}},
	} {
		cl, err := allowed.Prepare(tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		err = cl.Call(ctx, tc.method, struct{}{}, nil)
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s %v: %v", tc.method, cl.target, err)
			}
			continue
		}
		if !errors.As(err, &e) || e.Code != tc.want.Code || (tc.want.Message != "" && e.Message != tc.want.Message) ||
			(tc.want.Details != nil && e.Details["id"] != tc.want.Details["id"]) {
			t.Errorf("%s %v: %#v, want %v", tc.method, cl.target, err, tc.want)
		}
	}
}
