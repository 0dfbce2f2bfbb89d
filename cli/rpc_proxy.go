package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/purezmq/zmq/rpc/proxy"
	"github.com/purezmq/zmq/rpc/registry"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
	"github.com/spf13/cobra"
)

type rpcProxyFlags struct {
	frontend, backend []string
	registry          string
	ttl               time.Duration
	metrics           string
	heartbeat         time.Duration
	misses            int
	queue             int
	queueBytes        int
	maxCalls          int
	notify            rpcNotifyFlags
	withNotify        bool // --notify or any --notify-* flag given
}

func newRPCProxyCmd() *cobra.Command {
	var f rpcProxyFlags
	cmd := &cobra.Command{
		Use:   "rpc-proxy",
		Short: "run an rpc proxy: clients and servers connect to it instead of to each other",
		Long: "rpc-proxy runs purezmq's rpc proxy (package rpc/proxy). Clients (rpc.WithProxy, or " +
			"rpc.WithProxyDiscovery with a registry) connect to its frontend; servers connect to its " +
			"backend and announce their keys and free workers. Each call goes to a server of its " +
			"target that has a free worker; when none has, it waits in a bounded queue per target " +
			"(--queue; full: ResourceExhausted; expired: DeadlineExceeded). A server silent for " +
			"--misses heartbeats is dropped and its calls in flight answered Unavailable. The proxy " +
			"keeps nothing across restarts; run several for failover.\n\n" +
			"--registry URL (zmq+redis://host:6379/0, zmq+redis+sentinel://host:26379/MASTER/0) " +
			"registers the frontends under rpc-proxy and the backends under rpc-proxy.backend, " +
			"with a lease of --ttl. --notify also runs a notification hub (package rpc/notify): " +
			"notifiers send to --notify-in, listeners subscribe at --notify-pub and pool members " +
			"take their share at --notify-pool; it registers under notify.hub/in, notify.hub/pub and " +
			"notify.hub/pool. --metrics ADDR serves Prometheus metrics (zmq_rpc_proxy_*, zmq_rpc_notify_*) at " +
			"http://ADDR/metrics. The bound endpoints are printed on stderr. SIGINT or SIGTERM " +
			"deregisters the proxy, closes it and exits with 0.",
		Example: "  zmq rpc-proxy --frontend tcp://*:5570 --backend tcp://*:5571\n" +
			"  zmq rpc-proxy --registry zmq+redis://127.0.0.1:6379/0 --metrics 127.0.0.1:9465\n" +
			"  zmq rpc-proxy --registry zmq+redis://127.0.0.1:6379/0 --notify",
		Args: positional(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.withNotify = f.notify.wanted(cmd.Flags())
			return runRPCProxy(cmd.Context(), &f, cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&f.frontend, "frontend", nil, "bind the clients' side at ENDPOINT (repeatable; default "+proxy.DefaultEndpoint+")")
	fs.StringArrayVar(&f.backend, "backend", nil, "bind the servers' side at ENDPOINT (repeatable; default "+proxy.DefaultEndpoint+")")
	fs.StringVar(&f.registry, "registry", "", "register in the Redis registry at this transport URL")
	fs.DurationVar(&f.ttl, "ttl", proxy.DefaultTTL, "registration lease")
	fs.StringVar(&f.metrics, "metrics", "", "serve Prometheus metrics at http://ADDR/metrics")
	fs.DurationVar(&f.heartbeat, "heartbeat", proxy.DefaultHeartbeat, "heartbeat interval towards the servers")
	fs.IntVar(&f.misses, "misses", proxy.DefaultMisses, "heartbeats a server may miss before it is dropped")
	fs.IntVar(&f.queue, "queue", proxy.DefaultQueue, "requests that may wait per target for a free server")
	fs.IntVar(&f.queueBytes, "queue-bytes", proxy.DefaultQueueBytes, "bytes of the requests that may wait, all targets together")
	fs.IntVar(&f.maxCalls, "max-calls", proxy.DefaultMaxCalls, "calls in flight at once")
	f.notify.add(fs)
	return cmd
}

// RPCProxy runs `zmq rpc-proxy`.
func RPCProxy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return execute(ctx, newRPCProxyCmd(), args, stdin, stdout, stderr)
}

// rpcProxyPart is one thing `zmq rpc-proxy` runs until it is stopped: Run returns once ctx has
// ended and the part has stopped (a notify.Hub, say, which starts in Run). A part that is
// already running when built (the proxy) is also an io.Closer, closed should a later part fail
// to build.
type rpcProxyPart interface {
	Run(ctx context.Context) error
}

// rpcProxyEnv is what every part of the daemon shares.
type rpcProxyEnv struct {
	registry registry.Registry     // nil without --registry
	metrics  prometheus.Registerer // nil without --metrics
	stderr   io.Writer
}

// buildRPCProxy makes the daemon's parts: the rpc proxy and, with --notify, a notification
// hub, each built from env (its registry, its Prometheus registerer). On error the parts
// already made are closed.
func buildRPCProxy(f *rpcProxyFlags, env rpcProxyEnv) (parts []rpcProxyPart, err error) {
	defer func() {
		if err != nil {
			for _, p := range parts {
				if c, ok := p.(io.Closer); ok {
					_ = c.Close()
				}
			}
			parts = nil
		}
	}()
	var m *proxy.Metrics
	if env.metrics != nil {
		m = proxy.NewMetrics(env.metrics)
	}
	p, err := proxy.New(proxy.Config{Frontend: f.frontend, Backend: f.backend, Registry: env.registry, TTL: f.ttl,
		Heartbeat: f.heartbeat, Misses: f.misses, Queue: f.queue, QueueBytes: f.queueBytes, MaxCalls: f.maxCalls, Metrics: m})
	if err != nil {
		return parts, err
	}
	parts = append(parts, p)
	for _, ep := range p.Frontends() {
		fmt.Fprintf(env.stderr, "frontend %s\n", ep)
	}
	for _, ep := range p.Backends() {
		fmt.Fprintf(env.stderr, "backend %s\n", ep)
	}
	if f.withNotify {
		h, err := newHubPart(&f.notify, f.ttl, env)
		if err != nil {
			return parts, err
		}
		parts = append(parts, h)
	}
	return parts, nil
}

func runRPCProxy(ctx context.Context, f *rpcProxyFlags, stderr io.Writer) error {
	if f.ttl <= 0 || f.heartbeat <= 0 || f.misses < 1 || f.queue < 1 || f.queueBytes < 1 || f.maxCalls < 1 ||
		f.notify.hwm < 1 || f.notify.poolQueue < 1 {
		return usagef("rpc-proxy: --ttl and --heartbeat must be positive, --misses, --queue, --queue-bytes, --max-calls, --notify-hwm and --notify-pool-queue at least 1")
	}
	env := rpcProxyEnv{stderr: stderr}
	if f.registry != "" {
		u, err := registry.ParseURL(f.registry)
		if err != nil {
			return usagef("--registry: %v", err)
		}
		if u.Scheme == registry.SchemeZMQ {
			return usagef("--registry %s: a proxy registers itself; give a Redis URL", u)
		}
		r, err := redisreg.Open(f.registry)
		if err != nil {
			return err
		}
		defer r.Close()
		env.registry = r
	}
	if f.metrics != "" {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		bound, stop, err := serveMetrics(f.metrics, reg)
		if err != nil {
			return err
		}
		defer stop()
		env.metrics = reg
		fmt.Fprintf(stderr, "metrics at http://%s/metrics\n", bound)
	}
	parts, err := buildRPCProxy(f, env)
	if err != nil {
		return err
	}
	return runParts(ctx, parts, stderr)
}

// runParts runs every part until ctx ends, or one of them fails: then the others stop too.
func runParts(ctx context.Context, parts []rpcProxyPart, stderr io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(parts))
	for _, p := range parts {
		go func() {
			err := p.Run(ctx)
			cancel()
			errs <- err
		}()
	}
	var all []error
	for range parts {
		all = append(all, <-errs)
	}
	if err := errors.Join(all...); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "rpc-proxy stopped")
	return nil
}
