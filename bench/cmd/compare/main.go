// Command compare is `make bench-compare`: purezmq measured side by side with libzmq, the cgo
// binding (pebbe/zmq4), go-zeromq/zmq4 and mangos in one run; see package compare.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/purezmq/zmq/bench/compare"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := compare.Main(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
