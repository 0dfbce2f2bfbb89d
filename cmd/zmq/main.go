// Command zmq is purezmq's command-line tool; see package cli for the commands. It exits with 0
// on success, 1 on a runtime failure and 2 on a usage error, with a one-line message on stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/purezmq/zmq/cli"
)

func main() {
	// The first SIGINT or SIGTERM asks the command to stop cleanly (a proxy prints its counts,
	// sockets linger to deliver); a second one kills at once, as the default handler does.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	err := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "zmq:", err)
		if errors.Is(err, cli.ErrUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
