// Package cli is the zmq command-line tool as a library: every command is a function taking the
// arguments and the standard streams (Run for the whole tool, Send, Recv, ... for one command),
// so tests drive it without a subprocess. cmd/zmq is its thin main.
//
// Flags are parsed by github.com/spf13/cobra (POSIX flags through spf13/pflag: -n 5, --bind X,
// repeatable flags, generated help and shell completion), the parser kubectl, docker and gh use.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// ErrUsage reports a command line that could not be understood; the message says why. The
// zmq binary exits with 2 for it, 1 for every other failure.
var ErrUsage = errors.New("usage")

// usagef returns an ErrUsage error.
func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// commands builds each command of the tool, in the order help lists them. Every call builds
// them afresh, so concurrent Runs share no flag state.
var commands = []func() *cobra.Command{newSendCmd, newRecvCmd, newBenchCmd, newKeygenCmd, newProxyCmd, newMonitorCmd, newPerfCmd, newBridgeCmd, newRPCProxyCmd}

// Run runs the zmq command line args (without the program name), reading stdin and writing
// stdout and stderr. It returns when the command is done, or soon after ctx ends (the zmq
// binary cancels ctx on SIGINT and SIGTERM), which long-running commands treat as their normal
// stop.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return execute(ctx, newRoot(), args, stdin, stdout, stderr)
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "zmq",
		Short: "talk to any ZeroMQ peer from the shell, and measure between machines",
		Long: "zmq is purezmq's command-line tool: it sends and receives on any socket type, runs " +
			"proxies, watches a socket's monitor events, makes CURVE keys and measures links, " +
			"speaking ZMTP 3.1 to libzmq and every binding built on it.\n\n" +
			"Exit status: 0 success, 1 runtime failure (timeout, refused, I/O), 2 usage error.",
		Example: "  zmq recv -t PULL --bind tcp://127.0.0.1:5555 -n 1\n" +
			"  zmq send -t PUSH --connect tcp://127.0.0.1:5555 hello\n" +
			"  zmq keygen",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, ", "))
			}
			return usagef("%s; see zmq --help", msg)
		},
		RunE:                       func(cmd *cobra.Command, args []string) error { return cmd.Help() },
		SuggestionsMinimumDistance: 2,
	}
	for _, c := range commands {
		root.AddCommand(c())
	}
	return root
}

// execute runs cmd (the root or one command alone) with args: flag and argument errors become
// ErrUsage, nothing is printed for an error (the caller prints it once), help goes to stdout.
func execute(ctx context.Context, cmd *cobra.Command, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd.SetArgs(args)
	cmd.SetIn(stdin)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SilenceErrors = true
	cmd.SilenceUsage = true
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%s: %v; see %s --help", c.CommandPath(), err, c.CommandPath())
	})
	if ctx == nil {
		ctx = context.Background()
	}
	return cmd.ExecuteContext(ctx)
}

// positional wraps an argument check so that its failure is ErrUsage.
func positional(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usagef("%s: %v; see %s --help", cmd.CommandPath(), err, cmd.CommandPath())
		}
		return nil
	}
}

// Bench runs `zmq bench`: a quick self-benchmark printed as one table.
func Bench(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return execute(ctx, newBenchCmd(), args, stdin, stdout, stderr)
}

// Keygen runs `zmq keygen`: a CURVE key pair, printed or saved as a certificate.
func Keygen(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return execute(ctx, newKeygenCmd(), args, stdin, stdout, stderr)
}

// Perf runs `zmq perf`: libzmq's perf tools, local-thr, remote-thr, local-lat and remote-lat.
func Perf(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return execute(ctx, newPerfCmd(), args, stdin, stdout, stderr)
}
