package rpc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// HandlerOption configures one method registered with Handle.
type HandlerOption func(*handlerConfig) error

type handlerConfig struct {
	namespace string
	version   string
}

// WithHandlerNamespace registers the method in namespace ns instead of the server target's.
func WithHandlerNamespace(ns string) HandlerOption {
	return func(h *handlerConfig) error { h.namespace = ns; return nil }
}

// WithHandlerVersion says which "major.minor" version of the interface the method implements,
// instead of the server target's. It serves calls asking for the same major and a minor up to
// its own (oslo's rule).
func WithHandlerVersion(v string) HandlerOption {
	return func(h *handlerConfig) error { h.version = v; return nil }
}

// invoker decodes a request's args, runs the handler and encodes its result, in the request's
// codec. It is made once per method by Handle, so dispatch needs no reflection.
type invoker func(ctx context.Context, cd Codec, args []byte) ([]byte, error)

// method is one registered version of a method.
type method struct {
	major, minor uint64
	invoke       invoker
}

// errBadArgs marks arguments that do not decode into the handler's type.
var errBadArgs = errors.New("rpc: arguments do not decode")

// Handle registers fn as method of srv, before Start. Arguments are decoded into an A and the
// result encoded from an R with the codec of each request. One method may be registered in
// several namespaces and major versions, once per (namespace, major).
func Handle[A, R any](srv *Server, name string, fn func(context.Context, A) (R, error), opts ...HandlerOption) error {
	if fn == nil {
		return fmt.Errorf("rpc: Handle %q: nil function", name)
	}
	hc := handlerConfig{namespace: srv.target.Namespace, version: srv.target.version()}
	for _, o := range opts {
		if err := o(&hc); err != nil {
			return err
		}
	}
	inv := func(ctx context.Context, cd Codec, args []byte) ([]byte, error) {
		var a A
		if err := cd.Unmarshal(args, &a); err != nil {
			return nil, fmt.Errorf("%w: %v", errBadArgs, err)
		}
		r, err := fn(ctx, a)
		if err != nil {
			return nil, err
		}
		return cd.Marshal(r)
	}
	return srv.addMethod(name, hc, inv)
}

// parseVersion splits "major.minor"; "" is 1.0.
func parseVersion(v string) (major, minor uint64, ok bool) {
	if v == "" {
		return 1, 0, true
	}
	a, b, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	major, err1 := strconv.ParseUint(a, 10, 32)
	minor, err2 := strconv.ParseUint(b, 10, 32)
	return major, minor, err1 == nil && err2 == nil
}

// methodKey is a method's name in its namespace.
type methodKey struct{ namespace, name string }

// lookup finds the version of a method that serves version v: NotFound when the namespace has
// no such method, UnsupportedVersion when none of its versions is compatible.
func lookup(methods map[methodKey][]method, namespace, name, v string) (invoker, *Error) {
	ms := methods[methodKey{namespace, name}]
	if len(ms) == 0 {
		return nil, newError(NotFound, fmt.Sprintf("no method %q in namespace %q", name, namespace))
	}
	major, minor, ok := parseVersion(v)
	if ok {
		for _, m := range ms {
			if m.major == major && minor <= m.minor {
				return m.invoke, nil
			}
		}
	}
	return nil, newError(UnsupportedVersion, fmt.Sprintf("method %q: version %q not served", name, v))
}
