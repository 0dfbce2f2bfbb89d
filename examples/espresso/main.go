// Command espresso is the guide's pub/sub tracing pattern: a proxy between publishers and
// subscribers (XSUB towards the publishers, XPUB towards the subscribers) copies everything
// that passes through it to a capture socket, and prints it — the data going down and the
// subscriptions going up.
//
//	go run ./examples/espresso proxy -frontend tcp://*:6000 -backend tcp://*:6001
//	go run ./examples/espresso publisher -connect tcp://127.0.0.1:6000
//	go run ./examples/espresso subscriber -connect tcp://127.0.0.1:6001 -topics A,B -n 5
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
		fmt.Fprintln(os.Stderr, "espresso:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: espresso proxy|publisher|subscriber [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	frontend := fs.String("frontend", "tcp://*:6000", "where the proxy binds for publishers")
	backend := fs.String("backend", "tcp://*:6001", "where the proxy binds for subscribers")
	connect := fs.String("connect", "", "the proxy endpoint a publisher or subscriber connects to")
	ivl := fs.Duration("ivl", 10*time.Millisecond, "the publisher's pause between messages")
	n := fs.Int("n", 0, "messages to send or receive before ending (0: until stopped)")
	topics := fs.String("topics", "A,B", "the subscriber's topics, comma-separated")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "proxy":
		return proxy(ctx, *frontend, *backend, out)
	case "publisher":
		return publisher(ctx, *connect, *ivl, *n)
	case "subscriber":
		return subscriber(ctx, *connect, strings.Split(*topics, ","), *n, out)
	}
	return fmt.Errorf("unknown role %q: want proxy, publisher or subscriber", args[0])
}
