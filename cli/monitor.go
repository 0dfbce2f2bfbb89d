package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/spf13/cobra"
)

type monitorFlags struct {
	typ     string
	bind    bool
	count   int
	until   []string
	timeout time.Duration
	format  string
	socket  socketFlags // options and security; the endpoints are the arguments
}

func newMonitorCmd() *cobra.Command {
	var f monitorFlags
	cmd := &cobra.Command{
		Use:   "monitor ENDPOINT...",
		Short: "connect (or bind) a socket and print its monitor events as they happen",
		Long: "monitor opens one socket of type -t, connects it to each ENDPOINT (or binds it there " +
			"with --bind), and prints every event the socket reports, one line each: time, event " +
			"(libzmq's ZMQ_EVENT_ names), endpoint, then peer=ADDRESS, value=N (libzmq's: " +
			"CONNECT_RETRIED's interval in ms, HANDSHAKE_FAILED_AUTH's ZAP status, " +
			"HANDSHAKE_FAILED_PROTOCOL's error code), error=\"...\" and dropped=N where they apply. " +
			"--format json prints one JSON object a line with the same fields.\n\n" +
			"It is for \"why does my client not connect\": the type must suit the peer (DEALER suits " +
			"a ROUTER or REP server, SUB a PUB, PULL a PUSH, ...); a mismatch shows as a failed " +
			"handshake or a disconnect. With -o and the PLAIN or CURVE flags it makes the connection " +
			"a real client would, so a wrong key or password shows as the event it causes.\n\n" +
			"The socket never sends and never reads. A SUB subscribes to nothing (unless -o " +
			"SUBSCRIBE=... says so), so a publisher sends it nothing. But a peer that deals messages " +
			"out round-robin (PUSH, a DEALER that sends) counts it as one more worker: the messages " +
			"it gets stay unread, up to the high-water marks, and are lost when monitor exits, as " +
			"they would be with any worker that stops. Do not monitor such a peer in production " +
			"with -t PULL or DEALER unless losing those messages is acceptable.\n\n" +
			"It runs until -n events were printed, an --until event was seen (exit 0), --timeout " +
			"passed (exit 1 if -n or --until was not reached, else 0), or SIGINT/SIGTERM (exit 0).",
		Example: "  zmq monitor tcp://127.0.0.1:5555\n" +
			"  zmq monitor --until HANDSHAKE_SUCCEEDED --timeout 5s tcp://server:5555\n" +
			"  zmq monitor -t SUB --curve-serverkey 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7' tcp://server:5556\n" +
			"  zmq monitor --bind -t ROUTER --format json tcp://*:5555",
		Args: positional(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMonitor(cmd.Context(), args, &f, cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.typ, "type", "t", "DEALER", "socket TYPE; it must suit the peer (e.g. DEALER for ROUTER or REP, SUB for PUB, PULL for PUSH)")
	fs.BoolVar(&f.bind, "bind", false, "bind to the endpoints instead of connecting")
	fs.IntVarP(&f.count, "count", "n", 0, "exit after COUNT events (0: no limit)")
	fs.StringSliceVar(&f.until, "until", nil, "exit 0 when EVENT is seen, e.g. HANDSHAKE_SUCCEEDED (comma-separated or repeated: any of them)")
	fs.DurationVar(&f.timeout, "timeout", 0, "give up after DURATION: exit 1 if -n or --until was not reached (0: never)")
	fs.StringVar(&f.format, "format", "text", "output format: text or json (one object a line)")
	fs.StringArrayVarP(&f.socket.options, "option", "o", nil, "socket option NAME=VALUE by libzmq name (repeatable), e.g. -o RECONNECT_IVL=1s")
	f.socket.security.register(fs)
	return cmd
}

// Monitor runs `zmq monitor`: a socket's events, printed as they happen.
func Monitor(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return execute(ctx, newMonitorCmd(), args, stdin, stdout, stderr)
}

func runMonitor(ctx context.Context, args []string, f *monitorFlags, stdout io.Writer) (err error) {
	typ, err := parseType(f.typ)
	if err != nil {
		return err
	}
	until, err := parseEventNames(f.until)
	if err != nil {
		return err
	}
	format := formatEvent
	switch strings.ToLower(f.format) {
	case "text":
	case "json":
		format = formatEventJSON
	default:
		return usagef("--format %q: want text or json", f.format)
	}
	if f.count < 0 || f.timeout < 0 {
		return usagef("-n and --timeout cannot be negative")
	}
	sf := f.socket
	if f.bind {
		sf.binds = args
	} else {
		sf.connects = args
	}

	se := newSession()
	defer func() { err = errors.Join(err, se.close()) }()
	s, err := se.zc.NewSocket(typ)
	if err != nil {
		return err
	}
	// Watch before binding or connecting, so that the first events are seen too.
	events, stop := s.Monitor(zmq.EventAll)
	defer stop()
	if err := sf.setup(se, s); err != nil {
		return err
	}
	var expired <-chan time.Time
	if f.timeout > 0 {
		t := time.NewTimer(f.timeout)
		defer t.Stop()
		expired = t.C
	}
	for n := 0; ; {
		select {
		case <-ctx.Done():
			return nil
		case <-expired:
			if until != 0 {
				return fmt.Errorf("%w: %v not seen in %v", ErrTimeout, until, f.timeout)
			}
			if f.count > 0 {
				return fmt.Errorf("%w: %d of %d events seen in %v", ErrTimeout, n, f.count, f.timeout)
			}
			return nil
		case e := <-events:
			if e.Type == zmq.EventMonitorStopped {
				return errors.New("the socket closed")
			}
			if _, err := fmt.Fprintln(stdout, format(time.Now(), e)); err != nil {
				return err
			}
			n++
			if e.Type&until != 0 || n == f.count {
				return nil
			}
		}
	}
}
