package stomp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/bridge"
	"github.com/purezmq/zmq/bridge/internal/rabbittest"
)

// One private RabbitMQ for the package, started by the first test that needs it (the codec
// tests and the fuzz target run without one) and stopped at the end.
var rabbit struct {
	once sync.Once
	dir  string
	b    *rabbittest.Broker
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if rabbit.b != nil {
		rabbit.b.Stop()
	}
	if rabbit.dir != "" {
		os.RemoveAll(rabbit.dir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// rabbitMQ is the package's RabbitMQ; the test is skipped if rabbitmq-server is not installed.
func rabbitMQ(t testing.TB) *rabbittest.Broker {
	t.Helper()
	rabbit.once.Do(func() {
		if rabbit.dir, rabbit.err = os.MkdirTemp("", "stomptest"); rabbit.err == nil {
			rabbit.b, rabbit.err = rabbittest.Run(rabbit.dir)
		}
	})
	if errors.Is(rabbit.err, rabbittest.ErrNotInstalled) {
		t.Skip(rabbit.err)
	}
	if rabbit.err != nil {
		t.Fatal(rabbit.err)
	}
	return rabbit.b
}

const testTimeout = 30 * time.Second

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func stompURL(addr string) string { return "stomp://guest:guest@" + addr + "/" }

// connect dials addr (the broker's, or a proxy's), closed when t ends.
func connect(t testing.TB, addr string, opts ...Option) *broker {
	t.Helper()
	br, err := Dial(stompURL(addr), opts...)(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { br.Close() })
	return br.(*broker)
}

// queueName is a queue of the test's own.
func queueName(t testing.TB) string {
	return fmt.Sprintf("%s-%d", strings.ReplaceAll(t.Name(), "/", "."), time.Now().UnixNano())
}

func publish(t testing.TB, br bridge.Broker, dest string, ms ...bridge.Message) {
	t.Helper()
	ctx := testCtx(t)
	p, err := br.Publisher(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var cfs []bridge.Confirm
	for _, m := range ms {
		cf, err := p.Publish(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		cfs = append(cfs, cf)
	}
	for _, cf := range cfs {
		if err := cf.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func subscribe(t testing.TB, br bridge.Broker, source string, window int) bridge.Consumer {
	t.Helper()
	c, err := br.Consumer(testCtx(t), source, window)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func receive(t testing.TB, c bridge.Consumer) bridge.Delivery {
	t.Helper()
	d, err := c.Receive(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
