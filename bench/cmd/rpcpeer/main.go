// Command rpcpeer is one side of bench-compare's RPC cells (an echo server or a measuring
// client) for gRPC-Go, NATS, raw purezmq and purezmq rpc; see package rpcpeer.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/purezmq/zmq/bench/rpcpeer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := rpcpeer.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
