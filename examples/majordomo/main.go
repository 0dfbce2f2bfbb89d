// Command majordomo is the guide's Majordomo pattern, service-oriented request-reply over the
// Majordomo Protocol MDP/0.2 (rfc.zeromq.org spec 18/MDP): a broker routes each client's
// request to a worker that registered the service it names, workers and broker heartbeat each
// other, and clients retry requests that get no reply. Package mdp holds the protocol.
//
//	go run ./examples/majordomo broker -bind tcp://*:5555
//	go run ./examples/majordomo worker -connect tcp://127.0.0.1:5555 -service echo
//	go run ./examples/majordomo client -connect tcp://127.0.0.1:5555 -service echo -n 10
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/examples/majordomo/mdp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	// Let out what the sockets still hold, a worker's DISCONNECT say, for a second at most:
	// nothing waits for lingering sockets once main returns.
	sctx, cancel := context.WithTimeout(context.Background(), time.Second)
	zmq.DefaultContext().Shutdown(sctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "majordomo:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: majordomo broker|worker|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	// Broker and workers heartbeat each other; the intervals must match.
	heartbeat := func() (*time.Duration, *int) {
		return fs.Duration("heartbeat", 2500*time.Millisecond, "heartbeat interval between broker and workers"),
			fs.Int("liveness", 3, "heartbeats missed before the peer counts as gone")
	}
	switch args[0] {
	case "broker":
		heartbeat, liveness := heartbeat()
		endpoint := fs.String("bind", "tcp://*:5555", "where the broker binds")
		ttl := fs.Duration("request-ttl", 10*time.Second, "how long a request waits for a service with no worker")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		b := mdp.Broker{Heartbeat: *heartbeat, Liveness: *liveness, RequestTTL: *ttl}
		return b.Run(ctx, *endpoint, out)
	case "worker":
		heartbeat, liveness := heartbeat()
		endpoint := fs.String("connect", "tcp://127.0.0.1:5555", "the broker")
		service := fs.String("service", "echo", "the service offered")
		reconnect := fs.Duration("reconnect", 2500*time.Millisecond, "wait before reconnecting to a lost broker")
		partials := fs.Int("partials", 0, "PARTIAL replies sent before each FINAL")
		n := fs.Int("n", 0, "requests served before exiting; 0 for no end")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		w := mdp.Worker{Endpoint: *endpoint, Service: *service, Heartbeat: *heartbeat,
			Liveness: *liveness, Reconnect: *reconnect, Max: *n, Log: out}
		return echoWorker(ctx, w, *partials, out)
	case "client":
		endpoint := fs.String("connect", "tcp://127.0.0.1:5555", "the broker")
		service := fs.String("service", "echo", "the service requested (mmi.service asks the broker whether -body's service exists)")
		body := fs.String("body", "Hello", "the request")
		n := fs.Int("n", 1, "requests sent")
		timeout := fs.Duration("timeout", 2500*time.Millisecond, "wait for each reply")
		retries := fs.Int("retries", 3, "times a request is sent again after a timeout")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return client(ctx, mdp.NewClient(*endpoint, *timeout, *retries), *service, *body, *n, out)
	}
	return fmt.Errorf("unknown role %q: want broker, worker or client", args[0])
}
