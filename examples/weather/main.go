// Command weather is the guide's publish-subscribe pattern: a server publishes weather updates
// "ZIPCODE TEMPERATURE HUMIDITY" for many zipcodes, and a client subscribes to one zipcode (a
// prefix filter applied by the publisher) and averages the temperature over its updates.
//
//	go run ./examples/weather server -bind tcp://*:5556
//	go run ./examples/weather client -connect tcp://127.0.0.1:5556 -zip 10001 -n 100
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
		fmt.Fprintln(os.Stderr, "weather:", err)
		os.Exit(1)
	}
}

// run plays the role named by args[0] with the flags that follow.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: weather server|client [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	endpoint := fs.String("bind", "tcp://*:5556", "where the server binds")
	zips := fs.Int("zips", 100000, "how many zipcodes the server publishes for (00000 up)")
	zip := fs.String("zip", "10001", "the zipcode the client subscribes to")
	n := fs.Int("n", 100, "updates the client averages")
	if args[0] == "client" {
		endpoint = fs.String("connect", "tcp://127.0.0.1:5556", "where the client connects")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "server":
		if *zips < 1 || *zips > 100000 {
			return fmt.Errorf("-zips %d: want 1 to 100000", *zips)
		}
		return server(ctx, *endpoint, *zips, out)
	case "client":
		if *n < 1 {
			return fmt.Errorf("-n %d: want at least 1", *n)
		}
		return client(ctx, *endpoint, *zip, *n, out)
	}
	return fmt.Errorf("unknown role %q: want server or client", args[0])
}
