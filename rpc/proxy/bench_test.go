package proxy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/benchtest"
	"github.com/purezmq/zmq/rpc/proxy"
)

// BenchmarkProxy measures calls/s through one proxy against the same server called directly,
// in the same run (make bench-rpc-proxy): 64 bytes of JSON each way, 1 and 16 callers.
func BenchmarkProxy(b *testing.B) {
	payload := strings.Repeat("x", 62)
	echo := func(_ context.Context, a string) (string, error) { return a, nil }
	for _, via := range []string{"direct", "proxy"} {
		for _, n := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/callers=%d", via, n), func(b *testing.B) {
				var srvOpts, clOpts []rpc.Option
				if via == "proxy" {
					p := startProxy(b, proxy.Config{})
					srvOpts, clOpts = []rpc.Option{rpc.WithProxy(p.Backend())}, []rpc.Option{rpc.WithProxy(p.Frontend())}
				}
				srv, err := rpc.NewServer(rpc.Target{Topic: "bench"}, srvOpts...)
				if err != nil {
					b.Fatal(err)
				}
				if err := rpc.Handle(srv, "echo64", echo); err != nil {
					b.Fatal(err)
				}
				if err := srv.Start(); err != nil {
					b.Fatal(err)
				}
				defer srv.Stop(context.Background())
				if via == "direct" {
					clOpts = []rpc.Option{rpc.WithEndpoint(srv.Endpoint())}
				}
				cl, err := rpc.NewClient(rpc.Target{Topic: "bench"}, append(clOpts, rpc.WithRetries(50))...)
				if err != nil {
					b.Fatal(err)
				}
				defer cl.Close()
				ctx := context.Background()
				// The first call waits for the server's READY (retries): not measured.
				if err := cl.Call(ctx, "echo64", payload, nil); err != nil {
					b.Fatal(err)
				}
				benchtest.Callers(b, n, func() error {
					var r string
					if err := cl.Call(ctx, "echo64", payload, &r); err != nil {
						return err
					}
					if len(r) != len(payload) {
						return fmt.Errorf("reply of %d bytes", len(r))
					}
					return nil
				})
			})
		}
	}
}
