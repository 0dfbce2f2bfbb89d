// Package cli is the zmq command-line tool as a library: Run takes the arguments and the output
// streams, so tests drive it without a subprocess. cmd/zmq is its thin main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// ErrUsage reports a command line that could not be understood; the message says why.
var ErrUsage = errors.New("usage")

type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"bench":  {"quick self-benchmark: PUSH/PULL throughput and REQ/REP latency over inproc, ipc, tcp", runBench},
	"keygen": {"make a CURVE key pair (Z85), or save it as a czmq certificate with -o", runKeygen},
}

// Run runs the zmq command named by args[0] with the rest of args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: zmq <command> [flags]\n\ncommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-8s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nRun 'zmq <command> -h' for a command's flags.\n")
	io.WriteString(w, b.String())
}
