package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
	"github.com/purezmq/zmq/examples/majordomo/mdp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const heartbeat = 20 * time.Millisecond

// fixture is a Majordomo broker for a test, with the means to start the other roles on it.
type fixture struct {
	t         *testing.T
	roles     *extest.Roles
	ep        string
	brokerOut *extest.Lines
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, roles: extest.NewRoles(t), brokerOut: extest.NewLines()}
	b := mdp.Broker{Heartbeat: heartbeat}
	f.roles.Go("broker", func(ctx context.Context) error {
		return b.Run(ctx, "ipc://"+filepath.Join(t.TempDir(), "broker"), f.brokerOut)
	})
	f.ep = strings.TrimPrefix(f.brokerOut.Next(t), "ready ")
	return f
}

// server starts a Titanic server on dir under ctx; done delivers its result.
func (f *fixture) server(ctx context.Context, dir string) (out *extest.Lines, done <-chan error) {
	out = extest.NewLines()
	done = f.roles.Start(func(context.Context) error {
		return run(ctx, []string{"server", "-connect", f.ep, "-dir", dir, "-heartbeat", heartbeat.String(),
			"-timeout", "200ms", "-retry", "10ms"}, out)
	})
	return out, done
}

// client starts a Titanic client asking echo to run body.
func (f *fixture) client(body string) (*extest.Lines, <-chan error) {
	out := extest.NewLines()
	done := f.roles.Start(func(ctx context.Context) error {
		return run(ctx, []string{"client", "-connect", f.ep, "-body", body, "-timeout", "200ms",
			"-retries", "50", "-poll", "10ms"}, out)
	})
	return out, done
}

// echo starts the real service, an echo worker.
func (f *fixture) echo() {
	w := mdp.Worker{Endpoint: f.ep, Service: "echo", Heartbeat: heartbeat}
	f.roles.Go("echo", func(ctx context.Context) error {
		return w.Run(ctx, func(_ context.Context, body [][]byte, _ func(...[]byte) error) ([][]byte, error) {
			return body, nil
		})
	})
}

// requestID reads the client's "request UUID" line.
func requestID(t *testing.T, out *extest.Lines) string {
	t.Helper()
	line := out.Next(t)
	id, ok := strings.CutPrefix(line, "request ")
	if !ok || len(id) != 32 {
		t.Fatalf("client printed %q, want request UUID", line)
	}
	return id
}

// TestTitanic: a request for a service that is not up yet is stored and answered with a UUID;
// once an echo worker comes, the dispatcher gets the reply, the client's polling finds it, and
// closing the request deletes its files.
func TestTitanic(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	srvOut, _ := f.server(f.roles.Ctx(), dir)
	cliOut, cliDone := f.client("Hello")
	id := requestID(t, cliOut)
	srvOut.Expect(t, "stored "+id+" echo")
	f.echo()
	srvOut.Expect(t, "replied "+id)
	cliOut.Expect(t, "reply Hello")
	cliOut.Expect(t, "closed "+id)
	srvOut.Expect(t, "closed "+id)
	if err := extest.Wait(t, cliDone); err != nil {
		t.Fatal(err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("%d files left in the store after close: %v", len(files), files)
	}
}

// TestTitanicServerRestarts: the server stops with a request pending; a new server on the same
// directory recovers the request from disk and gets its reply to the client, which never
// stopped asking.
func TestTitanicServerRestarts(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	ctx1, stop1 := context.WithCancel(f.roles.Ctx())
	srvOut, srvDone := f.server(ctx1, dir)
	cliOut, cliDone := f.client("Hello again")
	id := requestID(t, cliOut)
	srvOut.Expect(t, "stored "+id+" echo")
	stop1()
	if err := extest.Wait(t, srvDone); err != nil {
		t.Fatal(err)
	}

	srvOut, _ = f.server(f.roles.Ctx(), dir)
	srvOut.Expect(t, "recovered "+id)
	f.echo()
	srvOut.Expect(t, "replied "+id)
	cliOut.Expect(t, "reply Hello again")
	cliOut.Expect(t, "closed "+id)
	if err := extest.Wait(t, cliDone); err != nil {
		t.Fatal(err)
	}
}

// TestTitanicBadRequests: what is not a valid TSP request gets status 400 and touches no file:
// UUIDs that are not 32 hex digits (a path, say) and requests with too few frames.
func TestTitanicBadRequests(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	f.server(f.roles.Ctx(), dir)
	c := mdp.NewClient(f.ep, extest.Timeout, 0)
	defer c.Close()
	cases := []struct {
		service string
		body    []string
	}{
		{"titanic.request", []string{"echo"}},
		{"titanic.request", []string{"bad\nservice", "x"}},
		{"titanic.reply", []string{"../../etc/passwd"}},
		{"titanic.reply", []string{strings.Repeat("0", 32)}},
		{"titanic.reply", []string{strings.Repeat("0", 32), "extra"}},
		{"titanic.reply", []string{strings.Repeat("g", 32)}},
		{"titanic.close", []string{"../" + strings.Repeat("0", 29)}},
		{"titanic.close", []string{}},
	}
	for _, tc := range cases {
		body := make([][]byte, len(tc.body))
		for i, s := range tc.body {
			body[i] = []byte(s)
		}
		if len(body) == 0 {
			body = [][]byte{nil, nil} // two frames: close wants one
		}
		r, err := c.Request(f.roles.Ctx(), tc.service, body...)
		if err != nil {
			t.Fatal(err)
		}
		if code, _, _ := strings.Cut(string(r.Final[0]), " "); code != "400" {
			t.Errorf("%s %q: status %q, want 400", tc.service, tc.body, r.Final[0])
		}
	}
	// close of a well-formed UUID it does not know is fine, as TSP says.
	r, err := c.Request(f.roles.Ctx(), "titanic.close", []byte(strings.Repeat("a", 32)))
	if err != nil || string(r.Final[0]) != "200" {
		t.Fatalf("close of an unknown UUID: %q, %v; want 200", r.Final, err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("bad requests left files: %v", files)
	}
}
