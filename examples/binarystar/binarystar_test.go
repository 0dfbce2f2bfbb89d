package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The heartbeat and client timeout of the tests: two heartbeats of silence mean a dead peer,
// and a client waits longer than that, so its failover request finds the peer silent. A
// machine that stalls a live server for two heartbeats makes it look dead, as it would in
// production; a quarter second keeps a loaded test machine clear of that.
const (
	heartbeat = 250 * time.Millisecond
	timeout   = 3 * heartbeat
)

// pair is a primary and a backup running in the test, over ipc.
type pair struct {
	primaryEps, backupEps serverEndpoints
	primaryOut, backupOut *extest.Lines
	killPrimary           func() // stops the primary and waits for it
}

// startPair starts both servers and waits until each has found its part: the primary active,
// the backup passive.
func startPair(t *testing.T, roles *extest.Roles) *pair {
	dir := t.TempDir()
	ep := func(name string) string { return "ipc://" + filepath.Join(dir, name) }
	p := &pair{
		primaryEps: serverEndpoints{ep("primary"), ep("primary-state"), ep("backup-state")},
		backupEps:  serverEndpoints{ep("backup"), ep("backup-state"), ep("primary-state")},
		primaryOut: extest.NewLines(), backupOut: extest.NewLines(),
	}
	p.killPrimary = p.startPrimary(t, roles)
	roles.Go("backup", func(ctx context.Context) error { return server(ctx, stateBackup, p.backupEps, heartbeat, p.backupOut) })
	p.backupOut.Next(t) // ready
	p.primaryOut.Expect(t, "primary -> active (peer backup)")
	expectUntil(t, p.backupOut, "backup -> passive (peer active)", "peer silent")
	return p
}

// startPrimary runs the primary under a context of its own, and returns what kills it.
func (p *pair) startPrimary(t *testing.T, roles *extest.Roles) func() {
	ctx, kill := context.WithCancel(roles.Ctx())
	done := roles.Start(func(context.Context) error { return server(ctx, statePrimary, p.primaryEps, heartbeat, p.primaryOut) })
	p.primaryOut.Next(t) // ready
	return func() {
		kill()
		if err := extest.Wait(t, done); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFailover: a client talks to the primary; the primary dies; the client's next request
// goes unanswered, it fails over to the backup, which takes over and answers, and the client
// carries on. A restarted primary then finds the backup active and stands by.
func TestFailover(t *testing.T) {
	roles := extest.NewRoles(t)
	p := startPair(t, roles)
	cliOut := extest.NewLines()
	servers := []string{p.primaryEps.frontend, p.backupEps.frontend}
	roles.Go("client", func(ctx context.Context) error {
		return client(ctx, servers, timeout, 5*time.Millisecond, 5, 0, cliOut)
	})
	for i := range 3 {
		cliOut.Expect(t, fmt.Sprintf("reply %d", i))
	}
	p.killPrimary()
	// The requests answered before the kill, then the failover.
	next := 3
	for {
		line := cliOut.Next(t)
		if line == fmt.Sprint("reply ", next) {
			next++
			continue
		}
		if line != "no reply, failing over to "+p.backupEps.frontend {
			t.Fatalf("client printed %q, want reply %d or its failover to the backup", line, next)
		}
		break
	}
	for {
		line := cliOut.Next(t)
		if line == fmt.Sprint("reply ", next) {
			break // the request the primary did not answer, answered by the backup
		}
		// The backup may still have heard the primary when the request came: then the client
		// tries the dead primary again, and the backup once more.
		if !strings.HasPrefix(line, "no reply, failing over to ") {
			t.Fatalf("client printed %q, want reply %d", line, next)
		}
	}
	for i := next + 1; i < next+4; i++ {
		cliOut.Expect(t, fmt.Sprint("reply ", i))
	}
	expectUntil(t, p.backupOut, "passive -> active (client request)", "peer silent", "rejected a request as passive")

	// The primary comes back: it hears an active backup and stands by.
	p.primaryOut = extest.NewLines()
	p.startPrimary(t, roles)
	p.primaryOut.Expect(t, "primary -> passive (peer active)")
}

// TestNoSplitBrain: while the primary lives, the passive backup answers no client; when the
// primary dies, the backup stays passive, however long the silence, until a client asks it.
func TestNoSplitBrain(t *testing.T) {
	roles := extest.NewRoles(t)
	p := startPair(t, roles)
	backupOnly := []string{p.backupEps.frontend}
	cliOut := extest.NewLines()
	done := roles.Start(func(ctx context.Context) error {
		return client(ctx, backupOnly, timeout, time.Millisecond, 1, 1, cliOut)
	})
	p.backupOut.Expect(t, "rejected a request as passive")
	if err := extest.Wait(t, done); !errors.Is(err, errNoServer) {
		t.Fatalf("client of the backup alone ended with %v, want %v", err, errNoServer)
	}

	// Forget what the backup said so far, so that the silence it reports next is the dead
	// primary's (a stalled machine can make a live primary look silent for a moment).
	for len(p.backupOut.C) > 0 {
		<-p.backupOut.C
	}
	p.killPrimary()
	p.backupOut.Expect(t, "peer silent")
	done = roles.Start(func(ctx context.Context) error {
		return client(ctx, backupOnly, timeout, time.Millisecond, 1, 1, cliOut)
	})
	if err := extest.Wait(t, done); err != nil {
		t.Fatal(err)
	}
	// Nothing between the silence and the client's request: the backup waited for it.
	p.backupOut.Expect(t, "passive -> active (client request)")
	cliOut.Expect(t, "reply 0")
}

// expectUntil reads lines until want, failing on any line that is not one of allowed.
func expectUntil(t *testing.T, out *extest.Lines, want string, allowed ...string) {
	t.Helper()
	for {
		line := out.Next(t)
		if line == want {
			return
		}
		ok := false
		for _, a := range allowed {
			ok = ok || line == a
		}
		if !ok {
			t.Fatalf("printed %q, want %q", line, want)
		}
	}
}
