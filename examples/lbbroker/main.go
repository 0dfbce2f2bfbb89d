// Command lbbroker is the guide's load-balancing broker: REQ clients and REQ workers connect
// to a broker that binds a ROUTER for each. A worker says READY when it starts and after each
// reply; the broker keeps the ready workers in a queue and gives each request to the one that
// has been ready longest, so no request waits behind a busy worker while another is idle.
//
//	go run ./examples/lbbroker broker -frontend tcp://*:5672 -backend tcp://*:5673
//	go run ./examples/lbbroker worker -connect tcp://127.0.0.1:5673 -name w1
//	go run ./examples/lbbroker client -connect tcp://127.0.0.1:5672 -name c1 -n 10
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
		fmt.Fprintln(os.Stderr, "lbbroker:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: lbbroker broker|worker|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	frontend := fs.String("frontend", "tcp://*:5672", "where the broker binds for clients")
	backend := fs.String("backend", "tcp://*:5673", "where the broker binds for workers")
	connect := fs.String("connect", "", "where a client or worker connects (default: the broker's frontend or backend on 127.0.0.1)")
	name := fs.String("name", fmt.Sprint(args[0], "-", os.Getpid()), "the client's or worker's routing id")
	n := fs.Int("n", 10, "requests the client sends")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "broker":
		return broker(ctx, *frontend, *backend, out)
	case "worker":
		return worker(ctx, cmp.Or(*connect, "tcp://127.0.0.1:5673"), *name, out)
	case "client":
		return client(ctx, cmp.Or(*connect, "tcp://127.0.0.1:5672"), *name, *n, out)
	}
	return fmt.Errorf("unknown role %q: want broker, worker or client", args[0])
}
