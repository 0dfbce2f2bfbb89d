package main

import "github.com/purezmq/zmq/examples/internal/pirate"

// The client lives in examples/internal/pirate, shared with simplepirate and paranoidpirate.
type retry = pirate.Retry

var (
	client       = pirate.Client
	errAbandoned = pirate.ErrAbandoned
)
