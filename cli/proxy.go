package cli

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/spf13/cobra"
)

// proxyKinds are libzmq's devices: the frontend's and the backend's socket types.
var proxyKinds = map[string][2]zmq.Type{
	"queue":     {zmq.ROUTER, zmq.DEALER},
	"forwarder": {zmq.XSUB, zmq.XPUB},
	"streamer":  {zmq.PULL, zmq.PUSH},
}

type proxyFlags struct {
	options  []string
	frontend []string // options of the frontend only
	backend  []string // options of the backend only
	capture  string
	stats    time.Duration
}

func newProxyCmd() *cobra.Command {
	var f proxyFlags
	cmd := &cobra.Command{
		Use:   "proxy queue|forwarder|streamer FRONTEND BACKEND",
		Short: "run a proxy between two sockets, with statistics",
		Long: "proxy runs one of libzmq's devices between a frontend and a backend socket, moving " +
			"whole messages both ways where the sockets allow it:\n\n" +
			"  queue      ROUTER frontend (for REQ/DEALER clients), DEALER backend (for REP/ROUTER workers)\n" +
			"  forwarder  XSUB frontend (for publishers), XPUB backend (for subscribers); subscriptions flow upstream\n" +
			"  streamer   PULL frontend (for PUSH senders), PUSH backend (for PULL workers)\n\n" +
			"FRONTEND and BACKEND are endpoints, or comma-separated lists of them. An endpoint binds " +
			"unless prefixed, as in czmq: @ENDPOINT binds, >ENDPOINT connects (quote > for the shell).\n\n" +
			"--capture ENDPOINT adds a PUB socket, bound unless prefixed with >, that gets a copy of " +
			"every message moved, both ways. -o NAME=VALUE applies to the frontend and the backend " +
			"alike; --frontend-option and --backend-option to one of them (after -o), for an option " +
			"of one socket type (ROUTER_MANDATORY on a queue's frontend, XPUB_VERBOSE on a " +
			"forwarder's backend); the capture socket keeps the defaults. proxy has no security " +
			"flags: its sockets speak NULL.\n\n" +
			"Every --stats period (0: never) one line on stderr gives each socket's messages and bytes " +
			"received and sent. SIGINT or SIGTERM stops the proxy: it prints the final counts, then " +
			"closes the sockets, which deliver what they still hold for up to their LINGER (30s " +
			"unless -o LINGER=... says otherwise), and exits with 0. The final counts are taken as " +
			"the stop begins; a message passing at that very moment may be missing from them. A " +
			"message waiting for the other side to take it (a streamer or queue whose backend has " +
			"no peer yet) is counted once passed on; at the stop it is dropped, as libzmq's proxy " +
			"drops it when its context ends.",
		Example: "  zmq proxy streamer tcp://*:5557 tcp://*:5558\n" +
			"  zmq proxy queue tcp://*:5559 ipc:///tmp/workers --stats 1s\n" +
			"  zmq proxy forwarder '>tcp://pub-host:5556' @tcp://*:5556 --capture tcp://*:5560\n" +
			"  zmq proxy streamer @tcp://*:5557,@ipc:///tmp/in tcp://*:5558 -o SNDHWM=10000",
		Args: positional(cobra.ExactArgs(3)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProxy(cmd.Context(), args, &f, cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVarP(&f.options, "option", "o", nil, "socket option NAME=VALUE by libzmq name for both sockets (repeatable), e.g. -o SNDHWM=100")
	fs.StringArrayVar(&f.frontend, "frontend-option", nil, "socket option NAME=VALUE for the frontend only (repeatable), e.g. ROUTER_MANDATORY=1")
	fs.StringArrayVar(&f.backend, "backend-option", nil, "socket option NAME=VALUE for the backend only (repeatable), e.g. XPUB_VERBOSE=1")
	fs.StringVar(&f.capture, "capture", "", "send a copy of every message to a PUB socket bound at ENDPOINT (>ENDPOINT connects)")
	fs.DurationVar(&f.stats, "stats", 10*time.Second, "print statistics on stderr every DURATION (0: only the final counts)")
	return cmd
}

// Proxy runs `zmq proxy`: a queue, forwarder or streamer between two sockets.
func Proxy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return execute(ctx, newProxyCmd(), args, stdin, stdout, stderr)
}

// proxyPlan is a proxy command line, checked before anything is opened.
type proxyPlan struct {
	types                       [2]zmq.Type
	frontend, backend, captures []endpointSpec
}

func parseProxyArgs(args []string, f *proxyFlags) (proxyPlan, error) {
	var p proxyPlan
	types, ok := proxyKinds[strings.ToLower(args[0])]
	if !ok {
		return p, usagef("unknown proxy kind %q (want queue, forwarder or streamer)", args[0])
	}
	p.types = types
	var err error
	if p.frontend, err = parseEndpointList(args[1], true); err != nil {
		return p, err
	}
	if p.backend, err = parseEndpointList(args[2], true); err != nil {
		return p, err
	}
	if f.capture != "" {
		if p.captures, err = parseEndpointList(f.capture, true); err != nil {
			return p, err
		}
	}
	if f.stats < 0 {
		return p, usagef("--stats %v: want a positive duration, or 0 for none", f.stats)
	}
	return p, nil
}

func runProxy(ctx context.Context, args []string, f *proxyFlags, stderr io.Writer) (err error) {
	plan, err := parseProxyArgs(args, f)
	if err != nil {
		return err
	}
	se := newSession()
	defer func() { err = errors.Join(err, se.close()) }()
	open := func(role string, t zmq.Type, specs []endpointSpec, options []string) (*zmq.Socket, error) {
		s, err := se.zc.NewSocket(t)
		if err != nil {
			return nil, err
		}
		for _, kv := range options {
			if err := setOption(s, kv); err != nil {
				// Say which socket refused it: -o goes to both.
				return nil, usagef("%s (%s): %s", role, t, strings.TrimPrefix(err.Error(), ErrUsage.Error()+": "))
			}
		}
		return s, attach(s, specs)
	}
	frontend, err := open("frontend", plan.types[0], plan.frontend, append(slices.Clone(f.options), f.frontend...))
	if err != nil {
		return err
	}
	backend, err := open("backend", plan.types[1], plan.backend, append(slices.Clone(f.options), f.backend...))
	if err != nil {
		return err
	}
	var capture *zmq.Socket
	if plan.captures != nil {
		if capture, err = open("capture", zmq.PUB, plan.captures, nil); err != nil {
			return err
		}
	}
	control, client, err := controlPair(se)
	if err != nil {
		return err
	}
	return steer(ctx, f.stats, stderr, client, func(ctx context.Context) error {
		return zmq.SteerableProxy(ctx, frontend, backend, capture, control)
	})
}

// controlPair is the proxy's control socket and the end this command steers it with.
func controlPair(se *session) (control, client *zmq.Socket, err error) {
	const ep = "inproc://zmq-proxy-control" // the session's own context: no other user
	if control, err = se.zc.NewSocket(zmq.PAIR); err != nil {
		return nil, nil, err
	}
	if err = control.Bind(ep); err != nil {
		return nil, nil, err
	}
	if client, err = se.zc.NewSocket(zmq.PAIR); err != nil {
		return nil, nil, err
	}
	return control, client, client.Connect(ep)
}
