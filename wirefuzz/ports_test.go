package wirefuzz_test

import (
	"fmt"
	"net"
	"strconv"
	"sync"

	zmq "github.com/purezmq/zmq"
)

// Listening ports are taken from a pool and given back, not picked afresh for every fixture.
// A fixture's connections end from the listening side (the hostile peer hangs up first, the
// good peer's socket closes first), which keeps a TIME_WAIT entry on the listener's port for a
// minute; a fresh ephemeral port for each of the hundreds of fixtures a second the fuzzer makes
// ran the range out in some twenty seconds (70,000 entries; "bind tcp://127.0.0.1:*: address
// already in use"). A listener may bind a port again while such entries remain (SO_REUSEADDR,
// which Go sets on listeners); when its pooled port is taken all the same, it takes a new one.
var listenPorts struct {
	mu   sync.Mutex
	free []int
}

func takePort() int {
	listenPorts.mu.Lock()
	defer listenPorts.mu.Unlock()
	n := len(listenPorts.free)
	if n == 0 {
		return 0
	}
	p := listenPorts.free[n-1]
	listenPorts.free = listenPorts.free[:n-1]
	return p
}

func givePort(p int) {
	listenPorts.mu.Lock()
	defer listenPorts.mu.Unlock()
	listenPorts.free = append(listenPorts.free, p)
}

// listenLoopback binds with bind on a loopback port of the pool, or on a new one (port 0), and
// returns the port it got; give it back (givePort) once the listener is closed.
func listenLoopback(bind func(port int) (int, error)) (int, error) {
	if p := takePort(); p != 0 {
		if got, err := bind(p); err == nil {
			return got, nil
		}
	}
	return bind(0)
}

// bindSocket binds s to a loopback tcp port of the pool; see listenLoopback.
func bindSocket(s *zmq.Socket) (int, error) {
	return listenLoopback(func(port int) (int, error) {
		ep := "tcp://127.0.0.1:*"
		if port != 0 {
			ep = fmt.Sprintf("tcp://127.0.0.1:%d", port)
		}
		if err := s.Bind(ep); err != nil {
			return 0, err
		}
		_, ps, err := net.SplitHostPort(s.LastEndpoint()[len("tcp://"):])
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(ps)
	})
}

// listenTCP opens a loopback listener on a port of the pool; see listenLoopback.
func listenTCP() (net.Listener, int, error) {
	var l net.Listener
	port, err := listenLoopback(func(port int) (int, error) {
		var err error
		l, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			return 0, err
		}
		return l.Addr().(*net.TCPAddr).Port, nil
	})
	return l, port, err
}
