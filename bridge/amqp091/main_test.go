package amqp091

import (
	"fmt"
	"sync/atomic"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/purezmq/zmq/bridge/internal/rabbittest"
)

// rabbit is the package's private broker; nil when rabbitmq-server is not installed.
var rabbit *rabbittest.Broker

func TestMain(m *testing.M) { rabbittest.Main(m, func(b *rabbittest.Broker) { rabbit = b }) }

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
