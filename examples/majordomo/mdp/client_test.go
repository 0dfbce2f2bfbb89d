package mdp

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/purezmq/zmq/examples/internal/extest"
)

// TestClientRetries: a request whose reply does not come in time is sent again from a new
// socket; replies that are malformed or for another service are skipped; PARTIALs are
// collected before the FINAL.
func TestClientRetries(t *testing.T) {
	rt, ep := router(t)
	roles := extest.NewRoles(t)
	type result struct {
		reply Reply
		err   error
	}
	res := make(chan result, 1)
	roles.Start(func(ctx context.Context) error {
		c := NewClient(ep, 50*time.Millisecond, 2)
		defer c.Close()
		r, err := c.Request(ctx, "echo", []byte("hi"))
		res <- result{r, err}
		return nil
	})
	first := recv(t, rt)
	expect(t, first[1:], "MDPC02", "\x01", "echo", "hi")
	// No answer: the client gives up on this socket and asks again from another.
	second := recv(t, rt)
	expect(t, second[1:], "MDPC02", "\x01", "echo", "hi")
	if string(first[0]) == string(second[0]) {
		t.Fatal("the retry came from the same socket")
	}
	id := string(second[0])
	send(t, rt, frames(id, "MDPC02", "\x03")...)                   // malformed
	send(t, rt, frames(id, "MDPC02", "\x03", "other", "x")...)     // another service
	send(t, rt, frames(id, "MDPC02", "\x01", "echo", "x")...)      // not a reply
	send(t, rt, frames(id, "MDPC02", "\x02", "echo", "part")...)   // PARTIAL
	send(t, rt, frames(id, "MDPC02", "\x03", "echo", "hi", "")...) // FINAL
	var r result
	select {
	case r = <-res:
	case <-time.After(extest.Timeout):
		t.Fatal("no result")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := Reply{Partials: [][][]byte{frames("part")}, Final: frames("hi", "")}
	if !reflect.DeepEqual(normalR(r.reply), normalR(want)) {
		t.Fatalf("got %q, want %q", r.reply, want)
	}
}

func normalR(r Reply) Reply {
	for i := range r.Partials {
		r.Partials[i] = normal(r.Partials[i])
	}
	r.Final = normal(r.Final)
	return r
}

// TestClientNoReply: after retries+1 unanswered attempts a request fails with ErrNoReply.
func TestClientNoReply(t *testing.T) {
	rt, ep := router(t)
	c := NewClient(ep, 100*time.Millisecond, 2)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), extest.Timeout)
	defer cancel()
	_, err := c.Request(ctx, "echo", []byte("hi"))
	if !errors.Is(err, ErrNoReply) {
		t.Fatalf("got %v, want ErrNoReply", err)
	}
	for range 3 {
		expect(t, recv(t, rt)[1:], "MDPC02", "\x01", "echo", "hi")
	}
}

// TestClientBadArgs: a request the protocol cannot carry is refused before anything is sent.
func TestClientBadArgs(t *testing.T) {
	c := NewClient("tcp://127.0.0.1:1", time.Millisecond, 0)
	defer c.Close()
	for _, tc := range []struct {
		service string
		body    [][]byte
	}{{"", frames("x")}, {"echo", nil}, {"a\nb", frames("x")}} {
		if _, err := c.Request(context.Background(), tc.service, tc.body...); !errors.Is(err, ErrMalformed) {
			t.Errorf("Request(%q, %q): %v, want ErrMalformed", tc.service, tc.body, err)
		}
	}
}
