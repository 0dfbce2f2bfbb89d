package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	zmq "github.com/purezmq/zmq"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// maxPerfSize bounds MESSAGE-SIZE: remote-thr and remote-lat hold one message of it.
const maxPerfSize = 256 << 20

// perfRole is one of libzmq's four perf tools, as a zmq perf subcommand.
type perfRole struct {
	name      string
	typ       zmq.Type
	bind      bool   // binds its endpoint (the local ends) rather than connecting it
	countName string // what COUNT counts, in libzmq's usage line
	curve     bool   // takes libzmq's optional ENABLE-CURVE argument (the throughput pair)
	sends     bool   // its loop sends (remote-thr); the progress line counts that side
	short     string
	long      string
	example   string
}

// perfArgs are a perf tool's positional arguments.
type perfArgs struct {
	endpoint string
	size     int
	count    int
	curve    bool
}

var perfRoles = []perfRole{
	{
		name: "local-thr", typ: zmq.PULL, bind: true, countName: "MESSAGE-COUNT", curve: true,
		short: "throughput, receiving end (libzmq's local_thr): bind a PULL socket, time the messages, print the rate",
		long: "local-thr binds a PULL socket to BIND-TO and receives MESSAGE-COUNT messages of " +
			"MESSAGE-SIZE bytes from remote-thr (ours or libzmq's), then prints local_thr's four " +
			"lines. The clock runs from the first message received to the last, and the rate is " +
			"MESSAGE-COUNT over that time, both exactly as local_thr computes them. Only the size " +
			"of each message is checked (libzmq's remote_thr sends arbitrary bytes).\n\n" +
			"With ENABLE-CURVE 1 it is a CURVE server with the fixed key libzmq's tools use, " +
			"so that remote_thr ... 1 reaches it; the --curve flags give keys of your own instead.",
		example: "  # on host A (192.0.2.1), then remote-thr on host B:\n" +
			"  zmq perf local-thr tcp://*:5555 100 1000000\n" +
			"  zmq perf remote-thr tcp://192.0.2.1:5555 100 1000000",
	},
	{
		name: "remote-thr", countName: "MESSAGE-COUNT", typ: zmq.PUSH, curve: true, sends: true,
		short: "throughput, sending end (libzmq's remote_thr): connect a PUSH socket and send the messages",
		long: "remote-thr connects a PUSH socket to CONNECT-TO, where local-thr (ours or libzmq's) " +
			"is bound, sends MESSAGE-COUNT messages of MESSAGE-SIZE bytes as fast as it can and " +
			"exits once they are delivered. It prints nothing, as remote_thr; local-thr prints the " +
			"result.\n\n" +
			"With ENABLE-CURVE 1 it is a CURVE client with the fixed keys libzmq's tools " +
			"use; the --curve flags give keys of your own instead.",
		example: "  zmq perf remote-thr tcp://192.0.2.1:5555 100 1000000\n" +
			"  zmq perf remote-thr tcp://192.0.2.1:5555 100 1000000 1   # CURVE, to local_thr ... 1",
	},
	{
		name: "local-lat", typ: zmq.REP, bind: true, countName: "ROUNDTRIP-COUNT",
		short: "latency, echoing end (libzmq's local_lat): bind a REP socket and echo the requests",
		long: "local-lat binds a REP socket to BIND-TO and sends each of ROUNDTRIP-COUNT requests " +
			"of MESSAGE-SIZE bytes back to remote-lat (ours or libzmq's), then exits. It prints " +
			"nothing, as local_lat; remote-lat prints the result.",
		example: "  # on host A (192.0.2.1), then remote-lat on host B:\n" +
			"  zmq perf local-lat tcp://*:5556 1 10000\n" +
			"  zmq perf remote-lat tcp://192.0.2.1:5556 1 10000",
	},
	{
		name: "remote-lat", typ: zmq.REQ, countName: "ROUNDTRIP-COUNT",
		short: "latency, timing end (libzmq's remote_lat): connect a REQ socket, time the round trips, print the latency",
		long: "remote-lat connects a REQ socket to CONNECT-TO, where local-lat (ours or libzmq's) " +
			"is bound, makes ROUNDTRIP-COUNT request-reply round trips of MESSAGE-SIZE bytes and " +
			"prints remote_lat's three lines. The clock starts right after connecting, so the " +
			"first round trip includes setting up the connection, as in remote_lat; the latency " +
			"printed is half the mean round trip.",
		example: "  zmq perf remote-lat tcp://192.0.2.1:5556 1 10000\n" +
			"  zmq perf remote-lat ipc:///tmp/lat 1024 100000",
	},
}

func newPerfCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "perf",
		Short: "measure throughput and latency between two machines, as libzmq's perf tools do",
		Long: "perf measures a link with libzmq's perf tools' arguments and output, so that either " +
			"end may be libzmq's own local_thr, remote_thr, local_lat or remote_lat and scripts " +
			"that read their output read ours. The tools work in pairs, one end on each machine:\n\n" +
			"  local-thr   PULL, binds:    receives the messages, prints the throughput\n" +
			"  remote-thr  PUSH, connects: sends them\n" +
			"  local-lat   REP, binds:     echoes the requests\n" +
			"  remote-lat  REQ, connects:  sends them, prints the latency\n\n" +
			"Give both ends of a pair the same MESSAGE-SIZE and count. Either end may start first: " +
			"the connecting one retries until the other is there. As in libzmq's tools, a socket " +
			"lingers until what it queued is delivered (-o LINGER=5s to bound that); an interrupt " +
			"stops at once. On a terminal, a progress line is drawn on stderr.\n\n" +
			"Over ipc, libzmq 4.3's local_thr may lose the last messages and wait forever: it " +
			"drops what it has not read when the sender hangs up while it is behind, whichever " +
			"remote-thr sends. Against it over ipc, send at most its RCVHWM (1000) messages, or use tcp.",
		Example: "  # throughput of 1,000,000 messages of 100 B from host B to host A (192.0.2.1)\n" +
			"  A$ zmq perf local-thr tcp://*:5555 100 1000000\n" +
			"  B$ zmq perf remote-thr tcp://192.0.2.1:5555 100 1000000\n\n" +
			"  # latency over 10,000 round trips of 1 B\n" +
			"  A$ zmq perf local-lat tcp://*:5556 1 10000\n" +
			"  B$ zmq perf remote-lat tcp://192.0.2.1:5556 1 10000\n\n" +
			"  # either end may be libzmq's tool\n" +
			"  A$ ./local_thr tcp://*:5555 100 1000000\n" +
			"  B$ zmq perf remote-thr tcp://192.0.2.1:5555 100 1000000",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			return usagef("unknown perf command %q (want local-thr, remote-thr, local-lat or remote-lat); see zmq perf --help", args[0])
		},
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	for _, r := range perfRoles {
		cmd.AddCommand(newPerfRoleCmd(r))
	}
	return cmd
}

func newPerfRoleCmd(r perfRole) *cobra.Command {
	var f socketFlags
	ep, extra, maxArgs := "CONNECT-TO", "", 3
	if r.bind {
		ep = "BIND-TO"
	}
	if r.curve {
		extra, maxArgs = " [ENABLE-CURVE]", 4
	}
	cmd := &cobra.Command{
		Use:     fmt.Sprintf("%s %s MESSAGE-SIZE %s%s [flags]", r.name, ep, r.countName, extra),
		Short:   r.short,
		Long:    r.long,
		Example: r.example,
		Args:    positional(cobra.RangeArgs(3, maxArgs)),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := parsePerfArgs(r, args)
			if err != nil {
				return err
			}
			if a.curve {
				if err := useLibzmqCurve(cmd.Flags(), &f.security, r.bind); err != nil {
					return err
				}
			}
			return runPerf(cmd.Context(), r, a, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	registerPerfFlags(cmd.Flags(), &f)
	return cmd
}

// registerPerfFlags adds the socket flags but --bind and --connect, as the endpoint is an
// argument in libzmq's tools.
func registerPerfFlags(fs *pflag.FlagSet, f *socketFlags) {
	all := pflag.NewFlagSet("", pflag.ContinueOnError)
	f.register(all)
	all.VisitAll(func(fl *pflag.Flag) {
		if fl.Name != "bind" && fl.Name != "connect" {
			fs.AddFlag(fl)
		}
	})
}

// parsePerfArgs reads ENDPOINT MESSAGE-SIZE COUNT [ENABLE-CURVE]. Where libzmq's atoi takes
// anything, this refuses what would measure nothing or could not be meant.
func parsePerfArgs(r perfRole, args []string) (perfArgs, error) {
	a := perfArgs{endpoint: args[0]}
	if a.endpoint == "" {
		return a, usagef("perf %s: empty endpoint", r.name)
	}
	if strings.HasPrefix(a.endpoint, "inproc://") {
		return a, usagef("perf %s: %s: inproc reaches no other process; use tcp or ipc (zmq bench measures inproc)", r.name, a.endpoint)
	}
	var err error
	if a.size, err = perfNumber(r, "MESSAGE-SIZE", args[1], 0, maxPerfSize); err != nil {
		return a, err
	}
	if a.count, err = perfNumber(r, r.countName, args[2], 1, math.MaxInt32); err != nil {
		return a, err
	}
	if len(args) > 3 {
		n, err := perfNumber(r, "ENABLE-CURVE", args[3], 0, 1)
		if err != nil {
			return a, err
		}
		a.curve = n == 1
	}
	return a, nil
}

func perfNumber(r perfRole, name, text string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(text)
	if err != nil || n < lo || n > hi {
		return 0, usagef("perf %s: %s %q: want a whole number from %d to %d", r.name, name, text, lo, hi)
	}
	return n, nil
}

// libzmq's perf tools' CURVE keys (perf/local_thr.cpp, remote_thr.cpp): fixed and public, so
// they secure nothing; ENABLE-CURVE uses them to measure CURVE's cost against those tools.
const (
	libzmqPerfServerSecret = "{X}#>t#jRGaQ}gMhv=30r(Mw+87YGs+5%kh=i@f8"
	libzmqPerfServerPublic = "DX4nh=yUn{-9ugra0X3Src4SU-4xTgqxcYY.+<SH"
	libzmqPerfClientSecret = "9R9bV}[6z6DC-%$!jTVTKvWc=LEL{4i4gzUe$@Zx"
)

// useLibzmqCurve makes f the CURVE server or client libzmq's tools are with ENABLE-CURVE,
// refusing security flags alongside.
func useLibzmqCurve(fs *pflag.FlagSet, f *securityFlags, server bool) error {
	var given error
	fs.Visit(func(fl *pflag.Flag) {
		if fl.Name != "option" && given == nil {
			given = usagef("ENABLE-CURVE and --%s are exclusive: it uses libzmq's fixed keys", fl.Name)
		}
	})
	if given != nil {
		return given
	}
	if server {
		f.curveServer, f.curveSecret = true, libzmqPerfServerSecret
	} else {
		f.curveSecret, f.curveServerKey = libzmqPerfClientSecret, libzmqPerfServerPublic
	}
	return nil
}
