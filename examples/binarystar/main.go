// Command binarystar is the guide's Binary Star pattern: a primary and a backup server, of
// which one serves clients at a time. They tell each other their state over PUB/SUB every
// heartbeat; a client that gets no answer from one fails over to the other. The backup takes
// over only when a client asks it after the primary has fallen silent, so the pair does not
// split into two actives when only the link between them fails.
//
//	go run ./examples/binarystar primary -frontend tcp://*:5001 -statepub tcp://*:5003 -statesub tcp://127.0.0.1:5004
//	go run ./examples/binarystar backup -frontend tcp://*:5002 -statepub tcp://*:5004 -statesub tcp://127.0.0.1:5003
//	go run ./examples/binarystar client -servers tcp://127.0.0.1:5001,tcp://127.0.0.1:5002
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "binarystar:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: binarystar primary|backup|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	// The guide's ports: the primary on 5001 and 5003, the backup on 5002 and 5004.
	eps := serverEndpoints{"tcp://*:5001", "tcp://*:5003", "tcp://127.0.0.1:5004"}
	if args[0] == "backup" {
		eps = serverEndpoints{"tcp://*:5002", "tcp://*:5004", "tcp://127.0.0.1:5003"}
	}
	fs.StringVar(&eps.frontend, "frontend", eps.frontend, "where the server binds for clients")
	fs.StringVar(&eps.statepub, "statepub", eps.statepub, "where the server publishes its state")
	fs.StringVar(&eps.statesub, "statesub", eps.statesub, "the peer's state publisher")
	heartbeat := fs.Duration("heartbeat", time.Second, "how often the servers publish their state")
	servers := fs.String("servers", "tcp://127.0.0.1:5001,tcp://127.0.0.1:5002", "the client's servers, primary first")
	timeout := fs.Duration("timeout", 3*time.Second, "how long the client waits for a reply (over two heartbeats)")
	ivl := fs.Duration("ivl", time.Second, "the client's pause between requests")
	tries := fs.Int("tries", 5, "attempts at one request before the client gives up")
	n := fs.Int("n", 0, "requests the client sends (0: until stopped)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "primary":
		return server(ctx, statePrimary, eps, *heartbeat, out)
	case "backup":
		return server(ctx, stateBackup, eps, *heartbeat, out)
	case "client":
		return client(ctx, strings.Split(*servers, ","), *timeout, *ivl, *tries, *n, out)
	}
	return fmt.Errorf("unknown role %q: want primary, backup or client", args[0])
}
