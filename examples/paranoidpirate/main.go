// Command paranoidpirate is the guide's paranoid pirate: simple pirate's load-balancing queue
// with heartbeats both ways. The queue drops workers it has not heard from for a few
// heartbeats; a worker that has not heard from the queue for as long closes its socket and
// reconnects, waiting longer after each try. Clients are lazy pirate's.
//
//	go run ./examples/paranoidpirate queue -frontend 'tcp://*:5555' -backend 'tcp://*:5556'
//	go run ./examples/paranoidpirate worker -connect tcp://127.0.0.1:5556
//	go run ./examples/paranoidpirate client -connect tcp://127.0.0.1:5555 -n 10
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "paranoidpirate:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: paranoidpirate queue|worker|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	var hb heartbeat
	if args[0] != "client" {
		fs.DurationVar(&hb.interval, "heartbeat", time.Second, "time between heartbeats")
		fs.IntVar(&hb.liveness, "liveness", 3, "heartbeats missed before the peer counts as dead")
	}
	switch args[0] {
	case "queue":
		frontend := fs.String("frontend", "tcp://*:5555", "where clients connect")
		backend := fs.String("backend", "tcp://*:5556", "where workers connect")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return queue(ctx, *frontend, *backend, hb, out)
	case "worker":
		endpoint := fs.String("connect", "tcp://127.0.0.1:5556", "the queue's backend")
		id := fs.String("id", fmt.Sprintf("%04X-%04X", rand.IntN(1<<16), rand.IntN(1<<16)), "the worker's routing id")
		crash := fs.Int("crash", 0, "answer this many requests, then crash on the next (0: never)")
		var bo backoff
		fs.DurationVar(&bo.initial, "reconnect", time.Second, "wait before the first reconnect")
		fs.DurationVar(&bo.max, "reconnect-max", 32*time.Second, "longest wait between reconnects")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return worker(ctx, *endpoint, *id, hb, bo, *crash, out)
	case "client":
		endpoint := fs.String("connect", "tcp://127.0.0.1:5555", "the queue's frontend")
		n := fs.Int("n", 10, "requests the client sends")
		var p retry
		fs.DurationVar(&p.Timeout, "timeout", 2500*time.Millisecond, "how long to wait for each reply")
		fs.IntVar(&p.Retries, "retries", 3, "tries per request before the client gives up")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return client(ctx, *endpoint, *n, p, out)
	}
	return fmt.Errorf("unknown role %q: want queue, worker or client", args[0])
}
