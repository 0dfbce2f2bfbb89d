package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// encodedCommands decodes the command frames in b (NULL mechanism) into "NAME:data" strings.
func encodedCommands(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	for len(b) > 0 {
		flags, size, n, err := zmtp.ParseFrameHeader(b, -1)
		if err != nil || flags&zmtp.FlagCommand == 0 {
			t.Fatalf("not a command frame at %x: %v", b, err)
		}
		cmd, err := zmtp.ParseCommand(b[n : n+size])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%s", cmd.Name, cmd.Data))
		b = b[n+size:]
	}
	return out
}

// TestPongsCoalesce: PINGs that arrive while the writer is away get one PONG, with the latest
// PING's context (libzmq keeps at most one pending), however many came; commands of other
// kinds queued meanwhile all go.
func TestPongsCoalesce(t *testing.T) {
	a, b := handshakeBoth(t, cfg("PAIR"), cfg("PAIR"))
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	c := a.c
	c.w.nc, c.w.wbuf = c.nc, make([]byte, 0, 4<<10)
	c.hb = &heartbeat{c: c, awaiting: -1, stopped: true}
	c.dec.sink = &collectSink{}
	ping := func(ctx string) {
		f := zmtp.AppendPing(nil, 0, []byte(ctx))
		_, _, n, _ := zmtp.ParseFrameHeader(f, -1)
		if err := c.command(f[n:]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 1000 {
		ping(fmt.Sprint(i))
	}
	c.SendSubscription([]byte("\x01topic"), true)
	ping("last")
	q := pipe.NewOutQueue(0, nil)
	if !c.take(q) {
		t.Fatal("nothing to write")
	}
	got := encodedCommands(t, c.w.wbuf)
	var pongs []string
	for _, g := range got {
		if strings.HasPrefix(g, "PONG:") {
			pongs = append(pongs, g)
		}
	}
	if len(pongs) != 1 || pongs[0] != "PONG:last" || len(got) != 2 {
		t.Fatalf("queued %d commands, %d of them PONGs (last %q), want the SUBSCRIBE and one PONG:last",
			len(got), len(pongs), pongs[len(pongs)-1])
	}
	// Taken: nothing more until the next PING.
	c.w.reset()
	if c.take(q) {
		t.Fatalf("a second take found %q", c.w.wbuf)
	}
	ping("again")
	c.take(q)
	if got := encodedCommands(t, c.w.wbuf); len(got) != 1 || got[0] != "PONG:again" {
		t.Fatalf("after the next PING: %q", got)
	}
	if err := c.command(append([]byte("\x04PING"), 0)); !errors.Is(err, ErrProtocol) {
		t.Fatalf("a short PING: %v, want ErrProtocol", err)
	}
}

// TestPingsCoalesce: heartbeats that come due while the writer is stalled queue one PING.
func TestPingsCoalesce(t *testing.T) {
	a, b := handshakeBoth(t, cfg("PAIR"), cfg("PAIR"))
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	c := a.c
	c.w.nc, c.w.wbuf = c.nc, make([]byte, 0, 4<<10)
	ping := zmtp.AppendPing(nil, 7, nil)
	for range 100 {
		c.queuePing(ping)
	}
	c.take(pipe.NewOutQueue(0, nil))
	if got := encodedCommands(t, c.w.wbuf); len(got) != 1 || got[0] != "PING:\x00\x07" {
		t.Fatalf("queued %q, want one PING", got)
	}
}
