package main

import "github.com/purezmq/zmq/examples/internal/pirate"

// The client is lazy pirate's: examples/internal/pirate, shared by the three pirates.
type retry = pirate.Retry

var (
	client       = pirate.Client
	errAbandoned = pirate.ErrAbandoned
)
