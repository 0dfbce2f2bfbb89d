package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/purezmq/zmq/examples/majordomo/mdp"
)

// echoWorker serves w's service by sending each request back: partials times as a PARTIAL,
// then as the FINAL. It prints "request BODY" per request, besides w's own lines
// ("connecting ENDPOINT", "broker lost").
func echoWorker(ctx context.Context, w mdp.Worker, partials int, out io.Writer) error {
	return w.Run(ctx, func(ctx context.Context, body [][]byte, partial func(...[]byte) error) ([][]byte, error) {
		fmt.Fprintf(out, "request %s\n", join(body))
		for range partials {
			if err := partial(body...); err != nil {
				return nil, err
			}
		}
		return body, nil
	})
}

// join shows a body of several frames on one line.
func join(body [][]byte) string {
	s := make([]string, len(body))
	for i, f := range body {
		s[i] = string(f)
	}
	return strings.Join(s, " ")
}
