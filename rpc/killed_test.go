package rpc

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/curve"
)

// serverProcessEnv makes the test binary a small rpc server (see serverProcess), for the tests
// that kill a server's process.
const serverProcessEnv = "PUREZMQ_RPC_TEST_SERVER"

// serverProcess serves "echo" and "block" (which prints "started" and waits for its ctx) on
// 127.0.0.1, prints its endpoint, and runs until its stdin closes or it is killed.
func serverProcess() int {
	srv, err := NewServer(Target{Topic: "t"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_ = Handle(srv, "block", func(ctx context.Context, _ struct{}) (string, error) {
		fmt.Println("started")
		<-ctx.Done()
		return "", ctx.Err()
	})
	if err := srv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(srv.Endpoint())
	_, _ = io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = srv.Stop(ctx)
	return 0
}

// A server process SIGKILLed mid-call: the call ends with Unavailable (the connection dropped)
// or DeadlineExceeded, by its deadline.
func TestServerProcessKilled(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serverProcessEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "tcp://") {
		t.Fatalf("server said %q: %v", lines.Text(), lines.Err())
	}
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(lines.Text()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(testCtx(t), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cl.Call(ctx, "block", struct{}{}, nil) }()
	if !lines.Scan() || lines.Text() != "started" {
		t.Fatalf("server said %q: %v", lines.Text(), lines.Err())
	}
	if err := cmd.Process.Kill(); err != nil {
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
