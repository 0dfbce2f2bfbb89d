package cli

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc/notify"
)

// With --notify the daemon also runs a notification hub: a notifier sends to notify-in, a
// listener of its own and a pool member each get the notification, the hub's counters are in
// the metrics, and a stop stops both.
func TestRPCProxyNotifyHub(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	said, stop := startRPCProxyCmd(t, ctx, []string{"frontend", "backend", "notify-in", "notify-pub", "notify-pool", "metrics"},
		"--notify", "--metrics", "127.0.0.1:0")
	got := make(chan string, 2)
	var listeners []*notify.Listener
	for _, opts := range [][]notify.Option{
		{notify.WithEndpoints(said["notify-pub"])},
		{notify.WithEndpoints(said["notify-pool"]), notify.WithPool("billing")},
	} {
		l, err := notify.NewListener(func(_ context.Context, n *notify.Notification) notify.Result {
			got <- n.EventType
			return notify.Handled
		}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Start(ctx); err != nil { // returns once the hub has the subscription
			t.Fatal(err)
		}
		listeners = append(listeners, l)
	}
	n, err := notify.NewNotifier("cli-test", notify.WithEndpoints(said["notify-in"]))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := n.Info(ctx, "compute.instance.create.end", map[string]string{"id": "vm-1"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case e := <-got:
			if e != "compute.instance.create.end" {
				t.Fatalf("event type %q", e)
			}
		case <-ctx.Done():
			t.Fatal("a listener did not get the notification through the daemon's hub")
		}
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, said["metrics"], nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "zmq_rpc_notify_received_total 1\n") {
		t.Errorf("metrics lack the hub's count:\n%s", body)
	}
	for _, l := range listeners {
		if err := l.Stop(ctx); err != nil {
			t.Error(err)
		}
	}
	if err := n.Stop(ctx); err != nil {
		t.Error(err)
	}
	stop()
}
