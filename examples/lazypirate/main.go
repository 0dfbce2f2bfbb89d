// Command lazypirate is the guide's client-side reliability for request-reply: a REQ client
// that gives each request a timeout and, when no reply comes, closes its socket, opens a new
// one and sends the request again, giving up after a number of tries. The server can be told
// to crash mid-stream, to show the client riding over a restarted server.
//
//	go run ./examples/lazypirate server -bind 'tcp://*:5555' -crash 3
//	go run ./examples/lazypirate client -connect tcp://127.0.0.1:5555 -n 10 -timeout 2.5s -retries 3
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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "lazypirate:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: lazypirate server|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	switch args[0] {
	case "server":
		endpoint := fs.String("bind", "tcp://*:5555", "where the server binds")
		crash := fs.Int("crash", 0, "answer this many requests, then crash on the next (0: never)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return server(ctx, *endpoint, *crash, out)
	case "client":
		endpoint := fs.String("connect", "tcp://127.0.0.1:5555", "where the client connects")
		n := fs.Int("n", 10, "requests the client sends")
		var p retry
		fs.DurationVar(&p.Timeout, "timeout", 2500*time.Millisecond, "how long to wait for each reply")
		fs.IntVar(&p.Retries, "retries", 3, "tries per request before the client gives up")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return client(ctx, *endpoint, *n, p, out)
	}
	return fmt.Errorf("unknown role %q: want server or client", args[0])
}
