// Command suicidalsnail is the guide's slow-subscriber detection: the publisher stamps each
// message with a sequence number and the time it was sent, and the subscriber, finding it has
// fallen too far behind (a message older than a limit, or messages lost to the publisher's
// high-water mark), says so and kills itself rather than process stale data silently.
//
//	go run ./examples/suicidalsnail publisher -bind tcp://*:5556 -ivl 1ms
//	go run ./examples/suicidalsnail subscriber -connect tcp://127.0.0.1:5556 -work 2ms -maxdelay 1s
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
		fmt.Fprintln(os.Stderr, "suicidalsnail:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: suicidalsnail publisher|subscriber [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	endpoint := fs.String("bind", "tcp://*:5556", "where the publisher binds")
	if args[0] == "subscriber" {
		endpoint = fs.String("connect", "tcp://127.0.0.1:5556", "where the subscriber connects")
	}
	ivl := fs.Duration("ivl", time.Millisecond, "the publisher's pause between messages")
	work := fs.Duration("work", 2*time.Millisecond, "the subscriber's (simulated) work per message")
	maxDelay := fs.Duration("maxdelay", time.Second, "how far behind the subscriber may fall")
	n := fs.Int("n", 0, "messages the subscriber processes before ending (0: until stopped)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "publisher":
		return publisher(ctx, *endpoint, *ivl, out)
	case "subscriber":
		return subscriber(ctx, *endpoint, *work, *maxDelay, *n, out)
	}
	return fmt.Errorf("unknown role %q: want publisher or subscriber", args[0])
}
