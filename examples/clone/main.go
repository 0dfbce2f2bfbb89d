// Command clone is the guide's Clone pattern, model three: a server holds a key-value map that
// clients share. A client takes a snapshot of the map (DEALER to the server's ROUTER:
// "ICANHAZ?", the entries, "KTHXBAI"), then applies the updates the server publishes (SUB to
// its PUB), each numbered so that the client skips those its snapshot already holds. A client
// changes the map by pushing an update to the server (PUSH to its PULL), which numbers it,
// applies it and publishes it to every client, the sender included — so all converge.
//
//	go run ./examples/clone server -snapshot tcp://*:5556 -updates tcp://*:5557 -collector tcp://*:5558
//	go run ./examples/clone client -snapshot tcp://127.0.0.1:5556 -updates tcp://127.0.0.1:5557 -collector tcp://127.0.0.1:5558 -n 10
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "clone:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: clone server|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	host := "tcp://*:"
	if args[0] == "client" {
		host = "tcp://127.0.0.1:"
	}
	var eps endpoints
	fs.StringVar(&eps.snapshot, "snapshot", host+"5556", "the server's snapshot endpoint (ROUTER)")
	fs.StringVar(&eps.updates, "updates", host+"5557", "the server's update endpoint (PUB)")
	fs.StringVar(&eps.collector, "collector", host+"5558", "the server's collector endpoint (PULL)")
	hugz := fs.Duration("hugz", time.Second, "how often the server publishes a heartbeat (HUGZ)")
	var cfg clientConfig
	fs.IntVar(&cfg.n, "n", 10, "updates the client sends")
	fs.DurationVar(&cfg.ivl, "ivl", time.Second, "the client's pause between its updates")
	fs.IntVar(&cfg.keys, "keys", 100, "how many different keys the client's updates use")
	fs.Uint64Var(&cfg.until, "until", 0, "sequence number at which the client prints the map and ends (0: never)")
	fs.StringVar(&cfg.name, "name", "client-"+strconv.Itoa(os.Getpid()), "the client's name, in the values it sets")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "server":
		return server(ctx, eps, *hugz, out)
	case "client":
		return client(ctx, eps, cfg, out)
	}
	return fmt.Errorf("unknown role %q: want server or client", args[0])
}

// endpoints are the server's three sockets, where it binds and where clients connect.
type endpoints struct{ snapshot, updates, collector string }
