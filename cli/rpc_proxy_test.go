package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc"
)

func TestRPCProxyUsage(t *testing.T) {
	for _, args := range [][]string{
		{"extra"},
		{"--misses", "0"},
		{"--queue", "0"},
		{"--heartbeat", "0s"},
		{"--registry", "zmq://127.0.0.1:5555"},
		{"--registry", "http://127.0.0.1:6379"},
		{"--notify-hwm", "0"},
		{"--notify", "--notify-pool-queue", "0"},
		{"--nonsense"},
	} {
		err := RPCProxy(context.Background(), args, nil, io.Discard, io.Discard)
		if !errors.Is(err, ErrUsage) {
			t.Errorf("rpc-proxy %v: %v, want a usage error", args, err)
		}
	}
}

// The command end to end, in process: calls pass, metrics are served, and cancelling its ctx
// (what SIGTERM does) stops it cleanly.
func TestRPCProxyRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	said, stop := startRPCProxyCmd(t, ctx, []string{"frontend", "backend", "metrics"}, "--metrics", "127.0.0.1:0", "--heartbeat", "100ms")
	srv, err := rpc.NewServer(rpc.Target{Topic: "t"}, rpc.WithProxy(said["backend"]))
	if err != nil {
		t.Fatal(err)
	}
	if err := rpc.Handle(srv, "hello", func(ctx context.Context, name string) (string, error) { return "hello " + name, nil }); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(ctx)
	cl, err := rpc.NewClient(rpc.Target{Topic: "t"}, rpc.WithProxy(said["frontend"]), rpc.WithRetries(20))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var got string
	// Retries cover the server's READY still on its way when the first call arrives.
	if err := cl.Call(ctx, "hello", "proxy", &got); err != nil || got != "hello proxy" {
		t.Fatalf("call: %q %v", got, err)
	}
	// A reply is counted once sent: the caller may have it a moment before, so scrape until
	// it is in (within ctx).
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, said["metrics"], nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(body), `zmq_rpc_proxy_replies_total{status="OK"} 1`+"\n") {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("metrics:\n%s", body)
		}
	}
	stop()
}

// startRPCProxyCmd runs `zmq rpc-proxy args...` in process until the func returned is called (what
// SIGTERM does): that checks it stopped cleanly. It returns what the command printed first,
// "name value" lines by name, once every name in want is there.
func startRPCProxyCmd(t *testing.T, ctx context.Context, want []string, args ...string) (map[string]string, func()) {
	t.Helper()
	run, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := Run(run, append([]string{"rpc-proxy"}, args...), nil, io.Discard, pw)
		pw.Close()
		done <- err
	}()
	lines := bufio.NewScanner(pr)
	said := map[string]string{}
	missing := func() string {
		for _, k := range want {
			if said[k] == "" {
				return k
			}
		}
		return ""
	}
	for missing() != "" && lines.Scan() {
		k, v, _ := strings.Cut(lines.Text(), " ")
		said[k] = strings.TrimPrefix(v, "at ")
	}
	if k := missing(); k != "" {
		cancel()
		t.Fatalf("rpc-proxy said %v: no %s", said, k)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		var rest strings.Builder
		for lines.Scan() {
			rest.WriteString(lines.Text() + "\n")
		}
		if err := <-done; err != nil {
			t.Fatalf("rpc-proxy: %v", err)
		}
		if !strings.Contains(rest.String(), "rpc-proxy stopped") {
			t.Fatalf("rpc-proxy said at the end: %q", rest.String())
		}
	}
	t.Cleanup(func() { cancel(); stop() })
	return said, stop
}
