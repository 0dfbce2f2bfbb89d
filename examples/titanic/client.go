package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/purezmq/zmq/examples/majordomo/mdp"
)

// client asks Titanic, through c, to run body on service, then polls for the reply every poll
// until it comes, and closes the request. It prints "request UUID", then "reply BODY", then
// "closed UUID". The service need not be up, nor the Titanic server for a while: the request
// is on disk, and c retries.
func client(ctx context.Context, c *mdp.Client, service, body string, poll time.Duration, out io.Writer) error {
	defer c.Close()
	r, err := call(ctx, c, "titanic.request", []byte(service), []byte(body))
	if err != nil {
		return err
	}
	if len(r) != 1 {
		return fmt.Errorf("titanic.request replied %q, want a UUID", r)
	}
	id := r[0]
	fmt.Fprintf(out, "request %s\n", id)
	for {
		reply, err := call(ctx, c, "titanic.reply", id)
		if err == nil {
			fmt.Fprintf(out, "reply %s\n", join(reply))
			break
		}
		if err != errPending {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
	if _, err := call(ctx, c, "titanic.close", id); err != nil {
		return err
	}
	fmt.Fprintf(out, "closed %s\n", id)
	return nil
}

var errPending = fmt.Errorf("titanic: reply pending")

// call asks a Titanic service and returns the body after a "200" status; "300" is errPending,
// any other status an error.
func call(ctx context.Context, c *mdp.Client, service string, body ...[]byte) ([][]byte, error) {
	r, err := c.Request(ctx, service, body...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", service, err)
	}
	// The status is three digits, maybe followed by a space and text a client must ignore.
	code, _, _ := strings.Cut(string(r.Final[0]), " ")
	switch code {
	case "200":
		return r.Final[1:], nil
	case "300":
		return nil, errPending
	}
	return nil, fmt.Errorf("%s: status %q", service, r.Final[0])
}

// join shows a body of several frames on one line.
func join(body [][]byte) string {
	s := make([]string, len(body))
	for i, f := range body {
		s[i] = string(f)
	}
	return strings.Join(s, " ")
}
