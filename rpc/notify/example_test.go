package notify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/purezmq/zmq/rpc/notify"
	"github.com/purezmq/zmq/rpc/registry"
)

// A notifier and two listeners of the same pool found through a registry (in memory here;
// redisreg.Open("zmq+redis://host:6379") across machines): the pool handles each notification
// once.
func Example() {
	reg := registry.NewMemory()
	defer reg.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	n, err := notify.NewNotifier("compute.host1", notify.WithRegistry(reg))
	if err != nil {
		panic(err)
	}
	if err := n.Start(ctx); err != nil {
		panic(err)
	}
	defer n.Stop(ctx)

	got := make(chan string)
	handle := func(_ context.Context, x *notify.Notification) notify.Result {
		got <- x.Topic + " " + x.EventType + " " + string(x.Payload)
		return notify.Handled
	}
	for range 2 {
		l, err := notify.NewListener(handle, notify.WithRegistry(reg), notify.WithPool("billing"),
			notify.WithPriorities(notify.Info))
		if err != nil {
			panic(err)
		}
		if err := l.Start(ctx); err != nil { // returns once the notifier knows this member
			panic(err)
		}
		defer l.Stop(ctx)
	}

	_ = n.Debug(ctx, "compute.instance.debug", nil) // no listener takes debug
	_ = n.Info(ctx, "compute.instance.create.end", map[string]string{"id": "vm-1"})
	fmt.Println(<-got)
	// Output: notifications.info compute.instance.create.end {"id":"vm-1"}
}
