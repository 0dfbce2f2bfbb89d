// Package natsd runs a nats-server (github.com/nats-io/nats-server/v2) in the process, for
// bench-compare's NATS request-reply cells: cmd/natsserver is the broker the driver starts.
package natsd

import (
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Start runs a nats-server listening on addr (host:port; port 0 picks one) with its defaults
// otherwise, no logging and no signal handlers, and returns once it takes connections.
func Start(addr string) (*server.Server, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("natsd: %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("natsd: port %q: %w", portStr, err)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	s, err := server.NewServer(&server.Options{Host: host, Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, fmt.Errorf("natsd: %w", err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, fmt.Errorf("natsd: not accepting connections on %s after 10s", addr)
	}
	return s, nil
}

// Stop shuts s down and waits until it has.
func Stop(s *server.Server) {
	s.Shutdown()
	s.WaitForShutdown()
}

// Main is cmd/natsserver: a broker on -addr that says "ready" on stderr once it takes
// connections and stops at EOF on stdin.
func Main(args []string, stdin io.Reader, stderr io.Writer) error {
	fs := flag.NewFlagSet("natsserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4222", "host:port to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := Start(*addr)
	if err != nil {
		return err
	}
	defer Stop(s)
	fmt.Fprintln(stderr, "ready")
	_, err = io.Copy(io.Discard, stdin)
	return err
}
