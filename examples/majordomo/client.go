package main

import (
	"context"
	"fmt"
	"io"

	"github.com/purezmq/zmq/examples/majordomo/mdp"
)

// client sends n requests of body to service through c, one at a time, printing "N partial
// REPLY" per PARTIAL and "N REPLY" per FINAL. A request with no reply after c's retries fails
// with mdp.ErrNoReply.
func client(ctx context.Context, c *mdp.Client, service, body string, n int, out io.Writer) error {
	defer c.Close()
	for i := range n {
		reply, err := c.Request(ctx, service, []byte(body))
		if err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		for _, p := range reply.Partials {
			fmt.Fprintf(out, "%d partial %s\n", i, join(p))
		}
		fmt.Fprintf(out, "%d %s\n", i, join(reply.Final))
	}
	return nil
}
