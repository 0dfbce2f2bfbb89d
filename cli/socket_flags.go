package cli

import (
	"errors"
	"strconv"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/spf13/pflag"
)

// socketTypes are the types by libzmq name, as -t takes them (in any case).
var socketTypes = map[string]zmq.Type{
	"PAIR": zmq.PAIR, "PUB": zmq.PUB, "SUB": zmq.SUB, "REQ": zmq.REQ, "REP": zmq.REP,
	"DEALER": zmq.DEALER, "ROUTER": zmq.ROUTER, "PULL": zmq.PULL, "PUSH": zmq.PUSH,
	"XPUB": zmq.XPUB, "XSUB": zmq.XSUB, "STREAM": zmq.STREAM,
}

// parseType reads a socket type name: "push", "PUSH" or "ZMQ_PUSH".
func parseType(name string) (zmq.Type, error) {
	t, ok := socketTypes[strings.TrimPrefix(strings.ToUpper(name), "ZMQ_")]
	if !ok {
		return 0, usagef("unknown socket type %q (want one of PAIR PUB SUB REQ REP DEALER ROUTER PULL PUSH XPUB XSUB STREAM)", name)
	}
	return t, nil
}

// socketFlags are the flags of a command that opens one socket: where it binds and connects,
// its options by libzmq name, and its security.
type socketFlags struct {
	binds    []string
	connects []string
	options  []string
	security securityFlags
}

// register adds the flags to fs. Commands with two sockets (proxy) use endpoint arguments and
// securityFlags alone instead.
func (f *socketFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&f.binds, "bind", "b", nil, "bind to ENDPOINT (repeatable), e.g. tcp://*:5555, ipc:///tmp/x")
	fs.StringArrayVarP(&f.connects, "connect", "c", nil, "connect to ENDPOINT (repeatable), e.g. tcp://127.0.0.1:5555")
	fs.StringArrayVarP(&f.options, "option", "o", nil, "socket option NAME=VALUE by libzmq name (repeatable), e.g. -o SNDHWM=100 -o LINGER=0")
	f.security.register(fs)
}

// setup applies the options and security to s, then binds and connects it. Bad option names or
// values are ErrUsage, and so is a malformed endpoint; one that is busy or unreachable is not.
func (f *socketFlags) setup(se *session, s *zmq.Socket) error {
	for _, kv := range f.options {
		if err := setOption(s, kv); err != nil {
			return err
		}
	}
	if err := f.security.apply(se, s); err != nil {
		return err
	}
	for _, ep := range f.binds {
		if err := s.Bind(ep); err != nil {
			return endpointError(err)
		}
	}
	for _, ep := range f.connects {
		if err := s.Connect(ep); err != nil {
			return endpointError(err)
		}
	}
	return nil
}

// endpointError: a malformed endpoint is a usage error, one that is busy or cannot be reached
// is not. The library's error already names the operation and the endpoint.
func endpointError(err error) error {
	if errors.Is(err, zmq.ErrEndpoint) || errors.Is(err, zmq.ErrTransportNotSupported) {
		return usagef("%v", err)
	}
	return err
}

// setOption applies one -o NAME=VALUE. The name is libzmq's (SNDHWM, ZMQ_SNDHWM, sndhwm, or a
// deprecated alias such as IDENTITY); an unknown one is refused. The value is tried as what it
// can be, most specific first: an integer, a duration with a unit ("250ms"), a boolean
// ("true", "false"), then text. The library decides which of those the option takes, so this
// table never repeats the option types; an option refusing them all is ErrUsage with the first
// refusal's reason.
func setOption(s *zmq.Socket, kv string) error {
	name, value, ok := strings.Cut(kv, "=")
	if !ok || name == "" {
		return usagef("-o wants NAME=VALUE, got %q", kv)
	}
	id, ok := zmq.LookupOption(name)
	if !ok {
		return usagef("-o %s: unknown socket option (libzmq names, e.g. SNDHWM, LINGER, ROUTING_ID)", name)
	}
	var first error
	for _, v := range optionValues(value) {
		err := s.SetOption(id, v)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return usagef("-o %s=%s: %v", name, value, first)
}

// optionValues lists the typed readings of an option's text, most specific first.
func optionValues(text string) []any {
	var vs []any
	if n, err := strconv.Atoi(text); err == nil {
		vs = append(vs, n)
	} else if d, err := time.ParseDuration(text); err == nil {
		vs = append(vs, d)
	} else if b, err := strconv.ParseBool(text); err == nil && !strings.ContainsAny(text, "01") {
		vs = append(vs, b)
	}
	return append(vs, text)
}
