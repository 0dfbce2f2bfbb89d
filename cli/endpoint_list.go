package cli

import (
	"strings"

	zmq "github.com/purezmq/zmq"
)

// endpointSpec is one endpoint of an argument such as "@tcp://*:5555,>ipc:///tmp/x".
type endpointSpec struct {
	addr string
	bind bool
}

// parseEndpointList reads a comma-separated list of endpoints, each prefixed as in czmq: "@"
// binds, ">" connects, and no prefix does what bindByDefault says. An empty item is a usage
// error; whether the endpoint itself is well formed is Bind's and Connect's to say.
func parseEndpointList(arg string, bindByDefault bool) ([]endpointSpec, error) {
	var specs []endpointSpec
	for item := range strings.SplitSeq(arg, ",") {
		item = strings.TrimSpace(item)
		spec := endpointSpec{addr: item, bind: bindByDefault}
		switch {
		case strings.HasPrefix(item, "@"):
			spec = endpointSpec{addr: item[1:], bind: true}
		case strings.HasPrefix(item, ">"):
			spec = endpointSpec{addr: item[1:], bind: false}
		}
		if spec.addr == "" {
			return nil, usagef("empty endpoint in %q (want e.g. tcp://*:5555, @ipc:///tmp/x or >tcp://host:5555)", arg)
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// attach binds and connects s as specs say.
func attach(s *zmq.Socket, specs []endpointSpec) error {
	for _, sp := range specs {
		if sp.bind {
			if err := s.Bind(sp.addr); err != nil {
				return endpointError(err)
			}
		} else if err := s.Connect(sp.addr); err != nil {
			return endpointError(err)
		}
	}
	return nil
}
