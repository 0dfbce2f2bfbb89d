package amqp091

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/goleak"

	"github.com/purezmq/zmq/bridge/internal/rabbittest"
)

// rabbit is the package's private broker; nil when rabbitmq-server is not installed.
var rabbit *rabbittest.Broker

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "amqp091-rabbit")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rabbit, err = rabbittest.Run(dir)
	switch {
	case errors.Is(err, rabbittest.ErrNotInstalled):
		rabbit = nil
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := 0
	func() {
		defer func() {
			if rabbit != nil {
				rabbit.Stop()
			}
			os.RemoveAll(dir)
		}()
		code = m.Run()
	}()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// need skips t without a broker.
func need(t *testing.T) *rabbittest.Broker {
	t.Helper()
	if rabbit == nil {
		t.Skip(rabbittest.ErrNotInstalled)
	}
	return rabbit
}

var names atomic.Int64

// topology declares a topic exchange bound with "#" to a fresh queue, both durable, and
// returns their names.
func topology(t *testing.T, url string) (exchange, queue string) {
	t.Helper()
	n := names.Add(1)
	exchange, queue = fmt.Sprintf("x%d", n), fmt.Sprintf("q%d", n)
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(queue, "#", exchange, false, nil); err != nil {
		t.Fatal(err)
	}
	return exchange, queue
}
