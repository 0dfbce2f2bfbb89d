package rpc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestTargetValidateAndKey(t *testing.T) {
	for _, tc := range []struct {
		t   Target
		key string // "" when invalid
	}{
		{Target{Topic: "compute"}, "openstack/compute"},
		{Target{Exchange: "nova", Topic: "compute", Server: "host-1.example"}, "nova/compute/host-1.example"},
		{Target{Topic: "compute", Version: "2.13", Namespace: "baseapi"}, "openstack/compute"},
		{Target{Topic: "compute", Fanout: true}, "openstack/compute"},
		{Target{}, ""},
		{Target{Topic: "a/b"}, ""},
		{Target{Topic: "a b"}, ""},
		{Target{Topic: "t", Server: "x/y"}, ""},
		{Target{Topic: "t", Version: "1"}, ""},
		{Target{Topic: "t", Version: "1.x"}, ""},
		{Target{Topic: "t", Fanout: true, Server: "s"}, ""},
		{Target{Topic: string(make([]byte, 256))}, ""},
		{Target{Topic: strings.Repeat("t", 200), Server: strings.Repeat("s", 60)}, ""}, // each name fits, the key does not
	} {
		err := tc.t.Validate()
		if tc.key == "" {
			if !errors.Is(err, ErrInvalidTarget) {
				t.Errorf("%+v: Validate = %v, want ErrInvalidTarget", tc.t, err)
			}
			continue
		}
		if err != nil || tc.t.Key() != tc.key {
			t.Errorf("%+v: Validate = %v, Key = %q; want %q", tc.t, err, tc.t.Key(), tc.key)
		}
	}
}

func TestErrorMatching(t *testing.T) {
	e := newError(NotFound, "no method x")
	if !errors.Is(e, ErrNotFound) || errors.Is(e, ErrInternal) || CodeOf(fmt.Errorf("wrapped: %w", e)) != NotFound {
		t.Errorf("%v does not match as NotFound", e)
	}
	if !errors.Is(newError(DeadlineExceeded, ""), context.DeadlineExceeded) || !errors.Is(newError(Cancelled, ""), context.Canceled) {
		t.Error("the context codes do not match the context errors")
	}
	for err, want := range map[error]Code{nil: OK, context.Canceled: Cancelled, context.DeadlineExceeded: DeadlineExceeded, errors.New("x"): Internal} {
		if got := CodeOf(err); got != want {
			t.Errorf("CodeOf(%v) = %v, want %v", err, got, want)
		}
	}
	for c := OK; c <= Remote; c++ {
		if got, ok := parseCode(c.String()); !ok || got != c {
			t.Errorf("code %d: name %q parses as %v", c, c.String(), got)
		}
	}
}
