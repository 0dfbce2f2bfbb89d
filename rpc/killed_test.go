package rpc

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/rpc/internal/childtest"
)

// serverProcessEnv makes the test binary a small rpc server (see serverProcess), for the tests
// that kill a server's process.
const serverProcessEnv = "PUREZMQ_RPC_TEST_SERVER"

// serverProcess serves, as the server named by serverProcessEnv, "echo", "note" (a cast that
// prints "note:" and its argument), "work" (below) and "block" (which prints "started" and waits for its ctx)
// on 127.0.0.1; it prints its endpoint and runs until its stdin closes or it is killed.
func serverProcess() int {
	name := os.Getenv(serverProcessEnv)
	srv, err := NewServer(Target{Topic: "t", Server: name})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var out sync.Mutex // handlers print from several goroutines
	say := func(s string) {
		out.Lock()
		defer out.Unlock()
		fmt.Println(s)
	}
	_ = Handle(srv, "echo", func(ctx context.Context, a echoArgs) (echoReply, error) {
		return echoReply{Text: a.Text, Server: name}, nil
	})
	_ = Handle(srv, "note", func(ctx context.Context, msg string) (struct{}, error) {
		say("note:" + msg)
		return struct{}{}, nil
	})
	// "work" answers its server's name, except on a server named stuck*, where it hangs like
	// "block": a server that stops after receipt.
	_ = Handle(srv, "work", func(ctx context.Context, _ struct{}) (string, error) {
		if strings.HasPrefix(name, "stuck") {
			say("started")
			<-ctx.Done()
			return "", ctx.Err()
		}
		return name, nil
	})
	_ = Handle(srv, "block", func(ctx context.Context, _ struct{}) (string, error) {
		say("started")
		<-ctx.Done()
		return "", ctx.Err()
	})
	if err := srv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	say(srv.Endpoint())
	_, _ = io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = srv.Stop(ctx)
	return 0
}

// serverProc is a server in another process: the test binary run as serverProcess.
type serverProc struct {
	*childtest.Child
	endpoint string
}

// startServerProcess starts a server process named name; it ends with the test (stdin
// closed, then killed if it lingers).
func startServerProcess(t *testing.T, name string) *serverProc {
	t.Helper()
	p := &serverProc{Child: childtest.Start(t, "server process "+name, serverProcessEnv+"="+name)}
	p.endpoint = p.Expect(t, "tcp://*")
	return p
}

// Call, cast and fanout across three server processes.
func TestServerProcesses(t *testing.T) {
	var procs []*serverProc
	var eps []string
	for i := range 3 {
		p := startServerProcess(t, fmt.Sprintf("p%d", i))
		procs, eps = append(procs, p), append(eps, p.endpoint)
	}
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(eps...), WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := testCtx(t)
	fan, err := cl.Prepare(WithFanout())
	if err != nil {
		t.Fatal(err)
	}
	if err := fan.Cast(ctx, "note", "all"); err != nil {
		t.Fatal(err)
	}
	for i, p := range procs {
		if got := p.Next(t); got != "note:all" {
			t.Fatalf("process %d said %q after the fanout", i, got)
		}
	}
	count := map[string]int{}
	for range 30 {
		var r echoReply
		if err := cl.Call(ctx, "echo", echoArgs{Text: "x"}, &r); err != nil {
			t.Fatal(err)
		}
		count[r.Server]++
	}
	if count["p0"] != 10 || count["p1"] != 10 || count["p2"] != 10 {
		t.Fatalf("round robin over processes: %v", count)
	}
}

// A server process SIGKILLed mid-call: the call ends with Unavailable (the connection dropped)
// or DeadlineExceeded, by its deadline.
func TestServerProcessKilled(t *testing.T) {
	p := startServerProcess(t, "k")
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(p.endpoint))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(testCtx(t), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cl.Call(ctx, "block", struct{}{}, nil) }()
	if got := p.Next(t); got != "started" {
		t.Fatalf("server said %q", got)
	}
	if err := p.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	err = <-done
	if c := CodeOf(err); c != Unavailable && c != DeadlineExceeded {
		t.Fatalf("call to a killed server: %v", err)
	}
	t.Logf("call to a killed server: %v", err)
	// The next call fails fast: the server is known but not connected.
	if err := cl.Call(ctx, "block", struct{}{}, nil); !errors.Is(err, ErrNoResponders) {
		t.Fatalf("call after the kill: %v", err)
	}
}

// A server stopped mid-call without time to drain: the call ends, never hangs.
func TestServerStoppedMidCall(t *testing.T) {
	b := newBlocker()
	srv, cl := blockServer(t, b)
	ctx, cancel := context.WithTimeout(testCtx(t), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cl.Call(ctx, "block", struct{}{}, nil) }()
	<-b.started
	now, stop := context.WithCancel(context.Background())
	stop()
	_ = srv.Stop(now) // ctx already done: the handler is cancelled, the socket closed
	if err := <-done; CodeOf(err) != Unavailable && CodeOf(err) != DeadlineExceeded {
		t.Fatalf("call to a stopped server: %v", err)
	}
}

func TestCurve(t *testing.T) {
	pub, sec, err := curve.GenerateKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	wrong, _, err := curve.GenerateKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, Target{Topic: "t"}, nil, WithCurveServer(sec))
	good, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()), WithCurveServerKey(pub))
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	var r echoReply
	if err := good.Call(testCtx(t), "echo", echoArgs{Text: "secret"}, &r); err != nil || r.Text != "secret" {
		t.Fatalf("CURVE call: %+v %v", r, err)
	}
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"wrong server key", []Option{WithCurveServerKey(wrong)}},
		{"no CURVE", nil},
	} {
		bad, err := NewClient(Target{Topic: "t"}, append(tc.opts, WithEndpoint(srv.Endpoint()))...)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(testCtx(t), 2*time.Second)
		err = bad.Call(ctx, "echo", echoArgs{}, nil)
		cancel()
		bad.Close()
		if c := CodeOf(err); c != NoResponders && c != DeadlineExceeded {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
