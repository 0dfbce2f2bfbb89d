package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/purezmq/zmq/bridge"
)

type bridgeFlags struct {
	config  string
	metrics string
	check   bool
}

func newBridgeCmd() *cobra.Command {
	var f bridgeFlags
	cmd := &cobra.Command{
		Use:   "bridge --config FILE",
		Short: "move messages between ZeroMQ sockets and AMQP 0.9.1, AMQP 1.0 or STOMP brokers",
		Long: "bridge runs the routes of a YAML configuration file, each between one ZeroMQ socket " +
			"and one broker destination, one way:\n\n" +
			"  to-broker    a PULL, SUB or ROUTER socket receives; each message is published\n" +
			"  from-broker  the broker delivers from a queue or address; a PUSH, PUB or DEALER socket sends\n\n" +
			"Brokers speak amqp091 (RabbitMQ and the like), amqp10 (AMQP 1.0 brokers) or stomp " +
			"(STOMP 1.2). Frame 0 of a ZeroMQ message is the broker message's subject (AMQP 0.9.1: " +
			"the routing key) and frame 1 its body; more frames travel together in the body as " +
			"application/vnd.zeromq.multipart (see package bridge).\n\n" +
			"Delivery is at least once where ZeroMQ lets it be: a publication counts once the broker " +
			"confirmed it (a ROUTER's sender gets its answer only then), a delivery is acknowledged " +
			"once the socket took it (with peer_ack, once the DEALER's peer answered). A lost broker " +
			"connection is dialled again with backoff; what was not confirmed is published again, " +
			"what was not acknowledged the broker delivers again.\n\n" +
			"--metrics ADDR serves Prometheus metrics at http://ADDR/metrics. SIGINT or SIGTERM " +
			"stops the bridge cleanly: it stops receiving, settles what is in flight and exits 0. " +
			"--check only reads and checks the configuration.",
		Example: "  zmq bridge --config bridge.yaml\n" +
			"  zmq bridge --config bridge.yaml --metrics 127.0.0.1:9464\n" +
			"  zmq bridge --config bridge.yaml --check",
		Args: positional(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBridge(cmd.Context(), &f, cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.config, "config", "", "the routes, a YAML file (required)")
	fs.StringVar(&f.metrics, "metrics", "", "serve Prometheus metrics at http://ADDR/metrics (overrides the file's metrics)")
	fs.BoolVar(&f.check, "check", false, "check the configuration and exit")
	return cmd
}

// Bridge runs `zmq bridge`: the routes of a configuration file between ZeroMQ and brokers.
func Bridge(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return execute(ctx, newBridgeCmd(), args, stdin, stdout, stderr)
}

func runBridge(ctx context.Context, f *bridgeFlags, stderr io.Writer) error {
	if f.config == "" {
		return usagef("bridge needs --config FILE")
	}
	cfg, err := loadBridgeConfig(f.config)
	if err != nil {
		return err
	}
	routes, err := cfg.routes(bridgeProtocols)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	for i, r := range routes {
		routes[i].Logger = logger.With("route", r.Name)
		fmt.Fprintf(stderr, "route %s: %s %v (bind %v, connect %v) %s\n", r.Name, r.Direction, r.Socket.Type,
			r.Socket.Bind, r.Socket.Connect, r.Address)
	}
	if f.check {
		return nil
	}
	addr := cfg.Metrics
	if f.metrics != "" {
		addr = f.metrics
	}
	var metrics *bridge.Metrics
	if addr != "" {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		metrics = bridge.NewMetrics(reg)
		bound, stop, err := serveMetrics(addr, reg)
		if err != nil {
			return err
		}
		defer stop()
		fmt.Fprintf(stderr, "metrics at http://%s/metrics\n", bound) // the port chosen for :0
	}
	if err := bridge.Run(ctx, routes, metrics); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "bridge stopped")
	return nil
}

// serveMetrics serves reg at addr until stop; bound is the address it listens on.
func serveMetrics(addr string, reg *prometheus.Registry) (bound string, stop func(), err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l) // returns at Shutdown
	}()
	return l.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}
