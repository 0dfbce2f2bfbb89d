// Command titanic is the guide's Titanic pattern, disconnected reliability on top of
// Majordomo (rfc.zeromq.org spec 9/TSP): a server stores each request on disk before it
// answers, sends it to the real service whenever that service is up, and keeps the reply on
// disk until the client, polling, has it and closes the request. Client, server and service
// need never run at the same time.
//
//	go run ./examples/majordomo broker -bind tcp://*:5555
//	go run ./examples/titanic server -connect tcp://127.0.0.1:5555 -dir /tmp/titanic
//	go run ./examples/titanic client -connect tcp://127.0.0.1:5555 -service echo -body Hello
//	go run ./examples/majordomo worker -connect tcp://127.0.0.1:5555 -service echo
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
		fmt.Fprintln(os.Stderr, "titanic:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: titanic server|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	endpoint := fs.String("connect", "tcp://127.0.0.1:5555", "the Majordomo broker")
	timeout := fs.Duration("timeout", 2500*time.Millisecond, "wait for each MDP reply")
	switch args[0] {
	case "server":
		dir := fs.String("dir", ".titanic", "where requests and replies are kept")
		heartbeat := fs.Duration("heartbeat", 2500*time.Millisecond, "heartbeat interval with the broker")
		retry := fs.Duration("retry", time.Second, "pause between rounds of sending pending requests")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return server(ctx, *endpoint, *dir, serverConfig{heartbeat: *heartbeat, timeout: *timeout, retry: *retry}, out)
	case "client":
		service := fs.String("service", "echo", "the service that runs the request")
		body := fs.String("body", "Hello", "the request")
		poll := fs.Duration("poll", time.Second, "pause between asks for the reply")
		retries := fs.Int("retries", 3, "times an MDP request is sent again after a timeout")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return client(ctx, mdp.NewClient(*endpoint, *timeout, *retries), *service, *body, *poll, out)
	}
	return fmt.Errorf("unknown role %q: want server or client", args[0])
}
