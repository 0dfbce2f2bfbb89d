package proxy_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/childtest"
	"github.com/purezmq/zmq/rpc/proxy"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
)

// The test binary runs as a child process for the tests that kill or stop one: a proxy
// registered in the Redis registry childEnv names, or a server behind the proxy backend
// childServerEnv names.
const (
	childEnv       = "PUREZMQ_RPC_PROXY_TEST_REDIS"
	childWant      = "PUREZMQ_RPC_PROXY_TEST_SERVERS"
	childServerEnv = "PUREZMQ_RPC_PROXY_TEST_BACKEND"
)

// child runs the child process the environment asks for; false: none, run the tests.
func child() (code int, ok bool) {
	switch {
	case os.Getenv(childEnv) != "":
		return childProxy(), true
	case os.Getenv(childServerEnv) != "":
		return childServer(), true
	}
	return 0, false
}

// childProxy runs a proxy registered in the registry named by childEnv, prints its frontend,
// then "ready" once childWant servers have announced themselves, and runs until its stdin
// closes or it is killed.
func childProxy() int {
	r, err := redisreg.Open(os.Getenv(childEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer r.Close()
	p, err := proxy.New(proxy.Config{Registry: r, TTL: 2 * time.Second, Heartbeat: 100 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(p.Frontend())
	want, _ := strconv.Atoi(os.Getenv(childWant))
	for p.Stats().Servers < want { // the parent waits on this line, not on time
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return map[bool]int{true: 0, false: 1}[p.Close() == nil]
}

// childServer runs server "c" of topic t behind the proxy backend named by childServerEnv,
// heart-beating every 50 ms, with "block" (prints "started", waits for its ctx); it prints
// "up" and runs until its stdin closes or it is killed.
func childServer() int {
	srv, err := rpc.NewServer(rpc.Target{Topic: "t", Server: "c"}, rpc.WithProxy(os.Getenv(childServerEnv)),
		rpc.WithProxyHeartbeat(50*time.Millisecond, 3))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_ = rpc.Handle(srv, "block", func(ctx context.Context, _ struct{}) (string, error) {
		fmt.Println("started")
		<-ctx.Done()
		return "", ctx.Err()
	})
	if err := srv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("up")
	_, _ = io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = srv.Stop(ctx)
	return 0
}

// startChildProxy starts a proxy process registered in the registry at url, which says
// "ready" once servers servers are in (waitChildReady); it returns its frontend.
func startChildProxy(t *testing.T, url string, servers int) (*childtest.Child, string) {
	t.Helper()
	c := childtest.Start(t, "proxy process", childEnv+"="+url, childWant+"="+strconv.Itoa(servers))
	return c, c.Expect(t, "tcp://*")
}

// waitChildReady waits for the child to say its servers are in.
func waitChildReady(t *testing.T, c *childtest.Child) {
	t.Helper()
	c.Expect(t, "ready")
}
