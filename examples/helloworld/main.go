// Command helloworld is the guide's first pattern, request-reply: a REP server answers each
// "Hello" with "World", and a REQ client sends its requests one at a time, each waiting for its
// reply.
//
//	go run ./examples/helloworld server -bind tcp://*:5555
//	go run ./examples/helloworld client -connect tcp://127.0.0.1:5555 -n 10
package main

import (
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
		fmt.Fprintln(os.Stderr, "helloworld:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: helloworld server|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	endpoint := fs.String("bind", "tcp://*:5555", "where the server binds")
	n := fs.Int("n", 10, "requests the client sends")
	if args[0] == "client" {
		endpoint = fs.String("connect", "tcp://127.0.0.1:5555", "where the client connects")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "server":
		return server(ctx, *endpoint, out)
	case "client":
		return client(ctx, *endpoint, *n, out)
	}
	return fmt.Errorf("unknown role %q: want server or client", args[0])
}
