// Command rrbroker is the guide's request-reply broker: REQ clients and REP workers that do
// not know each other, joined by a broker that binds a ROUTER for the clients and a DEALER for
// the workers and passes messages between them. Clients and workers can come and go; only the
// broker has a well-known address.
//
//	go run ./examples/rrbroker broker -frontend tcp://*:5559 -backend tcp://*:5560
//	go run ./examples/rrbroker worker -connect tcp://127.0.0.1:5560
//	go run ./examples/rrbroker client -connect tcp://127.0.0.1:5559 -n 10
//
// The broker is zmq.Proxy; the pollbroker role is the same broker written out as a Poller
// loop, as the guide first shows it.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rrbroker:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: rrbroker broker|pollbroker|worker|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	frontend := fs.String("frontend", "tcp://*:5559", "where the broker binds for clients")
	backend := fs.String("backend", "tcp://*:5560", "where the broker binds for workers")
	connect := fs.String("connect", "", "where a client or worker connects (default: the broker's frontend or backend on 127.0.0.1)")
	name := fs.String("name", fmt.Sprint("client-", os.Getpid()), "the client's name in its requests")
	n := fs.Int("n", 10, "requests the client sends")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "broker":
		return broker(ctx, *frontend, *backend, out)
	case "pollbroker":
		return pollBroker(ctx, *frontend, *backend, out)
	case "worker":
		return worker(ctx, cmp.Or(*connect, "tcp://127.0.0.1:5560"), out)
	case "client":
		return client(ctx, cmp.Or(*connect, "tcp://127.0.0.1:5559"), *name, *n, out)
	}
	return fmt.Errorf("unknown role %q: want broker, pollbroker, worker or client", args[0])
}
